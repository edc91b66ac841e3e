"""Pages of the registry (SPEC §3): the list, the unit file, the forms."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xieguan.accounts.permissions import MANAGE_UNITS, can, require
from xieguan.core.documents import pdf_response, xlsx_response
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import BadCursor, Page, keyset_page
from xieguan.units import services
from xieguan.units.exports import export_rows
from xieguan.units.forms import CertificateForm, LicenceForm, UnitFilterForm, UnitForm
from xieguan.units.models import Category
from xieguan.units.selectors import (
    EXPIRING_DAYS,
    EXPIRY_STATES,
    certificates_by_expiry,
    filing_rate_by_township,
    get_unit_for_user,
    licences_by_expiry,
    missing_fields,
    units_filtered,
)
from xieguan.units.timeline import entries_for


def _page(qs: Any, request: HttpRequest, ordering: list[str]) -> Page:
    try:
        return keyset_page(qs, ordering=ordering, cursor=request.GET.get("after"))
    except BadCursor:
        return keyset_page(qs, ordering=ordering)


def _query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The registry: filters, search (pinyin initials too), keyset pages, no COUNT."""
    form = UnitFilterForm(request.GET or None, user=request.user)
    page = _page(units_filtered(request.user, form.filters()), request, form.ordering())
    query = _query_without_cursor(request)
    return render(
        request,
        "units/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "export_url": reverse("units:export") + (f"?{query}" if query else ""),
            "can_manage": can(request.user, MANAGE_UNITS),
        },
    )


@login_required
def unit_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: the same filters and scope as the list,
    every matching unit (not one page), streamed so memory stays flat."""
    form = UnitFilterForm(request.GET or None, user=request.user)
    qs = units_filtered(request.user, form.filters())
    category = form.filters().category
    headers, rows = export_rows(qs.order_by(*form.ordering()), category=category)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    title = _("Supervised units") + (f"（{category.name}）" if category else "")
    return xlsx_response(f"{_('units')}-{stamp}.xlsx", headers, rows, sheet=_("Units"), title=title)


@login_required
def unit_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """The unit file (一户一档) as an A4 PDF to print and file."""
    unit = get_unit_for_user(request.user, pk)
    context = _file_context(request, unit)
    return pdf_response("units/pdf/unit_file.html", context, f"{unit.name}-一户一档.pdf", request=request)


def _expiry_list(request: HttpRequest, *, what: str) -> HttpResponse:
    state = request.GET.get("state") if request.GET.get("state") in EXPIRY_STATES else "expiring"
    if what == "licences":
        qs = licences_by_expiry(request.user, state=state)
    else:
        qs = certificates_by_expiry(request.user, state=state)
    page = _page(qs, request, ["expires_on", "id"])
    return render(
        request,
        "units/expiry.html",
        {
            "what": what,
            "state": state,
            "page": page,
            "query": _query_without_cursor(request),
            "today": timezone.localdate(),
            "days": EXPIRING_DAYS,
        },
    )


@login_required
def licence_expiry(request: HttpRequest) -> HttpResponse:
    """Licences in the user's area expiring within 30 days, or expired."""
    return _expiry_list(request, what="licences")


@login_required
def certificate_expiry(request: HttpRequest) -> HttpResponse:
    """Staff certificates expiring within 30 days, or expired."""
    return _expiry_list(request, what="certificates")


@login_required
def filing_rate(request: HttpRequest) -> HttpResponse:
    """建档率 per township in the user's area."""
    return render(request, "units/filing_rate.html", {"rates": filing_rate_by_township(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_UNITS)
    category = Category.objects.filter(code=request.GET.get("category") or "").first()
    if category is None:
        return render(request, "units/choose_category.html", {"categories": Category.objects.all()})
    form = UnitForm(request.POST or None, user=request.user, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit %(name)s registered.") % {"name": unit.name})
            return redirect("units:detail", pk=unit.pk)
    title = _("Register a unit: %(category)s") % {"category": category.name}
    return render(request, "units/form.html", {"form": form, "title": title, "unit": None})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_UNITS, unit.area.path)
    form = UnitForm(request.POST or None, user=request.user, category=unit.category, initial=UnitForm.initial_for(unit))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("units:detail", pk=unit.pk)
    title = _("Edit %(name)s") % {"name": unit.name}
    return render(request, "units/form.html", {"form": form, "title": title, "unit": unit})


@login_required
def unit_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The unit file (一户一档): base data, licences, certificates, history."""
    unit = get_unit_for_user(request.user, pk)
    return render(request, "units/detail.html", _file_context(request, unit))


def _file_context(request: HttpRequest, unit: Any) -> dict[str, Any]:
    """What the unit file shows, on the page and in its PDF."""
    today = timezone.localdate()
    category_fields = list(unit.category.fields.all())
    extra = unit.extra or {}
    return {
        "unit": unit,
        "extra_rows": [(f.label, extra.get(f.key), f.required) for f in category_fields],
        "missing": missing_fields(unit),
        "licences": list(unit.licences.all()),
        "certificates": list(unit.certificates.all()),
        "today": today,
        "soon": today + datetime.timedelta(days=EXPIRING_DAYS),
        "timeline": entries_for(unit, request.user),
        "can_manage": can(request.user, MANAGE_UNITS),
    }


def _add_to_unit(request: HttpRequest, pk: str, *, form_class: Any, add: Any, done: str, title: str) -> HttpResponse:
    """Add a licence or a certificate: the same steps, another form and service."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, MANAGE_UNITS, unit.area.path)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("units:detail", pk=unit.pk)
    return render(request, "units/small_form.html", {"form": form, "title": title % {"name": unit.name}, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def licence_add(request: HttpRequest, pk: str) -> HttpResponse:
    return _add_to_unit(
        request,
        pk,
        form_class=LicenceForm,
        add=services.licence_add,
        done=_("Licence added."),
        title=_("Add a licence to %(name)s"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_add(request: HttpRequest, pk: str) -> HttpResponse:
    return _add_to_unit(
        request,
        pk,
        form_class=CertificateForm,
        add=services.certificate_add,
        done=_("Certificate added."),
        title=_("Add a staff certificate to %(name)s"),
    )
