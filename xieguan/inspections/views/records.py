"""Pages of inspection records: the list, what is due, a record from start
to submit and correction, its photos, signatures and PDF."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from xieguan.accounts.models import User
from xieguan.accounts.permissions import RECORD_INSPECTION, can, require
from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import scope_root_for
from xieguan.core.display import join_clauses
from xieguan.core.documents import download_name, media_uri_if_stored, pdf_response
from xieguan.core.form_pages import service_action, service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import private_image_response
from xieguan.core.scope import get_object_for_user
from xieguan.inspections import selectors
from xieguan.inspections.forms import (
    CorrectionForm,
    InspectionDraftForm,
    InspectionStartForm,
    PeriodForm,
    PhotoForm,
    SignatureForm,
)
from xieguan.inspections.models import Inspection, Photo, Signature, SignerRole
from xieguan.inspections.services import evidence, records

ORDERING = ["-started_at", "-id"]


# ---------------------------------------------------------------- lists, due


def inspection_list(request: HttpRequest) -> HttpResponse:
    """Inspection records in the user's area, newest first."""
    # A township's areas are read one at a time (core.pagination's parts).
    parts = Inspection.objects.area_parts(request.user)
    qs = Inspection.objects.visible_in_parts(request.user, parts).for_list()
    status = request.GET.get("status")
    if status in ("draft", "submitted"):
        qs = qs.filter(status=status)
    page = page_for_request(request, qs, ordering=ORDERING, parts=parts)
    return render(
        request,
        "inspections/list.html",
        {"page": page, "can_record": can(request.user, RECORD_INSPECTION), "status": status or ""},
    )


def _due_area(request: HttpRequest) -> Area | None:
    """The area above township level the due list looks at: ``area`` if the
    user sees it, else the top of what they see (the first province for a
    superuser)."""
    areas = Area.objects.visible_to(request.user).filter(level__lt=Level.TOWNSHIP)
    if request.GET.get("area"):
        try:
            return areas.get(pk=request.GET["area"])
        except (Area.DoesNotExist, ValueError, ValidationError):
            raise Http404 from None
    return scope_root_for(request.user) or areas.filter(parent__isnull=True).in_code_order().first()


PATROL_STATES = ("done", "overdue", "due", "upcoming")


def _due_rows_html(rows: list[selectors.UnitPatrol], *, can_record: bool) -> SafeString:
    """The due page's unit rows, written in Python: a township lists a few
    hundred units, and the template's tags for each row (two addresses, an
    include, three dates) were most of the page's time. The state badges come
    from inspections/_state.html, rendered once a page; the same HTML as the
    template wrote."""
    badges = {s: render_to_string("inspections/_state.html", {"state": s}) for s in PATROL_STATES}
    words = {
        "unit": _("Unit"),
        "area": _("Area"),
        "frequency": _("Frequency"),
        "window": _("Window"),
        "state": _("State"),
        "key": _("key unit"),
        "inspect": _("Inspect"),
        "month": _("monthly"),
        "quarter": _("quarterly"),
    }
    create = reverse("inspections:create")
    html = []
    for r in rows:
        unit = r.unit
        key = format_html(' <span class="badge">{}</span>', words["key"]) if unit.is_key_unit else ""
        done_on = f" {r.done_on:%m-%d}" if r.done_on else ""
        inspect = (
            format_html('<a href="{}?unit={}">{}</a>', create, unit.pk, words["inspect"])
            if can_record and r.state != "done"
            else ""
        )
        html.append(
            format_html(
                '<tr>\n<td data-label="{}"><a href="{}">{}</a>{}</td>\n<td data-label="{}">{}</td>\n'
                '<td data-label="{}">{}</td>\n<td data-label="{}">{} – {}</td>\n'
                '<td data-label="{}">{}{}</td>\n<td data-label="">{}</td>\n</tr>',
                words["unit"],
                reverse("units:detail", args=[unit.pk]),
                unit.name,
                key,
                words["area"],
                unit.area.name,
                words["frequency"],
                words["month"] if r.frequency == "month" else words["quarter"],
                words["window"],
                f"{r.window_start:%m-%d}",
                f"{r.window_end:%m-%d}",
                words["state"],
                mark_safe(badges.get(r.state, badges["upcoming"])),  # noqa: S308 - rendered by a template
                done_on,
                inspect,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 - each row escaped by format_html


def patrol_due(request: HttpRequest) -> HttpResponse:
    """Due, done and overdue units in a month or quarter, and each township's
    巡查覆盖率; ``township`` narrows the unit list to one township. Above
    county level (a prefecture, a province) it lists the areas below with
    their coverage instead: a click goes down to a county's townships and
    units."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    this_year, this_month = selectors.current_month(request.user, today)  # the county's period, not the calendar's
    year = data.get("year") or this_year
    quarter = data.get("quarter")
    month = None if quarter else (data.get("month") or this_month)
    township = None
    if request.GET.get("township"):
        try:
            township = Area.objects.visible_to(request.user).get(pk=request.GET["township"], level=Level.TOWNSHIP)
        except (Area.DoesNotExist, ValueError, ValidationError):
            raise Http404 from None
    area = None if township is not None else _due_area(request)
    context: dict[str, Any] = {
        "year": year,
        "month": month,
        "quarter": quarter,
        "township": township,
        "area": area,
        "months": range(1, 13),
        "quarters": range(1, 5),
        "can_record": can(request.user, RECORD_INSPECTION),
    }
    if area is not None and area.level < Level.COUNTY:
        total, below, counted_at = selectors.coverage_below(
            request.user, area, year=year, month=month, quarter=quarter, today=today
        )
        return render(
            request, "inspections/due.html", {**context, "total": total, "below": below, "counted_at": counted_at}
        )
    within = area if area is not None and area.level == Level.COUNTY else None
    view = selectors.patrol_status(
        request.user,
        year=year,
        month=month,
        quarter=quarter,
        township=township,
        within=within,
        today=today,
        rows=False,
    )
    state = request.GET.get("state", "")
    rows, count = selectors.patrol_rows(view, state=state, limit=300)
    return render(
        request,
        "inspections/due.html",
        {
            **context,
            "view": view,
            "rows": rows,
            "rows_html": _due_rows_html(rows, can_record=context["can_record"]),
            "more_rows": max(0, count - len(rows)),
            "state": state,
        },
    )


# ---------------------------------------------------------------- record


def inspection_create(request: HttpRequest) -> HttpResponse:
    require(request.user, RECORD_INSPECTION)
    initial: dict[str, Any] = {"started_at": timezone.localtime().replace(second=0, microsecond=0)}
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    initial["inspectors"] = [request.user.pk]
    return service_form_page(
        request,
        form_class=InspectionStartForm,
        form_kwargs={"user": request.user, "initial": initial},
        service=lambda form: records.inspection_create(
            actor=request.user,
            id=_client_id(request),
            **{**form.cleaned_data, "inspectors": list(form.cleaned_data["inspectors"])},
        ),
        success_url=lambda inspection: reverse("inspections:detail", args=[inspection.pk]),
        message=_("Draft saved. Fill in the checklist, photos and signatures, then submit."),
        template="inspections/start.html",
        title=_("Record an inspection"),
        cancel_url=reverse("inspections:list"),
        context={"client_id": uuid.uuid4(), "crumb": (reverse("inspections:list"), _("Inspections"))},
    )


def _client_id(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def inspection_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """A record: read-only when submitted; on a draft, the whole form with
    "save draft" and "submit" — a refused submit keeps everything typed."""
    inspection = selectors.get_inspection_for_user(request.user, pk)
    detail = selectors.inspection_detail(inspection)
    may_edit = not inspection.is_locked and can(request.user, RECORD_INSPECTION)
    form = None
    submit_errors: dict[str, list[str]] = {}
    if may_edit:
        initial = {
            "inspectors": [u.pk for u in detail["inspectors"]],
            **{f: getattr(inspection, f) for f in records.DRAFT_FIELDS},
        }
        form = InspectionDraftForm(
            request.POST or None, user=request.user, inspection=inspection, answers=detail["answers"], initial=initial
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                records.inspection_save_draft(
                    actor=request.user,
                    inspection=inspection,
                    answers=form.answers_data(),
                    inspectors=list(data["inspectors"]),
                    **{f: data.get(f) for f in records.DRAFT_FIELDS},
                )
                if request.POST.get("action") == "submit":
                    records.inspection_submit(actor=request.user, inspection=inspection)
            except ValidationError as exc:
                add_service_errors(form, exc)
                if hasattr(exc, "error_dict"):
                    submit_errors = {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            else:
                if request.POST.get("action") == "submit":
                    messages.success(request, _("The inspection record is submitted and locked."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("inspections:detail", pk=inspection.pk)
        elif request.method == "POST":
            pass  # form errors are shown with what was typed
    elif request.method == "POST":
        raise PermissionDenied(_("This record has been submitted and is locked; make a correction to change it."))
    signers = []
    if may_edit:
        signed = {(s.role, s.user_id): s for s in detail["signatures"]}
        for person in detail["inspectors"]:
            signers.append({"role": SignerRole.INSPECTOR, "user": person, "done": signed.get(("inspector", person.pk))})
        signers.append({"role": SignerRole.REPRESENTATIVE, "user": None, "done": signed.get(("representative", None))})
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            **detail,
            "form": form,
            "submit_errors": submit_errors,
            "signers": signers,
            "photo_form": PhotoForm() if may_edit else None,
            "may_edit": may_edit,
            "may_record": can(request.user, RECORD_INSPECTION),
            "correction_form": CorrectionForm() if inspection.is_locked and not detail["newer"] else None,
        },
    )


@require_POST
def inspection_autosave(request: HttpRequest, pk: str) -> HttpResponse:
    """htmx: save the draft form as it is typed; answers a one-line status."""
    inspection = selectors.get_inspection_for_user(request.user, pk)
    if inspection.is_locked:
        return HttpResponse(_("This record is locked."), status=409)
    detail = selectors.inspection_detail(inspection)
    form = InspectionDraftForm(request.POST, user=request.user, inspection=inspection, answers=detail["answers"])
    if not form.is_valid():
        return HttpResponse(_("Not saved yet: correct the marked fields."))
    data = form.cleaned_data
    try:
        records.inspection_save_draft(
            actor=request.user,
            inspection=inspection,
            answers=form.answers_data(),
            inspectors=list(data["inspectors"]),
            **{f: data.get(f) for f in records.DRAFT_FIELDS},
        )
    except ValidationError as exc:
        return HttpResponse(_("Not saved yet: %(why)s") % {"why": join_clauses(exc.messages)})
    return HttpResponse(_("Draft saved at %(time)s") % {"time": timezone.localtime().strftime("%H:%M:%S")})


@require_POST
def inspection_photo_add(request: HttpRequest, pk: str) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        service_action(
            request,
            evidence.inspection_photo_add,
            lambda added: _("Photo added.") if added[1] else _("This photo was already added."),
            inspection=inspection,
            upload=form.cleaned_data["image"],
        )
    else:
        messages.error(request, _("Choose a photo first."))
    return redirect("inspections:detail", pk=inspection.pk)


@require_POST
def inspection_sign(request: HttpRequest, pk: str) -> HttpResponse:
    """A signature drawn on the phone (a canvas's PNG), uploaded as a photo,
    or the representative's refusal."""
    inspection = selectors.get_inspection_for_user(request.user, pk)
    form = SignatureForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The signature could not be read; try again."))
        return redirect("inspections:detail", pk=inspection.pk)
    data = form.cleaned_data
    signer = None
    if data["role"] == SignerRole.INSPECTOR:
        signer = User.objects.filter(pk=data["user"]).first() if data["user"] else None
    try:
        upload = data["image"]
        if upload is None and data["data_url"] and not data["refused"]:
            upload = evidence.decode_data_url(data["data_url"])
        evidence.signature_add(
            actor=request.user,
            inspection=inspection,
            role=data["role"],
            user=signer,
            name=data["name"],
            upload=upload,
            refused=data["refused"],
        )
    except ValidationError as exc:
        messages.error(request, join_clauses(exc.messages))
    else:
        messages.success(request, _("Refusal to sign recorded.") if data["refused"] else _("Signature saved."))
    return redirect("inspections:detail", pk=inspection.pk)


@require_POST
def inspection_correct(request: HttpRequest, pk: str) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(request.user, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        message = _("A new version has been made; the old one stays readable.")
        new = service_action(
            request, records.inspection_correct, message, inspection=inspection, reason=form.cleaned_data["reason"]
        )
        if new is not None:
            return redirect("inspections:detail", pk=new.pk)
    else:
        messages.error(request, _("Give the reason for the correction."))
    return redirect("inspections:detail", pk=inspection.pk)


def photo(request: HttpRequest, pk: str) -> FileResponse:
    """An evidence photo, only for users who may see its record."""
    found = get_object_for_user(Photo, request.user, pk)
    return private_image_response(found.image, name=pgettext("file name", "Inspection photo"))


def signature_image(request: HttpRequest, pk: str) -> FileResponse:
    try:
        found = Signature.objects.select_related("inspection__area").get(pk=pk)
    except (Signature.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    selectors.get_inspection_for_user(request.user, found.inspection_id)
    if not found.image:
        raise Http404
    return private_image_response(found.image, name=pgettext("file name", "Signature"))


def inspection_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """现场检查记录 as a PDF in the national layout."""
    inspection = selectors.get_inspection_for_user(request.user, pk)
    detail = selectors.inspection_detail(inspection)
    # A photo whose file has gone prints as a placeholder, not a failed PDF.
    images = {p.pk: media_uri_if_stored(p.image) for p in detail["photos"]}
    signs = {s.pk: media_uri_if_stored(s.image) for s in detail["signatures"] if s.image}
    return pdf_response(
        "inspections/pdf/inspection.html",
        {"inspection": inspection, **detail, "images": images, "signs": signs},
        download_name(
            pgettext("file name", "Inspection record"), inspection.unit.name, inspection.started_at, ext="pdf"
        ),
        request=request,
    )
