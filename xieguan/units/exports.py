"""The registry as Excel (SPEC §3 "export any filtered list"): the rows of a
filtered, scoped queryset, read in chunks and handed on one at a time so an
export of 300,000 units keeps memory flat (xlsx_response writes each row to
disk as it comes)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xieguan.areas.models import Level
from xieguan.core.display import join_clauses, labelled, with_note
from xieguan.core.masking import mask_phone
from xieguan.units.models import Category, CategoryField, Unit
from xieguan.units.selectors import category_fields_visible_to

CHUNK = 2000


def _value(field: CategoryField, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def export_headers(category: Category | None, labels: Sequence[str]) -> list[str]:
    headers = [
        _("Name"),
        _("Unified social credit code"),
        _("Category"),
        _("Subtype"),
        _("Township"),
        _("Village"),
        _("Address"),
        _("Legal representative"),
        _("Contact phone"),
        _("Status"),
        _("Opened on"),
        _("Closed on"),
        _("Key unit"),
        _("Risk grade"),
        _("Hygiene grade"),
        _("File"),
    ]
    if category is not None:
        headers += list(labels)
    else:
        headers.append(_("Category fields"))
    headers.append(_("Last changed"))
    return headers


def export_rows(
    queryset: QuerySet[Unit], *, category: Category | None, user: Any = None
) -> tuple[list[str], Iterator[list[Any]]]:
    """(headers, rows) for the units of ``queryset`` in its order. With a
    category, each of its fields in use is a column: the national ones, then
    each county's own (named with the county when the user reads more than
    one), filled for that county's units only; without, the fields of each
    unit's own category in its county go into one column as "label：value".
    Only the counties ``user`` may read lend their fields. Phones are masked
    as everywhere a list shows personal data (SPEC §12); the unit file shows
    them whole."""
    fields = category_fields_visible_to(user) if user is not None else CategoryField.objects.filter(county=None)
    # (category, county or None) → its fields, national first.
    fields_by_category: dict[tuple[int, Any], list[CategoryField]] = {}
    for field in fields.filter(is_active=True).order_by("category_id", "sort", "key", "id"):
        fields_by_category.setdefault((field.category_id, field.county_id), []).append(field)

    def fields_of(category_id: int, county_id: Any) -> list[CategoryField]:
        national = fields_by_category.get((category_id, None), [])
        return national + fields_by_category.get((category_id, county_id), []) if county_id else national

    own_fields: list[CategoryField] = []
    labels: list[str] = []
    if category is not None:
        counties = sorted(
            {
                f.county
                for (c, county_id), rows in fields_by_category.items()
                if c == category.pk and county_id
                for f in rows
            },
            key=lambda county: county.path,
        )
        own_fields = list(fields_by_category.get((category.pk, None), []))
        labels = [f.label for f in own_fields]
        for county in counties:
            county_fields = fields_by_category[(category.pk, county.pk)]
            own_fields += county_fields
            labels += [with_note(f.label, county.name) if len(counties) > 1 else f.label for f in county_fields]
    headers = export_headers(category, labels)
    complete, incomplete = _("complete"), _("incomplete")

    def rows() -> Iterator[list[Any]]:
        units = queryset.select_related("area", "area__parent", "category", "subtype").iterator(chunk_size=CHUNK)
        for unit in units:
            area = unit.area
            if area.level == Level.VILLAGE and area.parent is not None:
                township, village = area.parent.name, area.name
            else:
                township, village = area.name, ""
            extra = unit.extra or {}
            row: list[Any] = [
                unit.name,
                unit.credit_code or "",
                unit.category.name,
                unit.subtype.name if unit.subtype else "",
                township,
                village,
                unit.address,
                unit.legal_representative,
                mask_phone(unit.phone),
                unit.get_status_display(),
                unit.opened_on,
                unit.closed_on,
                unit.is_key_unit,
                unit.get_risk_grade_display() if unit.risk_grade else "",
                unit.hygiene_grade,
                complete if unit.is_complete else incomplete,
            ]
            if category is not None:
                row += [
                    _value(f, extra.get(f.key)) if f.county_id in (None, unit.county_id) else "" for f in own_fields
                ]
            else:
                row.append(
                    join_clauses(
                        labelled(f.label, _value(f, extra[f.key]))
                        for f in fields_of(unit.category_id, unit.county_id)
                        if extra.get(f.key) not in (None, "")
                    )
                )
            row.append(unit.updated_at)
            yield row

    return headers, rows()


def units_export_response(user: Any, filters: Any, ordering: Sequence[str]) -> Any:
    """The filtered list as an Excel download (the list page's 导出 and GET
    /api/units/export): the same filters and scope as the list, every matching
    unit (not one page), streamed so memory stays flat."""
    from django.utils import timezone

    from xieguan.core.documents import download_name, xlsx_response
    from xieguan.units.selectors import units_filtered

    qs = units_filtered(user, filters)
    category = filters.category
    headers, rows = export_rows(qs.order_by(*ordering), category=category, user=user)
    title = with_note(_("Supervised units"), category.name) if category else _("Supervised units")
    filename = download_name(_("Units"), category.name if category else "", timezone.localdate(), ext="xlsx")
    return xlsx_response(filename, headers, rows, sheet=_("Units"), title=title)
