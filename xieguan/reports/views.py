"""Pages for information reports (SPEC §5): file from a phone, the flow,
the indicators, zero reports, the national register, categories and the
register of people exposed to hazards. Thin: services and selectors decide."""

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

from xieguan.accounts.forms import InstitutionPickForm
from xieguan.accounts.models import Institution
from xieguan.accounts.permissions import (
    FILE_REPORT,
    MANAGE_REPORT_CATEGORIES,
    REGISTER_EXPOSED,
    VERIFY_REPORT,
    can,
    require,
)
from xieguan.areas.models import Area
from xieguan.areas.selectors import get_area_for_user, scope_root_for
from xieguan.core.display import month_label, with_note
from xieguan.core.documents import download_name, pdf_response, xlsx_response
from xieguan.core.form_pages import service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import private_image_response
from xieguan.core.scope import get_object_for_user
from xieguan.core.validators import int_between
from xieguan.reports import services
from xieguan.reports.forms import CategoryForm, ExposedPersonForm, PhotoForm, ReportForm, ReportLinkForm, StepForm
from xieguan.reports.models import ExposedPerson, ReportCategory, ReportPhoto, StepKind
from xieguan.reports.selectors import (
    REGISTER_HEADERS,
    REGISTER_TYPES,
    REGISTER_WIDTHS,
    REPORT_RATE_FORMULA,
    TIMELY_RATE_FORMULA,
    ReportFilters,
    county_of,
    effective_categories,
    get_exposed_person_for_user,
    get_report_for_user,
    period_bounds,
    register_institution_queryset,
    register_reports,
    register_row,
    report_indicators,
    reports_filtered,
    zero_report_grid,
)


def _period(request: HttpRequest) -> tuple[int, int | None]:
    today = timezone.localdate()
    year = int_between(request.GET.get("year"), today.year, 2000, today.year + 1)
    month = int_between(request.GET.get("month"), 0, 1, 12) or None
    return year, month


def _scoped_area(request: HttpRequest) -> Area | None:
    pk = request.GET.get("area")
    if not pk:
        return None
    try:
        return get_area_for_user(request.user, pk)
    except Http404:
        return None


def report_list(request: HttpRequest) -> HttpResponse:
    """Reports in the user's area: open ones with the clock running first,
    nearest their limit first; or all, newest first; or the reports behind
    an indicator figure (``measure`` with area and period)."""
    area = _scoped_area(request)
    year, month = _period(request)
    filters = ReportFilters(state=request.GET.get("state") or "open", area=area)
    measure = request.GET.get("measure") or ""
    if measure in {"found", "reported", "timely", "late", "not_reported"}:
        filters.measure = measure
        filters.start, filters.end = period_bounds(year, month)
    if request.GET.get("category"):
        home = request.user.institution.area if request.user.institution else area
        filters.category = next(
            (c for c in (effective_categories(home) if home else []) if c.code == request.GET["category"]), None
        )
    filters.unit_id = None
    qs, ordering = reports_filtered(request.user, filters)
    page = page_for_request(request, qs, ordering=ordering)
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "filters": filters,
            "state": filters.state,
            "can_file": can(request.user, FILE_REPORT),
            "year": year,
            "month": month,
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    """File an event or clue; from a phone, with GPS and photos."""
    require(request.user, FILE_REPORT)
    may_forward = can(request.user, VERIFY_REPORT)
    initial: dict[str, Any] = {"found_at": timezone.localtime().replace(second=0, microsecond=0)}
    person = None
    if request.GET.get("person"):
        person = get_exposed_person_for_user(request.user, request.GET["person"])
        initial.update({"exposed_person": person.pk, "category": "occupational", "area": person.area_id})
        initial["place"] = person.employer
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    form = ReportForm(
        request.POST or None, request.FILES or None, user=request.user, may_forward=may_forward, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["category"] = data["category"] or None
        try:
            report, created = services.report_create(actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Report filed."))
            else:
                messages.info(request, _("This report was already filed."))
            return redirect("reports:detail", pk=report.pk)
    return render(
        request, "reports/report_form.html", {"form": form, "person": person, "cancel_url": reverse("reports:list")}
    )


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The report, its clock, its timed steps, photos, and the steps the
    user may take now."""
    report = get_report_for_user(request.user, pk)
    photo_form = None
    if can(request.user, FILE_REPORT):
        photo_form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(request.user, FILE_REPORT, report.area.path)
        if photo_form is not None and photo_form.is_valid():
            try:
                _photo, created = services.report_photo_add(
                    actor=request.user,
                    report=report,
                    upload=photo_form.cleaned_data["image"],
                    fix=photo_form.photo_fix(),
                )
            except ValidationError as exc:
                add_service_errors(photo_form, exc)
            else:
                messages.success(request, _("Photo added.") if created else _("This photo was already added."))
                return redirect("reports:detail", pk=report.pk)
    return _detail_page(request, report, photo_form=photo_form)


def _detail_page(
    request: HttpRequest, report: Any, *, photo_form: Any = None, link_form: Any = None, status: int = 200
) -> HttpResponse:
    if link_form is None and services.may_link(request.user, report):
        initial = {"unit": report.unit_id, "inspection": report.inspection_id}
        link_form = ReportLinkForm(user=request.user, report=report, prefix="ln", initial=initial)
    if photo_form is None and can(request.user, FILE_REPORT):
        photo_form = PhotoForm()
    steps = report.steps.select_related("by").order_by("at", "created_at", "id")
    actions = [
        (kind, StepKind(kind).label, action)
        for action, kind in services.STEP_ACTIONS.items()
        if kind in services.allowed_steps(request.user, report)
    ]
    kept_notes = {
        action: request.session.pop(f"report-note-{report.pk}-{action}")
        for action in services.STEP_ACTIONS
        if f"report-note-{report.pk}-{action}" in request.session
    }
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "kept_notes": kept_notes,
            "steps": steps,
            "photos": report.photos.order_by("created_at", "id"),
            "photo_form": photo_form,
            "actions": actions,
            "note_required": services.NOTE_REQUIRED,
            "step_form": StepForm(),
            "link_form": link_form,
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
def report_link(request: HttpRequest, pk: str) -> HttpResponse:
    """Tie the report to its unit and to the inspection record that followed
    it up, so it reaches the unit's file; a refusal brings the page back
    with the choices kept and the reason on the field."""
    report = get_report_for_user(request.user, pk)
    if not services.may_link(request.user, report):
        raise PermissionDenied(_("Your role does not allow this."))
    form = ReportLinkForm(request.POST, user=request.user, report=report, prefix="ln")
    if form.is_valid():
        try:
            services.report_link(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Links saved; the report shows in the unit's file."))
            return redirect("reports:detail", pk=report.pk)
    return _detail_page(request, get_report_for_user(request.user, pk), link_form=form, status=400)


@require_POST
def report_step(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    """Take one step of the flow; a refused step says why and keeps the note."""
    report = get_report_for_user(request.user, pk)
    kind = services.STEP_ACTIONS.get(action)
    if kind is None:
        raise Http404
    form = StepForm(request.POST)
    note = form.data.get("note", "")
    try:
        _report, taken = services.report_step(actor=request.user, report=report, kind=kind, note=note)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        request.session[f"report-note-{report.pk}-{action}"] = note[:2000]
    else:
        request.session.pop(f"report-note-{report.pk}-{action}", None)
        if taken:
            messages.success(request, _("Step recorded: %(step)s.") % {"step": StepKind(kind).label})
        else:
            messages.info(request, _("This step was already recorded."))
    return redirect("reports:detail", pk=report.pk)


def report_photo(request: HttpRequest, pk: str) -> FileResponse:
    """A photo, only for users who may see its report (no public media URL)."""
    photo = get_object_for_user(ReportPhoto, request.user, pk)
    return private_image_response(photo.image, name=_("Information report photo"))


def indicators(request: HttpRequest) -> HttpResponse:
    """信息报告率 and 及时报告率 of an area and of each area below it, for
    a year or a month, each figure with its formula and a link to its reports."""
    year, month = _period(request)
    area = _scoped_area(request) or scope_root_for(request.user)
    if area is None:
        area = Area.objects.filter(level=3).order_by("path").first()
    if area is None:
        raise Http404
    start, end = period_bounds(year, month)
    total, rows = report_indicators(request.user, area=area, start=start, end=end)
    return render(
        request,
        "reports/indicators.html",
        {
            "area": area,
            "total": total,
            "rows": rows,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "report_formula": REPORT_RATE_FORMULA,
            "timely_formula": TIMELY_RATE_FORMULA,
            "period_query": f"year={year}" + (f"&month={month}" if month else ""),
        },
    )


@require_http_methods(["GET", "POST"])
def zero_reports(request: HttpRequest) -> HttpResponse:
    """Each station's months: reports found, a zero report (nothing
    happened), or neither (nobody reported); a station makes its zero report."""
    year, _month = _period(request)
    may_make = can(request.user, VERIFY_REPORT)
    if request.method == "POST":
        require(request.user, VERIFY_REPORT)
        try:
            raw = request.POST.get("month") or ""
            month = datetime.date.fromisoformat(raw + "-01" if len(raw) == 7 else raw)
        except ValueError:
            messages.error(request, _("Choose a month."))
        else:
            try:
                _zero, created = services.zero_report_make(actor=request.user, month=month)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                if created:
                    messages.success(
                        request, _("Zero report made for %(month)s.") % {"month": month_label(month.year, month.month)}
                    )
                else:
                    messages.info(request, _("The zero report for this month was already made."))
                return redirect(f"{reverse('reports:zero')}?year={month.year}")
    rows = zero_report_grid(request.user, year=year)
    today = timezone.localdate()
    return render(
        request,
        "reports/zero.html",
        {
            "rows": rows,
            "year": year,
            "months": range(1, 13),
            "may_make": may_make and request.user.institution and request.user.institution.type == "station",
            "default_month": (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m"),
        },
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def register(request: HttpRequest) -> HttpResponse:
    """卫生监督协管信息报告登记表 of one institution for a month or a year:
    on screen, as Excel or as PDF."""
    institutions = register_institution_queryset(request.user)
    year, month = _period(request)
    chosen: Institution | None = None
    pk = request.GET.get("institution")
    if pk:
        chosen = institutions.filter(pk=pk).first() if _is_uuid(pk) else None
        if chosen is None:
            raise Http404
    elif request.user.institution_id and institutions.filter(pk=request.user.institution_id).exists():
        chosen = request.user.institution
    context: dict[str, Any] = {
        "pick_form": InstitutionPickForm(
            initial={"institution": chosen.pk if chosen else None},
            queryset=institutions,
            types=tuple(REGISTER_TYPES),
        ),
        "chosen": chosen,
        "year": year,
        "month": month,
        "months": range(1, 13),
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "headers": REGISTER_HEADERS,
    }
    if chosen is None:
        return render(request, "reports/register.html", context)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        return report_register_document(request, institution=chosen, year=year, month=month, fmt=fmt)
    start, end = period_bounds(year, month)
    period = month_label(year, month)
    reports = register_reports(request.user, institution=chosen, start=start, end=end)
    rows_list = [register_row(i, r) for i, r in enumerate(reports, start=1)]
    title = with_note(_("Register of information reports"), f"{chosen.name} {period}")
    context.update({"rows": rows_list, "title": title, "period": period})
    return render(request, "reports/register.html", context)


def report_register_document(
    request: HttpRequest, *, institution: Institution, year: int, month: int | None, fmt: str
) -> HttpResponse:
    """The 信息报告登记表 of ``institution`` (already fetched through scope)
    as Excel (``fmt="xlsx"``) or PDF: what the page and the API download."""
    start, end = period_bounds(year, month)
    period = month_label(year, month)
    title = with_note(_("Register of information reports"), f"{institution.name} {period}")
    reports = register_reports(request.user, institution=institution, start=start, end=end)
    if fmt == "xlsx":
        rows = (register_row(i, r) for i, r in enumerate(reports.iterator(), start=1))  # type: ignore[attr-defined]
        return xlsx_response(
            download_name(_("Information report register"), institution.name, period, ext="xlsx"),
            REGISTER_HEADERS,
            rows,
            sheet=_("Information report register"),
            title=title,
            widths=REGISTER_WIDTHS,
        )
    context = {
        "chosen": institution,
        "year": year,
        "month": month,
        "headers": REGISTER_HEADERS,
        "rows": [register_row(i, r) for i, r in enumerate(reports, start=1)],
        "title": title,
        "period": period,
    }
    return pdf_response(
        "reports/pdf/register.html",
        context,
        download_name(_("Information report register"), institution.name, period, ext="pdf"),
        request=request,
    )


def category_list(request: HttpRequest) -> HttpResponse:
    """The categories in force in the user's county and their limits."""
    home = request.user.institution.area if request.user.institution else None
    county = county_of(home) if home else None
    categories = effective_categories(home, active_only=False) if home else list(ReportCategory.objects.none())
    return render(
        request,
        "reports/categories.html",
        {
            "categories": categories,
            "county": county,
            "may_edit": county is not None and can(request.user, MANAGE_REPORT_CATEGORIES),
        },
    )


def category_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A county administrator edits a category's name, limit, use; or adds one."""
    require(request.user, MANAGE_REPORT_CATEGORIES)
    home = request.user.institution.area if request.user.institution else None
    county = county_of(home) if home else None
    if county is None:
        raise Http404
    category = None
    if code:
        category = next((c for c in effective_categories(county, active_only=False) if c.code == code), None)
        if category is None:
            raise Http404
    initial = (
        {
            "name": category.name,
            "is_emergency": category.is_emergency,
            "limit_minutes": category.limit_minutes,
            "sort": category.sort,
            "is_active": category.is_active,
        }
        if category
        else {"limit_minutes": 1440, "is_active": True, "sort": 100}
    )
    return service_form_page(
        request,
        form_class=CategoryForm,
        form_kwargs={"initial": initial},
        service=lambda form: services.category_save(
            actor=request.user, county=county, category=category, **form.cleaned_data
        ),
        success_url=reverse("reports:categories"),
        message=_("Category saved."),
        template="reports/category_form.html",
        title=_("Category"),
        cancel_url=reverse("reports:categories"),
        context={
            "category": category,
            "county": county,
            "crumb": (reverse("reports:categories"), _("Categories and limits")),
        },
    )


def exposed_list(request: HttpRequest) -> HttpResponse:
    """People exposed to occupational hazards registered in the user's area."""
    qs = ExposedPerson.objects.visible_to(request.user).select_related("area")
    page = page_for_request(request, qs, ordering=["name", "id"])
    return render(
        request, "reports/exposed_list.html", {"page": page, "can_register": can(request.user, REGISTER_EXPOSED)}
    )


def exposed_create(request: HttpRequest) -> HttpResponse:
    require(request.user, REGISTER_EXPOSED)
    return service_form_page(
        request,
        form_class=ExposedPersonForm,
        form_kwargs={"user": request.user},
        service=lambda form: services.exposed_person_register(actor=request.user, **form.cleaned_data)[0],
        success_url=lambda person: reverse("reports:exposed_detail", args=[person.pk]),
        message=_("Person registered."),
        title=_("Register a person"),
        cancel_url=reverse("reports:exposed_list"),
        context={
            "heading": _("Register a person exposed to hazards"),
            "crumb": (reverse("reports:exposed_list"), _("People exposed to hazards")),
        },
    )


def exposed_detail(request: HttpRequest, pk: str) -> HttpResponse:
    person = get_exposed_person_for_user(request.user, pk)
    reports = person.reports.visible_to(request.user).select_related("category").order_by("-found_at", "-id")  # type: ignore[attr-defined]
    return render(
        request,
        "reports/exposed_detail.html",
        {"person": person, "reports": reports, "can_file": can(request.user, FILE_REPORT), "now": timezone.now()},
    )
