"""Pages for complaints (SPEC §6): the public page and tracking (no login),
and the staff's list, registration and case page."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xieguan.accounts.permissions import HANDLE_COMPLAINT, REGISTER_COMPLAINT, can, require
from xieguan.areas.models import Area, Level
from xieguan.complaints import services
from xieguan.complaints.forms import (
    AddInfoForm,
    ComplaintLinkForm,
    NoteForm,
    PublicComplaintForm,
    ReasonForm,
    ReopenForm,
    ReplyForm,
    ResultForm,
    StaffComplaintForm,
    TrackForm,
)
from xieguan.complaints.guard import captcha_new
from xieguan.complaints.models import Complaint, ComplaintPhoto, Status
from xieguan.complaints.selectors import (
    LIST_ORDERING,
    complaints_for_list,
    get_complaint_for_user,
    near_date,
    possible_duplicates,
    public_units,
    public_view,
    steps_of,
    urgency_of,
)
from xieguan.core.audit import client_ip
from xieguan.core.documents import download_name, xlsx_response
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import PreparedPhoto, prepare_photo, private_image_response
from xieguan.core.scope import get_object_for_user

TRACKED = "complaints_tracked"
FILED = "complaints_filed"
NEW_PIN = "complaints_new_pin"
PENDING_OWNER = "complaints_pending_owner"

if TYPE_CHECKING:
    from xieguan.accounts.models import User


# --- the public page ----------------------------------------------------------------


def _prepare_uploads(uploads: list[Any]) -> tuple[list[PreparedPhoto], dict[str, str]]:
    prepared: list[PreparedPhoto] = []
    errors: dict[str, str] = {}
    for upload in uploads[: services.MAX_PHOTOS + 1]:
        try:
            prepared.append(prepare_photo(upload, field="photos"))
        except ValidationError as exc:
            errors["photos"] = " ".join(exc.messages)
    if len(uploads) > services.MAX_PHOTOS:
        errors["photos"] = _("Send at most %(count)d photos.") % {"count": services.MAX_PHOTOS}
    return prepared, errors


def _pending_owner(request: HttpRequest) -> str:
    """Who may use the photos a form keeps: this browser session only (a
    random secret kept in the server-side session; the form itself carries
    only the kept records' ids)."""
    secret = request.session.get(PENDING_OWNER)
    if not secret:
        secret = secrets.token_urlsafe(32)
        request.session[PENDING_OWNER] = secret
    return services.pending_owner_key(secret)


def _keep_photos(
    request: HttpRequest,
    form: Any,
    *,
    kept: list[Any],
    uploaded: list[PreparedPhoto],
    actor: User | None = None,
) -> int:
    """After a refused send: keep the new photos that passed beside those
    already kept (at most MAX_PHOTOS in all) and put their ids in the form.
    Returns how many are kept."""
    room = max(services.MAX_PHOTOS - len(kept), 0)
    fresh = services.pending_uploads_keep(owner=_pending_owner(request), photos=uploaded[:room], actor=actor)
    data = form.data.copy()
    data["kept_photos"] = ",".join(str(p.pk) for p in [*kept, *fresh])
    form.data = data
    return len(kept) + len(fresh)


def _fresh_captcha(form: PublicComplaintForm) -> Any:
    """A new challenge in the form: a token is good once."""
    captcha = captcha_new()
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        data["captcha_token"] = captcha.token
        data["captcha_answer"] = ""
        form.data = data
    else:
        form.initial["captcha_token"] = captcha.token
    return captcha


def _service_errors(form: Any, exc: ValidationError) -> None:
    """The service judges the values: its verdict on a field replaces the form's own."""
    for field in exc.error_dict if hasattr(exc, "error_dict") else {}:
        if field in form.errors:
            del form.errors[field]
    add_service_errors(form, exc)


def _chosen_unit(form: Any) -> dict[str, Any]:
    """The unit the form came back with (id and name), for the unit search box."""
    chosen_unit = None
    if form.is_bound and form.data.get("unit"):
        try:
            chosen_unit = form.fields["unit"].queryset.filter(pk=form.data.get("unit")).values("id", "name").first()
        except (ValueError, ValidationError):
            chosen_unit = None
    return {"chosen_unit": chosen_unit, "chosen_list": [chosen_unit] if chosen_unit else []}


@login_not_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    """The public page: no login, anonymous by default. On any error the page
    comes back with everything typed, photos that passed kept (so they need
    not be picked again) and a new CAPTCHA."""
    form = PublicComplaintForm(request.POST or None, request.FILES or None, initial={"is_anonymous": True})
    status = 200
    kept_count = 0
    if request.method == "POST":
        form.is_valid()  # fills cleaned_data; the service judges the values
        data = getattr(form, "cleaned_data", {})
        kept = services.pending_uploads_for(owner=_pending_owner(request), ids=data.get("kept_photos") or "")
        uploaded, photo_errors = _prepare_uploads(request.FILES.getlist("photos"))
        photos = services.pending_upload_photos(kept) + uploaded
        try:
            filed = services.complaint_file_public(
                ip=client_ip(request),
                captcha_token=data.get("captcha_token") or "",
                captcha_answer=data.get("captcha_answer") or "",
                photos=photos,
                photo_errors=photo_errors,
                **form.service_data(),
            )
        except services.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            _service_errors(form, exc)
            status = 400
        else:
            services.pending_uploads_discard(uploads=kept, note=_("attached to the complaint"))
            request.session[FILED] = {"receipt": filed.complaint.receipt_display, "pin": filed.pin}
            request.session[TRACKED] = str(filed.complaint.pk)
            return redirect("complaints:filed")
        if photos:
            kept_count = _keep_photos(request, form, kept=kept, uploaded=uploaded)
    captcha = _fresh_captcha(form)
    return render(
        request,
        "complaints/public_new.html",
        {
            "form": form,
            "captcha": captcha,
            "kept_count": kept_count,
            **_chosen_unit(form),
        },
        status=status,
    )


@login_not_required
def complaint_filed(request: HttpRequest) -> HttpResponse:
    """The receipt and PIN, shown once."""
    filed = request.session.pop(FILED, None)
    if not filed:
        return redirect("complaints:track")
    return render(request, "complaints/public_filed.html", {"filed": filed})


@login_not_required
def public_villages(request: HttpRequest) -> HttpResponse:
    """<option>s of a township's villages for the public page (htmx)."""
    villages = Area.objects.none()
    township_id = request.GET.get("township")
    if township_id:
        try:
            villages = Area.objects.active().filter(level=Level.VILLAGE, parent_id=township_id).in_code_order()
            list(villages)
        except (ValueError, ValidationError):
            villages = Area.objects.none()
    return render(request, "complaints/_village_options.html", {"villages": villages})


@login_not_required
def public_unit_search(request: HttpRequest) -> HttpResponse:
    """Names of registered units in the chosen township (htmx): names only."""
    township = None
    township_id = request.GET.get("township")
    if township_id:
        try:
            township = Area.objects.active().filter(level=Level.TOWNSHIP, pk=township_id).first()
        except (ValueError, ValidationError):
            township = None
    units = public_units(township, request.GET.get("unit_q", ""))
    return render(
        request,
        "complaints/_unit_results.html",
        {"units": units, "searched": bool(request.GET.get("unit_q")), "township": township},
    )


# --- tracking -----------------------------------------------------------------------


def _tracked(request: HttpRequest) -> Complaint | None:
    pk = request.session.get(TRACKED)
    if not pk:
        return None
    return Complaint.objects.select_related("area", "duplicate_of").filter(pk=pk).first()


@login_not_required
@require_http_methods(["GET", "POST"])
def complaint_track(request: HttpRequest) -> HttpResponse:
    """Receipt + PIN → the case (wrong PINs rate-limited per address and receipt)."""
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_by_receipt(
                ip=client_ip(request), receipt=form.cleaned_data["receipt"], pin=form.cleaned_data["pin"]
            )
        except services.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            request.session.cycle_key()
            request.session[TRACKED] = str(complaint.pk)
            return redirect("complaints:track_status")
    return render(request, "complaints/public_track.html", {"form": form}, status=status)


def _status_page(
    request: HttpRequest, complaint: Complaint, *, info: AddInfoForm, reopen: ReopenForm, status: int = 200
) -> HttpResponse:
    context = public_view(complaint)
    context.update(info_form=info, reopen_form=reopen)
    return render(request, "complaints/public_status.html", context, status=status)


@login_not_required
def complaint_track_status(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    if complaint is None:
        return redirect("complaints:track")
    return _status_page(request, complaint, info=AddInfoForm(), reopen=ReopenForm())


@login_not_required
@require_POST
def complaint_track_add(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    if complaint is None:
        return redirect("complaints:track")
    form = AddInfoForm(request.POST, request.FILES)
    form.is_valid()
    photos, photo_errors = _prepare_uploads(request.FILES.getlist("photos"))
    try:
        if photo_errors:
            raise ValidationError(photo_errors)
        services.complaint_add_info(complaint=complaint, text=form.cleaned_data.get("text", ""), photos=photos)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _status_page(request, complaint, info=form, reopen=ReopenForm(), status=400)
    messages.success(request, _("Your information has been added."))
    return redirect("complaints:track_status")


@login_not_required
@require_POST
def complaint_track_reopen(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    if complaint is None:
        return redirect("complaints:track")
    form = ReopenForm(request.POST)
    form.is_valid()
    try:
        services.complaint_reopen(complaint=complaint, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _status_page(request, complaint, info=AddInfoForm(), reopen=form, status=400)
    messages.success(request, _("The complaint is reopened and goes back to those handling it."))
    return redirect("complaints:track_status")


# --- staff --------------------------------------------------------------------------


def complaint_list(request: HttpRequest) -> HttpResponse:
    """Complaints in the user's area, past and near deadlines first."""
    today = timezone.localdate()
    status = request.GET.get("status", "open")
    q = request.GET.get("q", "").strip()[:50]
    qs = complaints_for_list(request.user, status=status, today=today, q=q)
    page = page_for_request(request, qs, ordering=LIST_ORDERING)
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": Status.choices,
            "can_register": can(request.user, REGISTER_COMPLAINT),
            "can_configure": can(request.user, "configure_complaints"),
        },
    )


def complaint_export(request: HttpRequest) -> HttpResponse:
    """The list as Excel: never the complainant (SPEC §6)."""
    return complaint_export_response(request.user, status=request.GET.get("status", ""))


def complaint_export_response(user: Any, *, status: str) -> HttpResponse:
    """The complaints ``user`` may see (one ``status``, "open", or all) as
    Excel, as the list page and the API download them; never the complainant."""
    today = timezone.localdate()
    qs = complaints_for_list(user, status=status, today=today).order_by(*LIST_ORDERING)
    headers = [
        _("Receipt code"),
        _("Registered at"),
        _("Channel"),
        _("Township"),
        _("Unit"),
        _("Category"),
        _("What happened"),
        _("Status"),
        _("Deadline"),
        _("Handled by"),
        _("Result"),
        _("Reply"),
    ]

    def rows() -> Any:
        for c in qs.iterator(chunk_size=500):
            yield [
                c.receipt_display,
                timezone.localtime(c.registered_at),
                c.get_channel_display(),
                c.area.name,
                c.unit.name if c.unit_id else c.unit_name,
                c.get_category_display(),
                c.content,
                c.get_status_display(),
                c.due_on,
                c.handler_institution.name if c.handler_institution_id else "",
                c.result,
                c.reply,
            ]

    return xlsx_response(
        download_name(_("Complaints and reports"), today, ext="xlsx"),
        headers,
        rows(),
        sheet=_("Complaints"),
        widths=[12, 18, 10, 10, 20, 14, 40, 14, 12, 20, 30, 30],
    )


@require_http_methods(["GET", "POST"])
def complaint_register(request: HttpRequest) -> HttpResponse:
    """A complaint taken by phone, visit, letter or hotline."""
    require(request.user, REGISTER_COMPLAINT)
    form = StaffComplaintForm(request.POST or None, request.FILES or None, user=request.user)
    kept_count = 0
    if request.method == "POST":
        form.is_valid()
        kept = services.pending_uploads_for(
            owner=_pending_owner(request), ids=form.cleaned_data.get("kept_photos") or ""
        )
        uploaded, photo_errors = _prepare_uploads(request.FILES.getlist("photos"))
        photos = services.pending_upload_photos(kept) + uploaded
        try:
            filed, complaint, _created = services.complaint_register(
                actor=request.user,
                channel=form.cleaned_data.get("channel") or "",
                id=form.cleaned_data.get("id"),
                photos=photos,
                photo_errors=photo_errors,
                **form.service_data(),
            )
        except ValidationError as exc:
            _service_errors(form, exc)
            if photos:
                kept_count = _keep_photos(request, form, kept=kept, uploaded=uploaded, actor=request.user)
        else:
            services.pending_uploads_discard(uploads=kept, actor=request.user, note=_("attached to the complaint"))
            if filed is not None:
                # Kept in the server-side session (not a message cookie) and shown once.
                request.session[NEW_PIN] = {"pk": str(complaint.pk), "pin": filed.pin}
            return redirect("complaints:detail", pk=complaint.pk)
    return render(
        request,
        "complaints/register.html",
        {
            "form": form,
            **_chosen_unit(form),
            "kept_count": kept_count,
        },
    )


def complaint_unit_search(request: HttpRequest) -> HttpResponse:
    """The staff form's unit search: units of the chosen township in scope."""
    township = None
    township_id = request.GET.get("township")
    if township_id:
        try:
            township = Area.objects.visible_to(request.user).filter(level=Level.TOWNSHIP, pk=township_id).first()
        except (ValueError, ValidationError):
            township = None
    units = public_units(township, request.GET.get("unit_q", ""))
    return render(
        request,
        "complaints/_unit_results.html",
        {"units": units, "searched": bool(request.GET.get("unit_q")), "township": township},
    )


def complaint_villages(request: HttpRequest) -> HttpResponse:
    villages = Area.objects.none()
    township_id = request.GET.get("township")
    if township_id:
        try:
            villages = Area.objects.visible_to(request.user).active().filter(level=Level.VILLAGE, parent_id=township_id)
            villages = villages.in_code_order()
            list(villages)
        except (ValueError, ValidationError):
            villages = Area.objects.none()
    return render(request, "complaints/_village_options.html", {"villages": villages})


def _detail(request: HttpRequest, complaint: Complaint, forms: dict[str, Any] | None = None, status: int = 200) -> Any:
    today = timezone.localdate()
    user = request.user
    handler = services.is_handler(user, complaint)
    may_handle = can(user, HANDLE_COMPLAINT)
    in_charge = handler or (
        complaint.handler_institution_id is not None
        and getattr(user, "institution_id", None) == complaint.handler_institution_id
    )
    forms = {
        "not_accept": ReasonForm(prefix="na"),
        "transfer": NoteForm(prefix="tr"),
        "result": ResultForm(prefix="rs"),
        "reply": ReplyForm(prefix="rp"),
        **(forms or {}),
    }
    may_link = services.may_link(user, complaint)
    if may_link and "link" not in forms:
        initial = {"unit": complaint.unit_id, "inspection": complaint.inspection_id, "opinion": complaint.opinion_id}
        forms["link"] = ComplaintLinkForm(user=user, complaint=complaint, prefix="ln", initial=initial)
    contact = services.complaint_contact_for(actor=user, complaint=complaint)
    duplicates = possible_duplicates(user, complaint) if complaint.status == Status.REGISTERED else []
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "contact": contact,
            "steps": steps_of(complaint),
            "photos": list(complaint.photos.order_by("created_at", "id")),
            "duplicates": duplicates,
            "urgency": urgency_of(complaint, today=today, near=near_date(user, today)),
            "may_accept": may_handle and complaint.status == Status.REGISTERED,
            "may_transfer": may_handle and in_charge and complaint.status == Status.ACCEPTED,
            "may_result": may_handle and in_charge and complaint.status in (Status.ACCEPTED, Status.TRANSFERRED),
            "may_reply": may_handle and in_charge and complaint.status == Status.RESULT,
            "may_archive": may_handle
            and in_charge
            and complaint.status in (Status.REPLIED, Status.NOT_ACCEPTED, Status.DUPLICATE),
            "forms": forms,
            "may_link": may_link,
            "is_handler": handler,
        },
        status=status,
    )


def complaint_detail(request: HttpRequest, pk: str) -> HttpResponse:
    complaint = get_complaint_for_user(request.user, pk)
    new_pin = request.session.get(NEW_PIN)
    if new_pin and new_pin.get("pk") == str(complaint.pk):
        del request.session[NEW_PIN]
        messages.success(
            request,
            _("Complaint registered. Tell the complainant the receipt code %(receipt)s and the PIN %(pin)s.")
            % {"receipt": complaint.receipt_display, "pin": new_pin["pin"]},
        )
    return _detail(request, complaint)


ACTIONS = {
    "accept": (None, None),
    "not-accept": (ReasonForm, "na"),
    "transfer": (NoteForm, "tr"),
    "result": (ResultForm, "rs"),
    "reply": (ReplyForm, "rp"),
    "archive": (None, None),
    "link": (None, None),
}
FORM_KEYS = {"not-accept": "not_accept", "transfer": "transfer", "result": "result", "reply": "reply"}


@require_POST
def complaint_action(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    """One step of the flow; on a refusal the page comes back with the text kept."""
    complaint = get_complaint_for_user(request.user, pk)
    if action not in ACTIONS:
        return redirect("complaints:detail", pk=complaint.pk)
    form_class, prefix = ACTIONS[action]
    form = form_class(request.POST, prefix=prefix) if form_class is not None else None
    if form is not None:
        form.is_valid()
    data = form.cleaned_data if form is not None else {}
    actor = request.user
    try:
        if action == "accept":
            services.complaint_accept(actor=actor, complaint=complaint)
            done = _("Complaint accepted; you are handling it.")
        elif action == "not-accept":
            services.complaint_not_accept(actor=actor, complaint=complaint, reason=data.get("reason", ""))
            done = _("Complaint not accepted; the complainant sees the reason.")
        elif action == "transfer":
            services.complaint_transfer(actor=actor, complaint=complaint, note=data.get("note", ""))
            done = _("Complaint transferred to the county institute.")
        elif action == "result":
            services.complaint_record_result(actor=actor, complaint=complaint, result=data.get("result", ""))
            done = _("Result recorded; reply to the complainant next.")
        elif action == "reply":
            services.complaint_reply(actor=actor, complaint=complaint, reply=data.get("reply", ""))
            done = _("Reply sent; the complainant sees it when tracking.")
        elif action == "archive":
            services.complaint_archive(actor=actor, complaint=complaint)
            done = _("Complaint archived.")
        else:
            original = get_object_for_user(Complaint, actor, request.POST.get("original"))
            services.complaint_link_duplicate(actor=actor, complaint=complaint, original=original)
            done = _("Linked as a duplicate; it is handled with the earlier complaint.")
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if form is not None:
            add_service_errors(form, exc)
            complaint.refresh_from_db()
            return _detail(request, complaint, {FORM_KEYS[action]: form}, status=400)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("complaints:detail", pk=complaint.pk)


@require_POST
def complaint_link(request: HttpRequest, pk: str) -> HttpResponse:
    """Tie the complaint to its unit and to the inspection record and opinion
    that settled it, so it reaches the unit's file; a refusal brings the
    page back with the choices kept and the reason on the field."""
    complaint = get_complaint_for_user(request.user, pk)
    if not services.may_link(request.user, complaint):
        raise PermissionDenied(_("Only those handling this complaint can do this."))
    form = ComplaintLinkForm(request.POST, user=request.user, complaint=complaint, prefix="ln")
    if form.is_valid():
        try:
            services.complaint_link(actor=request.user, complaint=complaint, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Links saved; the complaint shows in the unit's file."))
            return redirect("complaints:detail", pk=complaint.pk)
    complaint = get_complaint_for_user(request.user, pk)
    return _detail(request, complaint, {"link": form}, status=400)


def complaint_photo(request: HttpRequest, pk: str) -> FileResponse:
    """A photo, only for users who may see its complaint."""
    photo = get_object_for_user(ComplaintPhoto, request.user, pk)
    return private_image_response(photo.image, name=_("Complaint photo"))


def _county_of_user(user: Any) -> Area | None:
    from xieguan.complaints.selectors import _county_for_user

    return _county_for_user(user)


@require_http_methods(["GET", "POST"])
def complaint_settings(request: HttpRequest) -> HttpResponse:
    """The county's time limits and its calendar overrides (SPEC §6;
    STYLE.md: settings a county can change live in the database)."""
    from xieguan.accounts.permissions import CONFIGURE_COMPLAINTS
    from xieguan.complaints.forms import OverrideForm, SettingsForm
    from xieguan.complaints.models import CalendarOverride

    require(request.user, CONFIGURE_COMPLAINTS)
    county = _county_of_user(request.user)
    if county is None:
        raise PermissionDenied(_("Only a county's staff can change its complaint settings."))
    current = services.settings_for(county)
    initial = {name: getattr(current, name) for name in services.LIMIT_FIELDS}
    which = request.POST.get("form") if request.method == "POST" else None
    limits = SettingsForm(request.POST if which == "limits" else None, initial=initial, prefix="l")
    override = OverrideForm(request.POST if which == "override" else None, prefix="o")
    try:
        if which == "limits" and limits.is_valid():
            services.complaint_settings_update(actor=request.user, county=county, **limits.cleaned_data)
            messages.success(request, _("Time limits saved."))
            return redirect("complaints:settings")
        if which == "override" and override.is_valid():
            services.calendar_override_set(actor=request.user, county=county, **override.cleaned_data)
            messages.success(request, _("Calendar day saved."))
            return redirect("complaints:settings")
        if which == "delete":
            row = CalendarOverride.objects.filter(county=county, pk=request.POST.get("override")).first()
            if row is not None:
                services.calendar_override_delete(actor=request.user, override=row)
                messages.success(request, _("The day follows the national schedule again."))
            return redirect("complaints:settings")
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            add_service_errors(limits if which == "limits" else override, exc)
    rows = CalendarOverride.objects.filter(county=county, date__gte=timezone.localdate().replace(month=1, day=1))
    return render(
        request,
        "complaints/settings.html",
        {"county": county, "limits": limits, "override": override, "rows": rows.order_by("date")},
    )
