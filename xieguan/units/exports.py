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
from xieguan.core.masking import mask_phone
from xieguan.units.models import Category, CategoryField, Unit

CHUNK = 2000


def _value(field: CategoryField, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def export_headers(category: Category | None, fields: Sequence[CategoryField]) -> list[str]:
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
        headers += [f.label for f in fields]
    else:
        headers.append(_("Category fields"))
    headers.append(_("Last changed"))
    return headers


def export_rows(queryset: QuerySet[Unit], *, category: Category | None) -> tuple[list[str], Iterator[list[Any]]]:
    """(headers, rows) for the units of ``queryset`` in its order. With a
    category, each of its fields is a column; without, the fields of each
    unit's own category go into one column as "label：value". Phones are
    masked as everywhere a list shows personal data (SPEC §12); the unit
    file shows them whole."""
    fields_by_category: dict[int, list[CategoryField]] = {}
    for field in CategoryField.objects.order_by("category_id", "sort", "key"):
        fields_by_category.setdefault(field.category_id, []).append(field)
    own_fields = fields_by_category.get(category.pk, []) if category is not None else []
    headers = export_headers(category, own_fields)
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
                row += [_value(f, extra.get(f.key)) for f in own_fields]
            else:
                row.append(
                    "；".join(
                        f"{f.label}：{_value(f, extra[f.key])}"
                        for f in fields_by_category.get(unit.category_id, [])
                        if extra.get(f.key) not in (None, "")
                    )
                )
            row.append(unit.updated_at)
            yield row

    return headers, rows()
