"""Pages for patrols and inspections (SPEC §4). Thin: parse, fetch through
scope, call the service, render or redirect."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xieguan.accounts.models import Institution, User
from xieguan.accounts.permissions import HANDLE_HANDOVER, MANAGE_CHECKLISTS, RECORD_INSPECTION, can, require
from xieguan.areas.models import Area, Level
from xieguan.core.documents import media_uri_if_stored, pdf_response, xlsx_response
from xieguan.core.form_pages import service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import private_image_response
from xieguan.core.scope import get_object_for_user
from xieguan.inspections import selectors, services
from xieguan.inspections.forms import (
    ChecklistItemsForm,
    ChecklistNewForm,
    CorrectionForm,
    FrequencyRuleForm,
    HandoverForm,
    InspectionDraftForm,
    InspectionStartForm,
    OpinionForm,
    OutcomeForm,
    PeriodForm,
    PhotoForm,
    PhraseForm,
    ReinspectionForm,
    SignatureForm,
)
from xieguan.inspections.models import (
    ChecklistStatus,
    ForbiddenPhrase,
    FrequencyRule,
    Handover,
    HandoverReason,
    HandoverStatus,
    Inspection,
    Photo,
    ReinspectionResult,
    Signature,
    SignerRole,
)
from xieguan.inspections.wording import find_forbidden, highlight
from xieguan.units.selectors import get_unit_for_user

ORDERING = ["-started_at", "-id"]


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


# ---------------------------------------------------------------- lists, due


def inspection_list(request: HttpRequest) -> HttpResponse:
    """Inspection records in the user's area, newest first."""
    qs = Inspection.objects.visible_to(request.user).for_list()
    status = request.GET.get("status")
    if status in ("draft", "submitted"):
        qs = qs.filter(status=status)
    page = page_for_request(request, qs, ordering=ORDERING)
    return render(
        request,
        "inspections/list.html",
        {"page": page, "can_record": can(request.user, RECORD_INSPECTION), "status": status or ""},
    )


def patrol_due(request: HttpRequest) -> HttpResponse:
    """Due, done and overdue units in a month or quarter, and each township's
    巡查覆盖率; ``township`` narrows the unit list to one township."""
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
    view = selectors.patrol_status(
        request.user, year=year, month=month, quarter=quarter, township=township, today=today
    )
    state = request.GET.get("state", "")
    rows = [r for r in view.rows if not state or r.state == state]
    return render(
        request,
        "inspections/due.html",
        {
            "view": view,
            "rows": rows[:300],
            "more_rows": max(0, len(rows) - 300),
            "year": year,
            "month": month,
            "quarter": quarter,
            "township": township,
            "state": state,
            "months": range(1, 13),
            "quarters": range(1, 5),
            "can_record": can(request.user, RECORD_INSPECTION),
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
        service=lambda form: services.inspection_create(
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
            **{f: getattr(inspection, f) for f in services.DRAFT_FIELDS},
        }
        form = InspectionDraftForm(
            request.POST or None, user=request.user, inspection=inspection, answers=detail["answers"], initial=initial
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.inspection_save_draft(
                    actor=request.user,
                    inspection=inspection,
                    answers=form.answers_data(),
                    inspectors=list(data["inspectors"]),
                    **{f: data.get(f) for f in services.DRAFT_FIELDS},
                )
                if request.POST.get("action") == "submit":
                    services.inspection_submit(actor=request.user, inspection=inspection)
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
        services.inspection_save_draft(
            actor=request.user,
            inspection=inspection,
            answers=form.answers_data(),
            inspectors=list(data["inspectors"]),
            **{f: data.get(f) for f in services.DRAFT_FIELDS},
        )
    except ValidationError as exc:
        return HttpResponse(_("Not saved yet: %(why)s") % {"why": "；".join(exc.messages)})
    return HttpResponse(_("Draft saved at %(time)s") % {"time": timezone.localtime().strftime("%H:%M:%S")})


@require_POST
def inspection_photo_add(request: HttpRequest, pk: str) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _photo, created = services.inspection_photo_add(
                actor=request.user, inspection=inspection, upload=form.cleaned_data["image"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("Photo added.") if created else _("This photo was already added."))
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
            upload = services.decode_data_url(data["data_url"])
        services.signature_add(
            actor=request.user,
            inspection=inspection,
            role=data["role"],
            user=signer,
            name=data["name"],
            upload=upload,
            refused=data["refused"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("Refusal to sign recorded.") if data["refused"] else _("Signature saved."))
    return redirect("inspections:detail", pk=inspection.pk)


@require_POST
def inspection_correct(request: HttpRequest, pk: str) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(request.user, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            new = services.inspection_correct(
                actor=request.user, inspection=inspection, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("A new version has been made; the old one stays readable."))
            return redirect("inspections:detail", pk=new.pk)
    else:
        messages.error(request, _("Give the reason for the correction."))
    return redirect("inspections:detail", pk=inspection.pk)


def photo(request: HttpRequest, pk: str) -> FileResponse:
    """An evidence photo, only for users who may see its record."""
    found = get_object_for_user(Photo, request.user, pk)
    return private_image_response(found.image)


def signature_image(request: HttpRequest, pk: str) -> FileResponse:
    try:
        found = Signature.objects.select_related("inspection__area").get(pk=pk)
    except (Signature.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    selectors.get_inspection_for_user(request.user, found.inspection_id)
    if not found.image:
        raise Http404
    return private_image_response(found.image)


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
        f"inspection-{inspection.started_at:%Y%m%d}.pdf",
        request=request,
    )


# ---------------------------------------------------------------- opinions


@require_http_methods(["GET", "POST"])
def opinion_create(request: HttpRequest, pk: str) -> HttpResponse:
    """Draft the 卫生监督意见书 from the non-conforming items; penalty wording
    is refused with the words marked in the text as typed."""
    inspection = selectors.get_inspection_for_user(request.user, pk)
    require(request.user, RECORD_INSPECTION, inspection.area.path)
    today = timezone.localdate()
    initial = {
        "id": uuid.uuid4(),
        "text": services.opinion_draft_text(inspection),
        "deadline": today + datetime.timedelta(days=15),
    }
    form = OpinionForm(request.POST or None, initial=initial)
    marked = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            opinion = services.opinion_issue(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            hits = find_forbidden(
                text,
                services.forbidden_phrases_for(services.county_of(inspection.area)),
            )
            if hits:
                marked = highlight(text, hits)
        else:
            messages.success(request, _("Opinion %(number)s issued.") % {"number": opinion.number})
            return redirect("inspections:opinion", pk=opinion.pk)
    context = {"inspection": inspection, "form": form, "marked": marked, "title": _("Supervision opinion")}
    context["cancel_url"] = reverse("inspections:detail", args=[inspection.pk])
    return render(request, "inspections/opinion_form.html", context)


def opinion_list(request: HttpRequest) -> HttpResponse:
    """Opinions awaiting re-inspection (due at their deadline), then all."""
    today = timezone.localdate()
    awaiting = list(selectors.opinions_awaiting_reinspection(request.user)[:200])
    for opinion in awaiting:
        opinion.state = "overdue" if opinion.deadline < today else ("due" if opinion.deadline == today else "upcoming")
    from xieguan.inspections.models import Opinion

    page = page_for_request(
        request, Opinion.objects.visible_to(request.user).for_list(), ordering=["-issued_at", "-id"]
    )
    return render(request, "inspections/opinion_list.html", {"awaiting": awaiting, "page": page, "today": today})


def opinion_detail(request: HttpRequest, pk: str) -> HttpResponse:
    opinion = selectors.get_opinion_for_user(request.user, pk)
    today = timezone.localdate()
    reinspections = list(opinion.reinspections.select_related("recorded_by").order_by("inspected_at"))
    return render(
        request,
        "inspections/opinion.html",
        {
            "opinion": opinion,
            "reinspections": reinspections,
            "due": not reinspections and opinion.deadline <= today,
            "may_record": can(request.user, RECORD_INSPECTION),
        },
    )


def opinion_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    opinion = selectors.get_opinion_for_user(request.user, pk)
    inspection = opinion.inspection
    bureau = Institution.objects.filter(area=opinion.county, type="bureau").first()
    return pdf_response(
        "inspections/pdf/opinion.html",
        {
            "opinion": opinion,
            "inspection": inspection,
            "unit": opinion.unit,
            "bureau": bureau,
            "inspectors": selectors.inspection_detail(inspection)["inspectors"],
        },
        f"opinion-{opinion.year}-{opinion.serial:04d}.pdf",
        request=request,
    )


# ---------------------------------------------------------------- re-inspections


def reinspection_create(request: HttpRequest, pk: str) -> HttpResponse:
    opinion = selectors.get_opinion_for_user(request.user, pk)
    require(request.user, RECORD_INSPECTION, opinion.area.path)
    return service_form_page(
        request,
        form_class=ReinspectionForm,
        form_kwargs={"user": request.user, "initial": {"id": uuid.uuid4(), "inspectors": [request.user.pk]}},
        service=lambda form: services.reinspection_record(
            actor=request.user,
            opinion=opinion,
            **{**form.cleaned_data, "inspectors": list(form.cleaned_data["inspectors"])},
        ),
        success_url=lambda record: reverse("inspections:reinspection", args=[record.pk]),
        message=_("Re-inspection recorded."),
        title=_("Record the re-inspection"),
        context={
            "crumb": (reverse("inspections:opinion", args=[opinion.pk]), opinion.number),
            "intro": f"{opinion.unit.name} · {_('deadline')} {opinion.deadline:%Y-%m-%d}",
        },
    )


@require_http_methods(["GET", "POST"])
def reinspection_detail(request: HttpRequest, pk: str) -> HttpResponse:
    record = selectors.get_reinspection_for_user(request.user, pk)
    may_record = can(request.user, RECORD_INSPECTION)
    form = PhotoForm(request.POST or None, request.FILES or None) if may_record else None
    if request.method == "POST":
        require(request.user, RECORD_INSPECTION, record.area.path)
        if form is not None and form.is_valid():
            try:
                _p, created = services.reinspection_photo_add(
                    actor=request.user, reinspection=record, upload=form.cleaned_data["image"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Photo added.") if created else _("This photo was already added."))
                return redirect("inspections:reinspection", pk=record.pk)
    handovers = Handover.objects.visible_to(request.user).filter(reinspection=record)
    return render(
        request,
        "inspections/reinspection.html",
        {
            "record": record,
            "inspectors": record.inspectors.order_by("username"),
            "photos": record.photos.order_by("created_at"),
            "form": form,
            "may_record": may_record,
            "handovers": list(handovers),
            "may_hand_over": may_record and record.result == ReinspectionResult.NOT_RECTIFIED and not handovers,
        },
    )


# ---------------------------------------------------------------- handovers


def handover_create(request: HttpRequest) -> HttpResponse:
    """Hand a case to the institute from a not-rectified re-inspection or
    from a record (refused, serious)."""
    require(request.user, RECORD_INSPECTION)
    source: dict[str, Any] = {}
    reason = HandoverReason.SERIOUS
    if request.GET.get("reinspection"):
        source["reinspection"] = selectors.get_reinspection_for_user(request.user, request.GET["reinspection"])
        reason = HandoverReason.NOT_RECTIFIED
    elif request.GET.get("inspection"):
        source["inspection"] = selectors.get_inspection_for_user(request.user, request.GET["inspection"])
    else:
        raise Http404
    return service_form_page(
        request,
        form_class=HandoverForm,
        form_kwargs={"initial": {"id": uuid.uuid4(), "reason": reason}},
        service=lambda form: services.handover_create(actor=request.user, **source, **form.cleaned_data),
        success_url=lambda handover: reverse("inspections:handover", args=[handover.pk]),
        message=_("The case has been handed over to the county institute."),
        template="inspections/handover_form.html",
        title=_("Hand over to the institute"),
    )


def handover_list(request: HttpRequest) -> HttpResponse:
    """The institute's inbox, or the township's cases: open first."""
    qs = Handover.objects.visible_to(request.user).for_list()
    status = request.GET.get("status", "")
    if status in HandoverStatus.values:
        qs = qs.filter(status=status)
    page = page_for_request(request, qs, ordering=["-sent_at", "-id"])
    return render(request, "inspections/handover_list.html", {"page": page, "status": status})


@require_http_methods(["GET", "POST"])
def handover_detail(request: HttpRequest, pk: str) -> HttpResponse:
    handover = selectors.get_handover_for_user(request.user, pk)
    may_handle = can(request.user, HANDLE_HANDOVER) and handover.status != HandoverStatus.CLOSED
    form = None
    if may_handle:
        form = OutcomeForm(request.POST or None, initial={"investigation": handover.investigation})
    if request.method == "POST":
        require(request.user, HANDLE_HANDOVER, handover.area.path)
        if form is not None and form.is_valid():
            try:
                services.handover_record(actor=request.user, handover=handover, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved; the township sees it."))
                return redirect("inspections:handover", pk=handover.pk)
    evidence = selectors.handover_evidence(handover, request.user)
    return render(request, "inspections/handover.html", {"handover": handover, "form": form, **evidence})


# ---------------------------------------------------------------- 巡查登记表


def patrol_register(request: HttpRequest) -> HttpResponse:
    """卫生监督协管巡查登记表 of an institution for a year or a month, as a
    page, Excel or PDF."""
    today = timezone.localdate()
    institutions = (
        Institution.objects.visible_to(request.user)
        .filter(type__in=["station", "institute"])
        .order_by("area__path", "name")
    )
    chosen = None
    if request.GET.get("institution"):
        chosen = get_object_for_user(institutions, request.user, request.GET["institution"])
    elif request.user.institution_id and institutions.filter(pk=request.user.institution_id).exists():
        chosen = request.user.institution
    year = _int(request.GET.get("year"), today.year, 2000, 2100)
    month = _int(request.GET.get("month"), 0, 0, 12) or None
    rows = selectors.patrol_register(request.user, institution=chosen, year=year, month=month) if chosen else []
    period = f"{year}年{month}月" if month else f"{year}年"
    title = _("Health supervision co-management patrol register")
    fmt = request.GET.get("format")
    if chosen and fmt == "xlsx":
        return xlsx_response(
            f"patrol-register-{year}{month or ''}.xlsx",
            selectors.patrol_register_headers(),
            (r.values() for r in rows),
            sheet=period,
            title=f"{title}（{chosen.name} {period}）",
            widths=selectors.PATROL_REGISTER_WIDTHS,
        )
    if chosen and fmt == "pdf":
        return pdf_response(
            "inspections/pdf/register.html",
            {"rows": rows, "institution": chosen, "period": period, "title": title},
            f"patrol-register-{year}{month or ''}.pdf",
            request=request,
        )
    return render(
        request,
        "inspections/register.html",
        {
            "rows": rows,
            "institutions": institutions,
            "chosen": chosen,
            "year": year,
            "month": month,
            "months": range(1, 13),
        },
    )


# ---------------------------------------------------------------- monthly plan


@require_http_methods(["GET", "POST"])
def monthly_plan(request: HttpRequest) -> HttpResponse:
    """The township's plan for this month: made from what is due, editable,
    with its completion."""
    today = timezone.localdate()
    this_year, this_month = selectors.current_month(request.user, today)  # the county's period, not the calendar's
    year = _int(request.GET.get("year"), this_year, 2000, 2100)
    month = _int(request.GET.get("month"), this_month, 1, 12)
    townships = list(Area.objects.visible_to(request.user).filter(level=Level.TOWNSHIP).order_by("code", "path"))
    township = None
    wanted = request.GET.get("township")
    for t in townships:
        if str(t.pk) == wanted or (not wanted and township is None):
            township = t
    if township is None:
        if wanted:
            raise Http404  # a township outside the user's area, as if it did not exist
        return render(request, "inspections/plan.html", {"plan": None, "townships": townships})
    from xieguan.inspections.models import MonthlyPlan

    plan = MonthlyPlan.objects.filter(township=township, year=year, month=month).first()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "prefill":
                due = selectors.patrol_status(request.user, year=year, month=month, township=township, today=today)
                units = [r.unit for r in due.rows if r.state != "done"]
                plan = services.plan_prefill(actor=request.user, township=township, year=year, month=month, units=units)
            elif plan is not None and action in ("add", "remove"):
                unit = get_unit_for_user(request.user, request.POST.get("unit"))
                if action == "add":
                    services.plan_item_add(actor=request.user, plan=plan, unit=unit)
                else:
                    services.plan_item_remove(actor=request.user, plan=plan, unit=unit)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(f"{request.path}?township={township.pk}&year={year}&month={month}")
    items = []
    done_count = 0
    if plan is not None:
        start, end = selectors.month_window(township, year, month)
        done_ids = set(
            Inspection.objects.filter(
                status="submitted", unit__in=plan.units.all(), started_at__date__gte=start, started_at__date__lte=end
            ).values_list("unit_id", flat=True)
        )
        for unit in plan.units.select_related("area").order_by("name"):
            items.append({"unit": unit, "done": unit.pk in done_ids})
        done_count = sum(1 for i in items if i["done"])
    from xieguan.units.models import Unit

    addable = (
        Unit.objects.visible_to(request.user)
        .filter(merged_into__isnull=True)
        .filter(area__path__startswith=township.path)
        .exclude(status="closed")
        .order_by("name")
        .only("id", "name")
        if plan is not None
        else []
    )
    return render(
        request,
        "inspections/plan.html",
        {
            "plan": plan,
            "items": items,
            "done_count": done_count,
            "township": township,
            "townships": townships,
            "year": year,
            "month": month,
            "addable": addable,
            "can_record": can(request.user, RECORD_INSPECTION),
        },
    )


# ---------------------------------------------------------------- county settings


def checklist_list(request: HttpRequest) -> HttpResponse:
    checklists = selectors.checklists_visible(request.user).order_by(
        "category__sort", "county", "subtype", "-version", "id"
    )
    return render(
        request,
        "inspections/checklist_list.html",
        {
            "checklists": checklists,
            "form": ChecklistNewForm() if can(request.user, MANAGE_CHECKLISTS) else None,
            "county": selectors.user_county(request.user),
        },
    )


@require_POST
def checklist_new(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_CHECKLISTS)
    county = selectors.user_county(request.user)
    form = ChecklistNewForm(request.POST)
    if county is None or not form.is_valid():
        messages.error(request, _("Choose a category."))
        return redirect("inspections:checklists")
    try:
        template = services.checklist_draft_create(actor=request.user, county=county, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("inspections:checklists")
    return redirect("inspections:checklist", pk=template.pk)


@require_http_methods(["GET", "POST"])
def checklist_detail(request: HttpRequest, pk: str) -> HttpResponse:
    template = selectors.get_checklist_for_user(request.user, pk)
    may_edit = (
        template.status == ChecklistStatus.DRAFT
        and template.county is not None
        and can(request.user, MANAGE_CHECKLISTS)
    )
    lines = "\n".join(f"{i.code} | {i.text} | {i.basis}" for i in template.items.all())
    form = (
        ChecklistItemsForm(request.POST or None, initial={"title": template.title, "items": lines})
        if may_edit
        else None
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("A published checklist cannot be changed; make a new version."))
        try:
            if request.POST.get("action") == "publish":
                services.checklist_publish(actor=request.user, template=template)
                messages.success(request, _("Published; new inspections use this version."))
                return redirect("inspections:checklist", pk=template.pk)
            if form is not None and form.is_valid():
                services.checklist_items_set(actor=request.user, template=template, **form.cleaned_data)
                messages.success(request, _("Draft saved."))
                return redirect("inspections:checklist", pk=template.pk)
        except ValidationError as exc:
            if form is not None:
                add_service_errors(form, exc)
            else:
                messages.error(request, "；".join(exc.messages))
    return render(
        request,
        "inspections/checklist.html",
        {"template": template, "items": template.items.all(), "form": form, "may_edit": may_edit},
    )


@require_http_methods(["GET", "POST"])
def county_settings(request: HttpRequest) -> HttpResponse:
    """The county's patrol frequencies and its penalty-wording list."""
    county = selectors.user_county(request.user)
    may_manage = (
        county is not None and can(request.user, MANAGE_CHECKLISTS) and county.path.startswith(_scope(request.user))
    )
    rule_form = FrequencyRuleForm(request.POST if request.POST.get("action") == "rule" else None)
    phrase_form = PhraseForm(request.POST if request.POST.get("action") == "phrase" else None)
    if request.method == "POST":
        if not may_manage or county is None:
            raise PermissionDenied(_("Your role does not allow this."))
        action = request.POST.get("action")
        try:
            if action == "rule" and rule_form.is_valid():
                services.frequency_rule_set(actor=request.user, county=county, **rule_form.cleaned_data)
                messages.success(request, _("Frequency saved."))
                return redirect("inspections:settings")
            if action == "phrase" and phrase_form.is_valid():
                services.forbidden_phrase_add(actor=request.user, county=county, **phrase_form.cleaned_data)
                messages.success(request, _("Phrase added."))
                return redirect("inspections:settings")
            if action == "delete_rule":
                rule = FrequencyRule.objects.visible_to(request.user).get(pk=request.POST.get("pk"))
                services.frequency_rule_delete(actor=request.user, rule=rule)
                return redirect("inspections:settings")
            if action == "delete_phrase":
                phrase = get_object_for_user(
                    ForbiddenPhrase.objects.filter(county=county), request.user, request.POST.get("pk")
                )
                services.forbidden_phrase_delete(actor=request.user, phrase=phrase)
                return redirect("inspections:settings")
        except (FrequencyRule.DoesNotExist, ForbiddenPhrase.DoesNotExist, ValueError):
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(rule_form if action == "rule" else phrase_form, exc)
    rules = FrequencyRule.objects.filter(county=county).select_related("category") if county else []
    phrases = ForbiddenPhrase.objects.filter(county__isnull=True) | (
        ForbiddenPhrase.objects.filter(county=county) if county else ForbiddenPhrase.objects.none()
    )
    return render(
        request,
        "inspections/settings.html",
        {
            "county": county,
            "rules": rules,
            "phrases": phrases.order_by("county", "phrase"),
            "rule_form": rule_form,
            "phrase_form": phrase_form,
            "may_manage": may_manage,
        },
    )


def _scope(user: Any) -> str:
    from xieguan.core.scope import scope_path_for

    return scope_path_for(user)
