"""Pages for signing in, institutions, people and transfers. Thin: parse,
fetch through scope, call the service, render or redirect."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from xieguan.accounts import services
from xieguan.accounts.forms import (
    DecideForm,
    InstitutionForm,
    LoginForm,
    MoveForm,
    PasswordChangeForm,
    PasswordResetForm,
    PersonCreateForm,
    ProfileForm,
    SupervisorForm,
    TransferForm,
    TwoFactorCodeForm,
)
from xieguan.accounts.models import Institution, InstitutionType, RoleCode, TransferRequest, TransferStatus, User
from xieguan.accounts.permissions import (
    APPROVE_TRANSFERS,
    MANAGE_INSTITUTIONS,
    MANAGE_PEOPLE,
    VIEW_PEOPLE,
    can,
    require,
)
from xieguan.accounts.selectors import (
    backup_codes_left,
    get_institution_for_user,
    get_managed_person_for_user,
    get_person_for_user,
    get_signin_lock_for_user,
    get_transfer_for_user,
    people_filtered,
    signin_locks_in_force,
    transfers_filtered,
    two_factor_on,
)
from xieguan.accounts.two_factor import SESSION_KEY as TWO_FACTOR_SESSION_KEY
from xieguan.accounts.two_factor import code_owed
from xieguan.core.form_pages import service_action, service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_not_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


def password_change(request: HttpRequest) -> HttpResponse:
    def change(form: PasswordChangeForm) -> None:
        services.password_change(
            actor=request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password"],
        )
        update_session_auth_hash(request, request.user)

    return service_form_page(
        request,
        form_class=PasswordChangeForm,
        service=change,
        success_url=reverse("core:home"),
        message=_("Your password has been changed."),
        template="accounts/password_change.html",
        title=_("Change password"),
        context={"expired": request.user.password_expired(settings.PASSWORD_MAX_AGE_DAYS)},
    )


# --- Institutions ----------------------------------------------------------------


def institution_list(request: HttpRequest) -> HttpResponse:
    institutions = Institution.objects.visible_to(request.user).select_related("area", "responsible_supervisor")
    kind = request.GET.get("type") or ""
    if kind in InstitutionType.values:
        institutions = institutions.filter(type=kind)
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        institutions = institutions.filter(Q(name__icontains=q) | Q(area__name__icontains=q))
    page = page_for_request(request, institutions, ordering=["name", "id"])
    return render(
        request,
        "accounts/institution_list.html",
        {
            "page": page,
            "types": InstitutionType.choices,
            "type": kind,
            "q": q,
            "can_manage": can(request.user, MANAGE_INSTITUTIONS),
        },
    )


def institution_detail(request: HttpRequest, pk: str) -> HttpResponse:
    institution = get_institution_for_user(request.user, pk)
    staff = (
        User.objects.visible_to(request.user)
        .filter(institution=institution)
        .prefetch_related("roles")
        .order_by("username")
    )
    return render(
        request,
        "accounts/institution_detail.html",
        {
            "institution": institution,
            "staff": staff if can(request.user, VIEW_PEOPLE) else None,
            "can_manage": can(request.user, MANAGE_INSTITUTIONS),
        },
    )


def institution_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_INSTITUTIONS)
    return service_form_page(
        request,
        form_class=InstitutionForm,
        form_kwargs={"user": request.user, "initial": {"area": request.GET.get("area")}},
        service=lambda form: services.institution_create(actor=request.user, **form.cleaned_data),
        success_url=lambda institution: reverse("accounts:institution_detail", args=[institution.pk]),
        message=lambda institution: _("Institution %(name)s added.") % {"name": institution.name},
        title=_("Add an institution"),
        cancel_url=reverse("accounts:institution_list"),
    )


def institution_edit(request: HttpRequest, pk: str) -> HttpResponse:
    institution = get_institution_for_user(request.user, pk)
    require(request.user, MANAGE_INSTITUTIONS, institution.area.path)
    initial = {f: getattr(institution, f) for f in services.INSTITUTION_FIELDS}
    initial["area"] = institution.area_id
    return service_form_page(
        request,
        form_class=InstitutionForm,
        form_kwargs={"user": request.user, "initial": initial, "editing": True},
        service=lambda form: services.institution_update(
            actor=request.user,
            institution=institution,
            **{k: v for k, v in form.cleaned_data.items() if k in services.INSTITUTION_FIELDS and k != "type"},
        ),
        success_url=reverse("accounts:institution_detail", args=[institution.pk]),
        message=_("Saved."),
        title=_("Edit %(name)s") % {"name": institution.name},
        cancel_url=reverse("accounts:institution_detail", args=[institution.pk]),
    )


def institution_supervisor(request: HttpRequest, pk: str) -> HttpResponse:
    institution = get_institution_for_user(request.user, pk)
    require(request.user, MANAGE_INSTITUTIONS, institution.area.path)
    return service_form_page(
        request,
        form_class=SupervisorForm,
        form_kwargs={
            "user": request.user,
            "institution": institution,
            "initial": {"responsible_supervisor": institution.responsible_supervisor_id},
        },
        service=lambda form: services.institution_assign_supervisor(
            actor=request.user, institution=institution, supervisor=form.cleaned_data["responsible_supervisor"]
        ),
        success_url=reverse("accounts:institution_detail", args=[institution.pk]),
        message=_("Saved."),
        title=_("Responsible supervisor of %(name)s") % {"name": institution.name},
        cancel_url=reverse("accounts:institution_detail", args=[institution.pk]),
    )


# --- People ------------------------------------------------------------------------


def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_PEOPLE)
    role = request.GET.get("role") or ""
    q = (request.GET.get("q") or "").strip()[:50]
    people = people_filtered(request.user, role=role, q=q)
    page = page_for_request(request, people, ordering=["username", "id"])
    return render(
        request,
        "accounts/person_list.html",
        {
            "page": page,
            "roles": RoleCode.choices,
            "role": role,
            "q": q,
            "can_manage": can(request.user, MANAGE_PEOPLE),
        },
    )


def person_detail(request: HttpRequest, pk: str) -> HttpResponse:
    require(request.user, VIEW_PEOPLE)
    person = get_person_for_user(request.user, pk)
    transfers = (
        TransferRequest.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("from_institution", "to_institution", "requested_by", "decided_by")
    )
    manage = can(request.user, MANAGE_PEOPLE)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "transfers": transfers,
            "can_manage": manage,
            "is_comanager": person.has_role(RoleCode.COMANAGER),
            "tokens": person.api_tokens.filter(revoked_at__isnull=True) if manage else None,
            "two_factor": two_factor_on(person) if manage else False,
        },
    )


def _profile_initial(person: User) -> dict[str, Any]:
    data = {f: getattr(person, f) for f in services.PROFILE_FIELDS}
    data["roles"] = sorted(person.role_codes)
    return data


def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_PEOPLE)
    return service_form_page(
        request,
        form_class=PersonCreateForm,
        form_kwargs={"user": request.user, "initial": {"institution": request.GET.get("institution")}},
        service=lambda form: services.user_create(actor=request.user, **form.cleaned_data),
        success_url=lambda person: reverse("accounts:person_detail", args=[person.pk]),
        message=lambda person: (
            _("%(name)s can now sign in as %(username)s.") % {"name": person, "username": person.username}
        ),
        title=_("Add a person"),
        cancel_url=reverse("accounts:person_list"),
    )


def person_edit(request: HttpRequest, pk: str) -> HttpResponse:
    person = get_managed_person_for_user(request.user, pk)

    def update(form: ProfileForm) -> None:
        data = dict(form.cleaned_data)
        services.user_update(actor=request.user, person=person, roles=data.pop("roles"), **data)

    return service_form_page(
        request,
        form_class=ProfileForm,
        form_kwargs={"initial": _profile_initial(person)},
        service=update,
        success_url=reverse("accounts:person_detail", args=[person.pk]),
        message=_("Saved."),
        title=_("Edit %(name)s") % {"name": person},
        cancel_url=reverse("accounts:person_detail", args=[person.pk]),
    )


def person_password(request: HttpRequest, pk: str) -> HttpResponse:
    person = get_managed_person_for_user(request.user, pk)

    def reset(form: PasswordResetForm) -> None:
        try:
            services.user_reset_password(actor=request.user, person=person, password=form.cleaned_data["password"])
        except ValidationError as exc:
            # The password rules speak of "new_password"; here the field is "password".
            if "new_password" in getattr(exc, "error_dict", {}):
                raise ValidationError({"password": exc.error_dict["new_password"]}) from None
            raise

    return service_form_page(
        request,
        form_class=PasswordResetForm,
        service=reset,
        success_url=reverse("accounts:person_detail", args=[person.pk]),
        message=_("The password of %(name)s has been reset.") % {"name": person},
        title=_("Reset the password of %(name)s") % {"name": person},
        cancel_url=reverse("accounts:person_detail", args=[person.pk]),
    )


@require_POST
def person_active(request: HttpRequest, pk: str) -> HttpResponse:
    person = get_person_for_user(request.user, pk, include_inactive=True)
    active = request.POST.get("active") == "1"
    service_action(request, services.user_set_active, _("Saved."), join=" ".join, person=person, active=active)
    return redirect("accounts:person_detail", pk=person.pk)


def person_move(request: HttpRequest, pk: str) -> HttpResponse:
    """Co-managers get the transfer request form; others move at once."""
    person = get_managed_person_for_user(request.user, pk)
    common = {
        "success_url": reverse("accounts:person_detail", args=[person.pk]),
        "form_kwargs": {"user": request.user},
        "cancel_url": reverse("accounts:person_detail", args=[person.pk]),
    }
    if person.has_role(RoleCode.COMANAGER):
        return service_form_page(
            request,
            form_class=TransferForm,
            service=lambda form: services.transfer_request(
                actor=request.user,
                person=person,
                to_institution=form.cleaned_data["institution"],
                reason=form.cleaned_data["reason"],
            ),
            message=_("The transfer request has been sent to the bureau for approval."),
            title=_("Request a transfer of %(name)s") % {"name": person},
            context={"intro": _("A co-manager moves to another institution only after the county bureau approves.")},
            **common,
        )
    return service_form_page(
        request,
        form_class=MoveForm,
        service=lambda form: services.user_move(
            actor=request.user, person=person, institution=form.cleaned_data["institution"]
        ),
        message=_("Saved."),
        title=_("Move %(name)s") % {"name": person},
        **common,
    )


def transfer_list(request: HttpRequest) -> HttpResponse:
    require(request.user, APPROVE_TRANSFERS)
    status = request.GET.get("status") or TransferStatus.PENDING
    transfers = transfers_filtered(request.user, status=status)
    page = page_for_request(request, transfers, ordering=["-created_at", "id"])
    return render(
        request,
        "accounts/transfer_list.html",
        {"page": page, "status": status, "statuses": TransferStatus.choices},
    )


def transfer_decide(request: HttpRequest, pk: str) -> HttpResponse:
    transfer = get_transfer_for_user(request.user, pk)
    require(request.user, APPROVE_TRANSFERS, transfer.from_institution.area.path)
    return service_form_page(
        request,
        form_class=DecideForm,
        service=lambda form: services.transfer_decide(
            actor=request.user,
            transfer=transfer,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["decision_note"],
        ),
        success_url=reverse("accounts:transfer_list"),
        message=_("Decision recorded."),
        template="accounts/transfer_decide.html",
        title=_("Decide"),
        cancel_url=reverse("accounts:transfer_list"),
        context={"transfer": transfer},
    )


@require_POST
def token_revoke(request: HttpRequest, pk: str, token_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    token = person.api_tokens.filter(pk=token_id).first()
    if token is not None:
        services.token_revoke(actor=request.user, token=token)
        messages.success(request, _("The API token has been revoked."))
    return redirect("accounts:person_detail", pk=person.pk)


# --- Sign-in locks (issue 17) -------------------------------------------------------


def lockout_list(request: HttpRequest) -> HttpResponse:
    """被锁定的登录: the locks in force on people of the administrator's area
    (and, for system administrators, on addresses), each with a release button."""
    require(request.user, MANAGE_PEOPLE)
    page = page_for_request(request, signin_locks_in_force(request.user), ordering=["-locked_at", "id"])
    return render(request, "accounts/lockout_list.html", {"page": page})


@require_POST
def lockout_release(request: HttpRequest, pk: str) -> HttpResponse:
    lock = get_signin_lock_for_user(request.user, pk)
    message = _("The lock on %(lock)s has been released.") % {"lock": lock}
    service_action(request, services.signin_lock_release, message, join=" ".join, lock=lock)
    return redirect("accounts:lockout_list")


# --- Two-step sign-in --------------------------------------------------------------


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: a code from the app, or a backup code."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if not code_owed(request):
        return redirect(target or "core:home")
    return service_form_page(
        request,
        form_class=TwoFactorCodeForm,
        service=lambda form: otp_login(
            request, services.two_factor_verify(user=request.user, code=form.cleaned_data["code"])
        ),
        success_url=target or reverse("core:home"),
        template="accounts/two_factor_verify.html",
        context={"next": target},
    )


@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn two-step sign-in on (scan, confirm a code, keep the backup
    codes), make new backup codes, or turn it off with a current code."""
    user = request.user
    action = request.POST.get("action", "")
    form = TwoFactorCodeForm(request.POST if action in ("confirm", "codes", "off") else None)
    context: dict[str, Any] = {"form": form, "on": two_factor_on(user), "codes": None, "device": None}
    if request.method == "POST":
        try:
            if action == "start":
                context["device"] = services.two_factor_start(actor=user)
                context["form"] = TwoFactorCodeForm()
            elif action == "confirm" and form.is_valid():
                codes = services.two_factor_confirm(
                    actor=user, device_id=request.POST.get("device"), code=form.cleaned_data["code"]
                )
                otp_login(request, _confirmed_device(user))
                request.session[TWO_FACTOR_SESSION_KEY] = True
                context.update(on=True, codes=codes, form=TwoFactorCodeForm())
                messages.success(request, _("Two-step sign-in is on."))
            elif action == "confirm":
                context["device"] = _pending_device(user, request.POST.get("device"))
            elif action == "codes" and form.is_valid():
                context["codes"] = services.two_factor_backup_codes(actor=user, code=form.cleaned_data["code"])
                context["form"] = TwoFactorCodeForm()
            elif action == "off" and form.is_valid():
                services.two_factor_off(actor=user, person=user, code=form.cleaned_data["code"])
                request.session[TWO_FACTOR_SESSION_KEY] = False
                messages.success(request, _("Two-step sign-in is off."))
                return redirect("accounts:two_factor")
        except ValidationError as exc:
            add_service_errors(form, exc)
            if action == "confirm":
                context["device"] = _pending_device(user, request.POST.get("device"))
    if context["device"] is not None:
        context.update(_enrolment(context["device"]))
    context["codes_left"] = backup_codes_left(user) if context["on"] else 0
    return render(request, "accounts/two_factor.html", context)


def _pending_device(user: Any, device_id: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    try:
        return TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    except (ValueError, ValidationError):
        return None


def _confirmed_device(user: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.get(user=user, confirmed=True)


def _enrolment(device: Any) -> dict[str, Any]:
    """The QR code the app scans (SVG drawn here, no outside service) and the
    key typed by hand when the phone cannot scan."""
    import base64

    import segno

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return {
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111", light="#fff"),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


@require_POST
def person_two_factor_off(request: HttpRequest, pk: str) -> HttpResponse:
    """An administrator turns a person's two-step sign-in off (a lost phone)."""
    person = get_person_for_user(request.user, pk)
    message = _("Two-step sign-in is off for %(name)s.") % {"name": person.full_name}
    service_action(request, services.two_factor_off, message, join=" ".join, person=person)
    return redirect("accounts:person_detail", pk=person.pk)
