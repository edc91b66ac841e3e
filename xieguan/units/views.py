"""Pages of the registry (SPEC §3): the list, the unit file, the forms."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from xieguan.accounts.permissions import (
    CONFIGURE_UNIT_CATEGORIES,
    MANAGE_UNITS,
    RECORD_INSPECTION,
    RECORD_OUTREACH,
    can,
    require,
)
from xieguan.areas.models import Area, Level
from xieguan.core.display import with_note
from xieguan.core.documents import XLSX_TYPE, download_header, download_name, pdf_response
from xieguan.core.form_pages import service_action, service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.registry import unit_file_sections, unit_panels
from xieguan.core.scope import is_within
from xieguan.units import batches, categories, imports, services
from xieguan.units.exports import units_export_response
from xieguan.units.forms import (
    CategoryFieldForm,
    CertificateForm,
    ImportForm,
    LicenceForm,
    MergeForm,
    SubtypeForm,
    UnitFilterForm,
    UnitForm,
    unit_areas_for,
)
from xieguan.units.models import Category, ImportStatus, Unit, UnitStatus
from xieguan.units.selectors import (
    EXPIRING_DAYS,
    EXPIRY_STATES,
    UnitFilters,
    category_settings_for,
    certificates_by_expiry,
    duplicate_pairs_for,
    fields_in_force,
    filing_rate_by_township,
    get_category_field_for_user,
    get_import_batch_for_user,
    get_settings_county_for_user,
    get_subtype_for_user,
    get_unit_for_user,
    import_batches_for,
    licences_by_expiry,
    missing_fields,
    possible_duplicates_of,
    unit_county_id,
    units_filtered,
    units_in_scope,
)
from xieguan.units.timeline import change_history


def unit_list(request: HttpRequest) -> HttpResponse:
    """The registry: filters, search (pinyin initials too), keyset pages, no COUNT."""
    form = UnitFilterForm(request.GET or None, user=request.user)
    page = page_for_request(request, units_filtered(request.user, form.filters()), ordering=form.ordering())
    return render(
        request,
        "units/list.html",
        {
            "form": form,
            "page": page,
            "export_url": reverse("units:export") + (f"?{page.query}" if page.query else ""),
            "can_manage": can(request.user, MANAGE_UNITS),
        },
    )


def unit_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: the same filters and scope as the list,
    every matching unit (not one page), streamed so memory stays flat."""
    form = UnitFilterForm(request.GET or None, user=request.user)
    return units_export_response(request.user, form.filters(), form.ordering())


def unit_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """The unit file (一户一档) as an A4 PDF to print and file."""
    unit = _survivor_of(get_unit_for_user(request.user, pk))
    context = _file_context(request, unit)
    context["sections"] = unit_file_sections(request.user, unit, pdf=True)
    filename = download_name(pgettext("file name", "Unit file"), unit.name, timezone.localdate(), ext="pdf")
    return pdf_response("units/pdf/unit_file.html", context, filename, request=request)


def _expiry_list(request: HttpRequest, *, what: str) -> HttpResponse:
    state = request.GET.get("state") if request.GET.get("state") in EXPIRY_STATES else "expiring"
    if what == "licences":
        qs = licences_by_expiry(request.user, state=state)
    else:
        qs = certificates_by_expiry(request.user, state=state)
    page = page_for_request(request, qs, ordering=["expires_on", "id"])
    return render(
        request,
        "units/expiry.html",
        {
            "what": what,
            "state": state,
            "page": page,
            "today": timezone.localdate(),
            "days": EXPIRING_DAYS,
        },
    )


def licence_expiry(request: HttpRequest) -> HttpResponse:
    """Licences in the user's area expiring within 30 days, or expired."""
    return _expiry_list(request, what="licences")


def certificate_expiry(request: HttpRequest) -> HttpResponse:
    """Staff certificates expiring within 30 days, or expired."""
    return _expiry_list(request, what="certificates")


PICK_LIMIT = 20
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


def unit_pick(request: HttpRequest) -> HttpResponse:
    """The unit picker's search (``units.widgets.UnitPicker``): up to 20
    units of the user's area matching the text, the one already chosen
    first. Closed units only when the form accepts them (``closed=1``);
    only those inside one area of the user's when the form says so
    (``within=<area id>``: a complaint's township)."""
    name = request.GET.get("name", "unit")
    if not _FIELD_NAME.match(name):
        name = "unit"
    text = request.GET.get(f"{name}__q", "").strip()[:50]
    include_closed = request.GET.get("closed") == "1"
    qs = units_in_scope(request.user).current()
    within = _within(request)
    if within is not None:
        qs = qs.filter(within)
    if not include_closed:
        qs = qs.exclude(status=UnitStatus.CLOSED)
    chosen = None
    try:
        chosen_pk = uuid.UUID(request.GET.get(name, ""))
    except ValueError:
        chosen_pk = None
    if chosen_pk is not None:
        chosen = qs.filter(pk=chosen_pk).first()
    units: list[Any] = []
    if text:
        matches = units_filtered(request.user, UnitFilters(q=text))
        if within is not None:
            matches = matches.filter(within)
        if not include_closed:
            matches = matches.exclude(status=UnitStatus.CLOSED)
        units = list(matches.order_by("name", "id")[: PICK_LIMIT + 1])
    context = {
        "name": name,
        "chosen": chosen,
        "chosen_label": with_note(chosen.name, chosen.area.name) if chosen else "",
        "units": units[:PICK_LIMIT],
        "more": PICK_LIMIT if len(units) > PICK_LIMIT else 0,
        "searched": bool(text),
        "optional": request.GET.get("optional") == "1",
    }
    return render(request, "units/widgets/_unit_options.html", context)


def _within(request: HttpRequest) -> Q | None:
    """The units inside the area ``within`` names, if the user may see it;
    an area they may not see (or not an area) narrows the search to nothing."""
    if not request.GET.get("within"):
        return None
    area_pk = _uuid_or_none(request.GET["within"])
    area = Area.objects.visible_to(request.user).filter(pk=area_pk).first() if area_pk else None
    return Q(area__path__startswith=area.path) if area is not None else Q(pk__in=[])


def filing_rate(request: HttpRequest) -> HttpResponse:
    """建档率 per township in the user's area."""
    return render(request, "units/filing_rate.html", {"rates": filing_rate_by_township(request.user)})


def unit_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_UNITS)
    category = Category.objects.filter(code=request.GET.get("category") or "").first()
    if category is None:
        return render(request, "units/choose_category.html", {"categories": Category.objects.all()})
    return service_form_page(
        request,
        form_class=UnitForm,
        form_kwargs={"user": request.user, "category": category},
        service=lambda form: services.unit_create(actor=request.user, **form.service_data()),
        success_url=lambda unit: reverse("units:detail", args=[unit.pk]),
        message=lambda unit: _("Unit %(name)s registered.") % {"name": unit.name},
        title=_("Register a unit: %(category)s") % {"category": category.name},
        cancel_url=reverse("units:list"),
    )


def unit_edit(request: HttpRequest, pk: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_UNITS, unit.area.path)
    if unit.merged_into_id:
        return redirect("units:detail", pk=unit.pk)
    return service_form_page(
        request,
        form_class=UnitForm,
        form_kwargs={
            "user": request.user,
            "category": unit.category,
            "unit": unit,
            "initial": UnitForm.initial_for(unit),
        },
        service=lambda form: services.unit_update(actor=request.user, unit=unit, **form.service_data()),
        success_url=reverse("units:detail", args=[unit.pk]),
        message=_("Saved."),
        title=_("Edit %(name)s") % {"name": unit.name},
        cancel_url=reverse("units:detail", args=[unit.pk]),
    )


def _survivor_of(unit: Any) -> Any:
    """The unit a merged unit now lives on in (following merges of merges)."""
    seen = set()
    while unit.merged_into_id and unit.pk not in seen:
        seen.add(unit.pk)
        unit = unit.merged_into
    return unit


def unit_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The unit file (一户一档): base data, licences, certificates, history,
    possible duplicates. A merged unit's address leads to the survivor."""
    unit = get_unit_for_user(request.user, pk)
    if unit.merged_into_id:
        survivor = _survivor_of(unit)
        messages.info(
            request, _("%(merged)s was merged into %(survivor)s.") % {"merged": unit.name, "survivor": survivor.name}
        )
        return redirect("units:detail", pk=survivor.pk)
    context = _file_context(request, unit)
    context["can_record_outreach"] = can(request.user, RECORD_OUTREACH)
    # 记录检查 opens the inspection form with this unit chosen; a closed unit
    # is not inspected (the form does not offer it).
    context["can_record_inspection"] = can(request.user, RECORD_INSPECTION) and unit.status != UnitStatus.CLOSED
    context["duplicates"] = possible_duplicates_of(unit, request.user)
    context["panels"] = unit_panels(request.user, unit)  # what other apps add (the risk score, …)
    context["sections"] = unit_file_sections(request.user, unit)  # the rest of the file, in the archive order
    return render(request, "units/detail.html", context)


def _file_context(request: HttpRequest, unit: Any) -> dict[str, Any]:
    """What the unit file shows, on the page and in its PDF."""
    today = timezone.localdate()
    extra = unit.extra or {}
    # The fields in force in the unit's county; one its county switched off
    # shows only where the unit has a value, marked as such.
    in_county = fields_in_force(unit.category, unit_county_id(unit), with_inactive=True)
    category_fields = [f for f in in_county if f.is_active or extra.get(f.key) not in (None, "")]
    licences, certificates = list(unit.licences.all()), list(unit.certificates.all())
    return {
        "unit": unit,
        "extra_rows": [
            (
                f.label if f.is_active else _("%(label)s (no longer used)") % {"label": f.label},
                extra.get(f.key),
                f.required,
            )
            for f in category_fields
        ],
        "missing": missing_fields(unit, in_county),
        "licences": licences,
        "certificates": certificates,
        "today": today,
        "soon": today + datetime.timedelta(days=EXPIRING_DAYS),
        # 底册资料's history: the unit's own changes and its licences' and
        # certificates' (the audit log); its records follow in their sections.
        "timeline": list(
            change_history(unit, request.user, in_county=in_county, licences=licences, certificates=certificates)
        ),
        "can_manage": can(request.user, MANAGE_UNITS),
    }


def _add_to_unit(request: HttpRequest, pk: str, *, form_class: Any, add: Any, done: str, title: str) -> HttpResponse:
    """Add a licence or a certificate: the same steps, another form and service."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_UNITS, unit.area.path)
    return service_form_page(
        request,
        form_class=form_class,
        service=lambda form: add(actor=request.user, unit=unit, **form.cleaned_data),
        success_url=reverse("units:detail", args=[unit.pk]),
        message=done,
        title=title % {"name": unit.name},
        cancel_url=reverse("units:detail", args=[unit.pk]),
    )


def licence_add(request: HttpRequest, pk: str) -> HttpResponse:
    return _add_to_unit(
        request,
        pk,
        form_class=LicenceForm,
        add=services.licence_add,
        done=_("Licence added."),
        title=_("Add a licence to %(name)s"),
    )


def certificate_add(request: HttpRequest, pk: str) -> HttpResponse:
    return _add_to_unit(
        request,
        pk,
        form_class=CertificateForm,
        add=services.certificate_add,
        done=_("Certificate added."),
        title=_("Add a staff certificate to %(name)s"),
    )


# ---- Excel import -------------------------------------------------------------


def import_template(request: HttpRequest, code: str) -> HttpResponse:
    """The import template of one category, with this user's areas listed."""
    require(request.user, MANAGE_UNITS)
    category = get_object_or_404(Category, code=code)
    content = imports.template_xlsx(category, request.user)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = download_header(
        download_name(_("Unit import template"), category.name, ext="xlsx")
    )
    return response


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a filled-in template; the earlier uploads below."""
    require(request.user, MANAGE_UNITS)
    initial = {"id": uuid.uuid4(), "category": Category.objects.filter(code=request.GET.get("category") or "").first()}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            batch = batches.import_batch_create(
                actor=request.user,
                category=form.cleaned_data["category"],
                upload=form.cleaned_data["file"],
                id=form.cleaned_data.get("id"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("units:import_detail", pk=batch.pk)
    page = page_for_request(request, import_batches_for(request.user), ordering=BATCH_ORDERING)
    return render(
        request,
        "units/import.html",
        {"form": form, "categories": Category.objects.all(), "page": page},
    )


BATCH_ORDERING = ["-created_at", "-id"]


def import_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """A batch: its progress while it runs (polled by htmx), then the rows
    with errors or the preview to confirm."""
    batch = get_import_batch_for_user(request.user, pk)
    if request.htmx:
        response = render(request, "units/_import_progress.html", {"batch": batch})
        if not batch.is_running:
            response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "units/import_detail.html",
        {"batch": batch, "statuses": ImportStatus, "can_manage": can(request.user, MANAGE_UNITS)},
    )


@require_POST
def import_confirm(request: HttpRequest, pk: str) -> HttpResponse:
    batch = get_import_batch_for_user(request.user, pk)
    service_action(
        request,
        batches.import_batch_confirm,
        lambda done: (
            _("%(count)d units imported.") % {"count": done.created_count}
            if done.status == ImportStatus.IMPORTED
            else ""
        ),
        join=" ".join,
        batch=batch,
    )
    return redirect("units:import_detail", pk=batch.pk)


@require_POST
def import_cancel(request: HttpRequest, pk: str) -> HttpResponse:
    batch = get_import_batch_for_user(request.user, pk)
    message = _("The upload was cancelled; nothing was imported.")
    service_action(request, batches.import_batch_cancel, message, join=" ".join, batch=batch)
    return redirect("units:import_start")


# ---- duplicates and merging -----------------------------------------------------


def duplicates(request: HttpRequest) -> HttpResponse:
    """Possible duplicates in the user's area (or one township), with a link
    to merge each pair."""
    area = None
    areas = unit_areas_for(request.user)
    if request.GET.get("area"):
        area = areas.filter(pk__in=[_uuid_or_none(request.GET["area"])]).first()
    pairs = duplicate_pairs_for(request.user, area=area)
    return render(
        request,
        "units/duplicates.html",
        {
            "pairs": pairs,
            "townships": [a for a in areas if a.level == Level.TOWNSHIP],
            "area": area,
            "can_manage": can(request.user, MANAGE_UNITS),
        },
    )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def merge_rows(a: Unit, b: Unit) -> list[tuple[str, str, str, str, bool]]:
    """(key, label, value of A, value of B, differ) for the side-by-side page,
    labelled as the import template labels the columns."""
    labels = {c.key: str(c.label) for c in imports.columns_for(a.category, [], county_id=unit_county_id(a))}
    rows = []
    for name in services.MERGE_FIELDS:
        field = Unit._meta.get_field(name)
        va, vb = getattr(a, name), getattr(b, name)
        if getattr(field, "choices", None):
            va, vb = getattr(a, f"get_{name}_display")(), getattr(b, f"get_{name}_display")()
        label = labels.get(name, str(field.verbose_name))
        rows.append((name, label, _shown(va), _shown(vb), getattr(a, name) != getattr(b, name)))
    for f in fields_in_force(a.category, unit_county_id(a)):
        va, vb = (a.extra or {}).get(f.key), (b.extra or {}).get(f.key)
        rows.append((f"extra.{f.key}", f.label, _shown(va), _shown(vb), va != vb))
    return rows


@require_http_methods(["GET", "POST"])
def unit_merge(request: HttpRequest, pk: str, other: str) -> HttpResponse:
    """Merge two units: choose the one that stays and, field by field, which
    value to keep."""
    a = get_unit_for_user(request.user, pk)
    b = get_unit_for_user(request.user, other)
    require(request.user, MANAGE_UNITS, a.area.path)
    require(request.user, MANAGE_UNITS, b.area.path)
    rows = merge_rows(a, b)
    form = MergeForm(request.POST or None, keys=[key for key, _l, _a, _b, differ in rows if differ])
    if request.method == "POST" and form.is_valid():
        side, take = form.choices()
        survivor, merged = (a, b) if side == "a" else (b, a)
        try:
            services.unit_merge(actor=request.user, survivor=survivor, merged=merged, take_from_merged=take)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(merged)s was merged into %(survivor)s.") % {"merged": merged.name, "survivor": survivor.name},
            )
            return redirect("units:detail", pk=survivor.pk)
    table = [
        (key, label, va, vb, differ, form[f"take.{key}"] if differ else None) for key, label, va, vb, differ in rows
    ]
    return render(request, "units/merge.html", {"a": a, "b": b, "form": form, "rows": table})


# ---- a county's categories: subtypes and fields (分类与字段) ------------------------


def _settings_url(county: Any) -> str:
    return f"{reverse('units:categories')}?county={county.pk}"


def category_settings(request: HttpRequest) -> HttpResponse:
    """Every category with its subtypes and fields as the county has them:
    the national ones, then the county's own. Its bureau, institute or an
    administrator adds and switches off the county's own here; everyone else
    in the county (and above it) reads them. ``?county=`` picks one of
    several in the user's area."""
    county = get_settings_county_for_user(request.user, request.GET.get("county"))
    may_manage = can(request.user, CONFIGURE_UNIT_CATEGORIES) and is_within(request.user, county.path)
    return render(
        request,
        "units/categories.html",
        {
            "county": county,
            "rows": category_settings_for(county),
            "may_manage": may_manage,
        },
    )


def _settings_form(request: HttpRequest, code: str) -> tuple[Any, Category, str]:
    """The county and category an add page is for, once the user may change them."""
    county = get_settings_county_for_user(request.user, request.GET.get("county"))
    categories.require_county_settings(request.user, county)
    category = get_object_or_404(Category, code=code)
    return county, category, _settings_url(county)


def subtype_create(request: HttpRequest, code: str) -> HttpResponse:
    """Add a subtype of a category for the county's units."""
    county, category, back = _settings_form(request, code)
    return service_form_page(
        request,
        form_class=SubtypeForm,
        service=lambda form: categories.subtype_add(
            actor=request.user, county=county, category=category, **form.cleaned_data
        ),
        success_url=back,
        message=lambda made: (
            (_("Subtype %(name)s added.") if made[1] else _("The county already has %(name)s."))
            % {"name": made[0].name}
        ),
        title=_("Add a subtype: %(category)s") % {"category": category.name},
        cancel_url=back,
        context={
            "crumb": (back, _("Categories and fields")),
            "intro": _("The subtype is for the units of %(county)s only; the national subtypes stay as they are.")
            % {"county": county.name},
        },
    )


def field_create(request: HttpRequest, code: str) -> HttpResponse:
    """Add a field the county's units of a category carry."""
    county, category, back = _settings_form(request, code)
    return service_form_page(
        request,
        form_class=CategoryFieldForm,
        service=lambda form: categories.category_field_add(
            actor=request.user, county=county, category=category, **form.cleaned_data
        ),
        success_url=back,
        message=lambda made: (
            (_("Field %(label)s added.") if made[1] else _("The county already has %(label)s."))
            % {"label": made[0].label}
        ),
        title=_("Add a field: %(category)s") % {"category": category.name},
        cancel_url=back,
        context={
            "crumb": (back, _("Categories and fields")),
            "intro": _(
                "The field is for the units of %(county)s only: their form, their file and the import template "
                "show it. A field needed for a complete file makes the units without it incomplete."
            )
            % {"county": county.name},
        },
    )


def _switch(request: HttpRequest, row: Any, *, on: Any, off: Any, name: str) -> HttpResponse:
    """Switch a county's own subtype or field off or on (``active`` = 1 or 0)."""
    active = request.POST.get("active") == "1"
    text = _("%(name)s is in use again.") if active else _("%(name)s is switched off; what units hold stays.")
    service_action(request, on if active else off, text % {"name": row}, join=" ".join, **{name: row})
    county = row.county or get_settings_county_for_user(request.user)
    return redirect(_settings_url(county))


@require_POST
def subtype_active(request: HttpRequest, pk: str) -> HttpResponse:
    subtype = get_subtype_for_user(request.user, pk)
    return _switch(
        request, subtype, on=categories.subtype_reactivate, off=categories.subtype_deactivate, name="subtype"
    )


@require_POST
def field_active(request: HttpRequest, pk: str) -> HttpResponse:
    field = get_category_field_for_user(request.user, pk)
    return _switch(
        request, field, on=categories.category_field_reactivate, off=categories.category_field_deactivate, name="field"
    )
