"""卫生监督协管巡查登记表: an institution's patrols as a page, Excel or PDF."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.forms import InstitutionPickForm
from xieguan.accounts.models import Institution
from xieguan.core.display import month_label, with_note
from xieguan.core.documents import download_name, pdf_response, xlsx_response
from xieguan.core.scope import get_object_for_user
from xieguan.core.validators import int_between
from xieguan.inspections import selectors


def patrol_register(request: HttpRequest) -> HttpResponse:
    """卫生监督协管巡查登记表 of an institution for a year or a month, as a
    page, Excel or PDF."""
    today = timezone.localdate()
    institutions = register_institutions(request.user)
    chosen = None
    if request.GET.get("institution"):
        chosen = get_object_for_user(institutions, request.user, request.GET["institution"])
    elif request.user.institution_id and institutions.filter(pk=request.user.institution_id).exists():
        chosen = request.user.institution
    year = int_between(request.GET.get("year"), today.year, 2000, 2100)
    month = int_between(request.GET.get("month"), 0, 0, 12) or None
    rows = selectors.patrol_register(request.user, institution=chosen, year=year, month=month) if chosen else []
    fmt = request.GET.get("format")
    if chosen and fmt in ("xlsx", "pdf"):
        return patrol_register_document(request, institution=chosen, year=year, month=month, fmt=fmt, rows=rows)
    return render(
        request,
        "inspections/register.html",
        {
            "rows": rows,
            "pick_form": InstitutionPickForm(
                initial={"institution": chosen.pk if chosen else None},
                queryset=institutions,
                types=("station", "institute"),
            ),
            "chosen": chosen,
            "year": year,
            "month": month,
            "months": range(1, 13),
        },
    )


def patrol_register_document(
    request: HttpRequest,
    *,
    institution: Institution,
    year: int,
    month: int | None,
    fmt: str,
    rows: list[Any] | None = None,
) -> HttpResponse:
    """The 巡查登记表 of ``institution`` (already fetched through scope) as
    Excel (``fmt="xlsx"``) or PDF: what the page and the API download."""
    if rows is None:
        rows = selectors.patrol_register(request.user, institution=institution, year=year, month=month)
    period = month_label(year, month)
    title = _("Health supervision co-management patrol register")
    if fmt == "xlsx":
        return xlsx_response(
            download_name(_("Patrol register"), institution.name, period, ext="xlsx"),
            selectors.patrol_register_headers(),
            (r.values() for r in rows),
            sheet=period,
            title=with_note(title, f"{institution.name} {period}"),
            widths=selectors.PATROL_REGISTER_WIDTHS,
        )
    return pdf_response(
        "inspections/pdf/register.html",
        {"rows": rows, "institution": institution, "period": period, "title": title},
        download_name(_("Patrol register"), institution.name, period, ext="pdf"),
        request=request,
    )


def register_institutions(user: Any) -> Any:
    """The stations and institute whose registers ``user`` may download."""
    return Institution.objects.visible_to(user).filter(type__in=["station", "institute"]).order_by("area__path", "name")
