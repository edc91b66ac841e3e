"""Pages for publicity records (SPEC §7): list, record, read, what is due."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xieguan.accounts.permissions import MANAGE_TRAINING, RECORD_OUTREACH, can, require
from xieguan.accounts.selectors import get_person_for_user
from xieguan.core.audit import client_ip
from xieguan.core.form_pages import service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import private_image_response
from xieguan.core.scope import get_object_for_user
from xieguan.outreach import services
from xieguan.outreach.forms import (
    AttendanceForm,
    GuestAttendanceForm,
    GuestSignInForm,
    OutreachFilterForm,
    OutreachRecordForm,
    PhotoForm,
    TrainingEditForm,
    TrainingFilterForm,
    TrainingForm,
)
from xieguan.outreach.models import Attendance, OutreachForm, OutreachPhoto, Training
from xieguan.outreach.selectors import (
    MINIMUM_HOURS,
    attendances_of,
    comanager_hours,
    get_outreach_for_user,
    get_training_for_user,
    outreach_filtered,
    publicity_due,
    trainings_filtered,
)
from xieguan.units.selectors import get_unit_for_user

ORDERING = ["-date", "-id"]


def _clean_filters(form: Any) -> dict[str, Any]:
    """The valid filters; an invalid one is dropped (and shown as such)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


def outreach_list(request: HttpRequest) -> HttpResponse:
    """Publicity records in the user's area, newest first, filtered."""
    filters = OutreachFilterForm(request.GET or None, user=request.user)
    qs = outreach_filtered(request.user, **_clean_filters(filters))
    return render(
        request,
        "outreach/list.html",
        {
            "page": page_for_request(request, qs, ordering=ORDERING),
            "filters": filters,
            "can_record": can(request.user, RECORD_OUTREACH),
        },
    )


def outreach_create(request: HttpRequest) -> HttpResponse:
    require(request.user, RECORD_OUTREACH)
    initial: dict[str, Any] = {"date": timezone.localdate()}
    preset = request.GET.get("unit")
    if preset:
        unit = get_unit_for_user(request.user, preset)
        initial.update({"unit": unit, "form": OutreachForm.GUIDANCE, "area": unit.area, "place": unit.address})
    return _record_form(
        request,
        initial=initial,
        save=lambda data: services.outreach_create(actor=request.user, **data),
        title=_("Record publicity"),
        cancel_url=reverse("outreach:list"),
    )


def outreach_edit(request: HttpRequest, pk: str) -> HttpResponse:
    record = get_outreach_for_user(request.user, pk)
    require(request.user, RECORD_OUTREACH, record.area.path)
    return _record_form(
        request,
        initial=OutreachRecordForm.initial_for(record),
        save=lambda data: services.outreach_update(actor=request.user, record=record, **data),
        title=_("Correct the record"),
        cancel_url=reverse("outreach:detail", args=[record.pk]),
    )


def _record_form(request: HttpRequest, *, initial: dict[str, Any], save: Any, title: str, cancel_url: str) -> Any:
    """Record a new publicity activity, or correct one: the same form."""
    return service_form_page(
        request,
        form_class=OutreachRecordForm,
        form_kwargs={"user": request.user, "initial": initial},
        service=lambda form: save(form.cleaned_data),
        success_url=lambda saved: reverse("outreach:detail", args=[saved.pk]),
        message=_("Publicity record saved."),
        title=title,
        cancel_url=cancel_url,
        context={"crumb": (reverse("outreach:list"), _("Publicity"))},
    )


@require_http_methods(["GET", "POST"])
def outreach_delete(request: HttpRequest, pk: str) -> HttpResponse:
    """Ask, then delete a record made by mistake (the audit log keeps it)."""
    record = get_outreach_for_user(request.user, pk)
    require(request.user, RECORD_OUTREACH, record.area.path)
    if request.method == "POST":
        services.outreach_delete(actor=request.user, record=record)
        messages.success(request, _("Publicity record deleted."))
        return redirect("outreach:list")
    return render(
        request, "outreach/confirm_delete.html", {"what": record, "back": reverse("outreach:detail", args=[record.pk])}
    )


@require_http_methods(["GET", "POST"])
def outreach_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The record, its photos, and (for those who may) a photo upload."""
    record = get_outreach_for_user(request.user, pk)
    may_add = can(request.user, RECORD_OUTREACH)
    form = PhotoForm(request.POST or None, request.FILES or None) if may_add else None
    if request.method == "POST":
        require(request.user, RECORD_OUTREACH, record.area.path)
        if form is not None and form.is_valid():
            try:
                _photo, created = services.outreach_photo_add(
                    actor=request.user, outreach=record, upload=form.cleaned_data["image"], fix=form.photo_fix()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Photo added.") if created else _("This photo was already added."))
                return redirect("outreach:detail", pk=record.pk)
    photos = record.photos.order_by("created_at", "id")
    may_change = can(request.user, RECORD_OUTREACH)
    return render(
        request, "outreach/detail.html", {"record": record, "form": form, "photos": photos, "may_change": may_change}
    )


def outreach_photo(request: HttpRequest, pk: str) -> FileResponse:
    """A photo, only for users who may see its record (no public media URL)."""
    photo = get_object_for_user(OutreachPhoto, request.user, pk)
    return private_image_response(photo.image, name=_("Outreach photo"))


def outreach_due(request: HttpRequest) -> HttpResponse:
    """Each township's publicity and training per quarter and its
    co-managers' hours: done, due or overdue."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = max(2000, min(year, today.year + 1))
    rows = publicity_due(request.user, year=year, today=today)
    return render(request, "outreach/due.html", {"rows": rows, "year": year, "quarters": [1, 2, 3, 4]})


def training_list(request: HttpRequest) -> HttpResponse:
    """Trainings held in the user's area, newest first, filtered."""
    filters = TrainingFilterForm(request.GET or None, user=request.user)
    qs = trainings_filtered(request.user, **_clean_filters(filters))
    return render(
        request,
        "outreach/training_list.html",
        {
            "page": page_for_request(request, qs, ordering=ORDERING),
            "filters": filters,
            "can_manage": can(request.user, MANAGE_TRAINING),
        },
    )


def training_edit(request: HttpRequest, pk: str) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    require(request.user, MANAGE_TRAINING, training.area.path)
    return _training_form(
        request,
        form_class=TrainingEditForm,
        form_kwargs={"initial": {name: getattr(training, name) for name in TrainingEditForm.base_fields}},
        save=lambda data: services.training_update(actor=request.user, training=training, **data),
        title=_("Correct the training"),
        cancel_url=reverse("outreach:training_detail", args=[training.pk]),
    )


def _training_form(request: HttpRequest, *, save: Any, **page: Any) -> HttpResponse:
    """Record a training, or correct one: the same page."""
    return service_form_page(
        request,
        service=lambda form: save(form.cleaned_data),
        success_url=lambda training: reverse("outreach:training_detail", args=[training.pk]),
        message=_("Training saved."),
        context={"crumb": (reverse("outreach:training_list"), _("Training"))},
        **page,
    )


@require_http_methods(["GET", "POST"])
def training_delete(request: HttpRequest, pk: str) -> HttpResponse:
    training = get_training_for_user(request.user, pk)
    require(request.user, MANAGE_TRAINING, training.area.path)
    error = None
    if request.method == "POST":
        try:
            services.training_delete(actor=request.user, training=training)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Training deleted."))
            return redirect("outreach:training_list")
    return render(
        request,
        "outreach/confirm_delete.html",
        {"what": training, "back": reverse("outreach:training_detail", args=[training.pk]), "error": error},
    )


def training_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_TRAINING)
    return _training_form(
        request,
        form_class=TrainingForm,
        form_kwargs={"user": request.user, "initial": {"date": timezone.localdate()}},
        save=lambda data: services.training_create(actor=request.user, **data),
        title=_("Record a training"),
        cancel_url=reverse("outreach:training_list"),
    )


@require_http_methods(["GET", "POST"])
def training_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The training, its attendees, the trainer's register form and the QR
    code people scan to sign themselves in."""
    training = get_training_for_user(request.user, pk)
    may_manage = can(request.user, MANAGE_TRAINING)
    form = AttendanceForm(request.POST or None, user=request.user, training=training) if may_manage else None
    if request.method == "POST":
        require(request.user, MANAGE_TRAINING, training.area.path)
        if form is not None and form.is_valid():
            try:
                _attendance, created = services.attendance_register(
                    actor=request.user, training=training, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                person = form.cleaned_data["person"]
                name = person.full_name or person.username
                if created:
                    messages.success(request, _("%(name)s is registered.") % {"name": name})
                else:
                    messages.info(request, _("%(name)s was already registered.") % {"name": name})
                return redirect("outreach:training_detail", pk=training.pk)
    attendances = training.attendances.for_list().order_by("signed_at", "id")
    qr = link = None
    if may_manage:
        link = request.build_absolute_uri(
            reverse("outreach:training_sign_in", args=[training.pk, training.sign_in_token])
        )
        qr = mark_safe(segno.make(link, error="m").svg_inline(scale=4))  # noqa: S308 - our own SVG
    return render(
        request,
        "outreach/training_detail.html",
        {
            "training": training,
            "attendances": attendances,
            "form": form,
            "guest_form": GuestAttendanceForm(user=request.user, training=training) if may_manage else None,
            "qr": qr,
            "sign_in_link": link,
            "sign_in_open": training.sign_in_open(timezone.localdate()),
        },
    )


def training_guest(request: HttpRequest, pk: str) -> HttpResponse:
    """The trainer registers someone without an account (a school doctor, a
    water plant's staff): name, workplace or unit, phone."""
    training = get_training_for_user(request.user, pk)
    require(request.user, MANAGE_TRAINING, training.area.path)
    detail = reverse("outreach:training_detail", args=[training.pk])

    def message(result: tuple[Attendance, bool]) -> str:
        attendance, created = result
        text = _("%(name)s is registered.") if created else _("%(name)s was already registered.")
        return text % {"name": attendance.name}

    return service_form_page(
        request,
        form_class=GuestAttendanceForm,
        form_kwargs={"user": request.user, "training": training},
        service=lambda form: services.attendance_register_guest(
            actor=request.user, training=training, **form.cleaned_data
        ),
        success_url=detail,
        message=message,
        title=_("Register an attendee without an account"),
        cancel_url=detail,
        context={"crumb": (detail, training.topic)},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def training_sign_in(request: HttpRequest, pk: str, token: str) -> HttpResponse:
    """Where the QR code leads: a signed-in person confirms and is signed in;
    someone without an account signs in with their name, workplace and phone.
    Whoever holds the token may open it; a wrong token is "not found"."""
    try:
        training = Training.objects.select_related("area").get(pk=pk, sign_in_token=token)
    except (Training.DoesNotExist, ValidationError, ValueError):
        # A wrong token is "not found", like a training that does not exist.
        raise Http404 from None
    error = None
    guest_form = None if request.user.is_authenticated else GuestSignInForm(request.POST or None)
    if request.method == "POST" and guest_form is None:
        try:
            _attendance, created = services.attendance_sign_in(actor=request.user, training=training, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("You are signed in.") if created else _("You were already signed in."))
            return redirect("outreach:hours_person", pk=request.user.pk)
    elif request.method == "POST" and guest_form is not None and guest_form.is_valid():
        try:
            attendance, created = services.attendance_sign_in_guest(
                training=training, token=token, address=client_ip(request), **guest_form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(guest_form, exc)
        else:
            text = _("%(name)s, you are signed in.") if created else _("%(name)s, you were already signed in.")
            messages.success(request, text % {"name": attendance.name})
            return redirect(request.path)
    return render(
        request,
        "outreach/training_sign_in.html",
        {
            "training": training,
            "error": error,
            "form": guest_form,
            "sign_in_open": training.sign_in_open(timezone.localdate()),
        },
    )


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    return max(2000, min(year, today.year + 1))


def hours_list(request: HttpRequest) -> HttpResponse:
    """Each co-manager in scope: training hours this year against 20."""
    year = _year(request)
    people = comanager_hours(request.user, year=year)
    return render(request, "outreach/hours_list.html", {"people": people, "year": year, "minimum": MINIMUM_HOURS})


def hours_person(request: HttpRequest, pk: str) -> HttpResponse:
    """One person's trainings in a year: the sessions behind their hours."""
    person = get_person_for_user(request.user, pk)
    year = _year(request)
    attendances = attendances_of(person, year=year)
    total = sum((a.training.hours for a in attendances), Decimal(0))
    return render(
        request,
        "outreach/hours_person.html",
        {"person": person, "attendances": attendances, "year": year, "total": total, "minimum": MINIMUM_HOURS},
    )
