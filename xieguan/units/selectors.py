"""Scoped reads of the registry, and what makes a unit's file complete."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.core.scope import NOTHING, ScopedQuerySet, get_object_for_user, scope_path_for
from xieguan.units.models import Licence, StaffCertificate, Unit

# Common fields every complete file has filled (不错项、不空项), besides the
# category's own required fields. A credit code is not among them: a village
# clinic or a household eatery may have none.
COMMON_REQUIRED = (
    ("address", _("address")),
    ("legal_representative", _("legal representative")),
    ("phone", _("contact phone")),
    ("subtype", _("subtype")),
)
EXPIRING_DAYS = 30

# The registry's sorts; each ends in the key so a keyset page is total.
UNIT_ORDERINGS: dict[str, list[str]] = {
    "name": ["name", "id"],
    "recent": ["-updated_at", "-id"],
}


def missing_fields(unit: Unit) -> list[tuple[str, str]]:
    """(key, label) of every required field the unit has not filled: the
    common ones, then its category's required fields (``extra.<key>``)."""
    missing: list[tuple[str, str]] = []
    for name, label in COMMON_REQUIRED:
        if getattr(unit, name) in (None, ""):
            missing.append((name, str(label)))
    extra = unit.extra or {}
    for field in unit.category.fields.all():
        if field.required and extra.get(field.key) in (None, ""):
            missing.append((f"extra.{field.key}", field.label))
    return missing


def is_complete(unit: Unit) -> bool:
    """Whether every required field of the unit's file is filled (建档完整)."""
    return not missing_fields(unit)


def get_unit_for_user(user: Any, pk: Any) -> Unit:
    """The unit if it lies in the user's area; 404 otherwise."""
    return get_object_for_user(Unit.objects.select_related("area", "category", "subtype"), user, pk)


@dataclass
class UnitFilters:
    q: str = ""
    category: Any = None
    subtype: Any = None
    area: Area | None = None
    status: str = ""
    key_unit: bool | None = None
    risk_grade: str = ""
    incomplete: bool = False
    licence_expiring: bool = False
    licence_expired: bool = False


# Up to this many areas, a scope is given to the database as a list of area
# ids (a township and its villages, a county): it then reads those areas'
# units by index and sorts a few hundred or thousand rows. A wider scope (a
# prefecture, a province) stays a join on the area path, where walking the
# name index and keeping most rows is the better plan.
NARROW_SCOPE_AREAS = 500


def _narrowed(qs: Any, path: str) -> Any:
    """``qs`` limited to units of areas under ``path`` (one cheap query on
    the area tree first, see NARROW_SCOPE_AREAS)."""
    ids = list(Area.objects.filter(path__startswith=path).values_list("id", flat=True)[: NARROW_SCOPE_AREAS + 1])
    if len(ids) <= NARROW_SCOPE_AREAS:
        return qs.filter(area_id__in=ids)
    return qs.filter(area__path__startswith=path)


def units_in_scope(user: Any) -> ScopedQuerySet[Unit]:
    """Every unit the user may see: the same rows as ``visible_to``, asked of
    the database in the form it answers fastest for the scope's width."""
    path = scope_path_for(user)
    qs = Unit.objects.for_list()
    if path in ("", NOTHING):
        return qs.visible_to(user)
    return _narrowed(qs, path)


def units_filtered(user: Any, filters: UnitFilters, *, today: datetime.date | None = None) -> ScopedQuerySet[Unit]:
    """The units in the user's area that match the filters. The search finds
    a name, address or credit code containing the text, or pinyin initials
    beginning with it (``hxjd`` → 红星酒店)."""
    qs = units_in_scope(user)
    if filters.q:
        q = filters.q.strip()
        condition = Q(name__icontains=q) | Q(address__icontains=q) | Q(credit_code__startswith=q.upper())
        if q.isascii() and q.isalnum():
            condition |= Q(name_initials__startswith=q.lower())
        qs = qs.filter(condition)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    if filters.subtype is not None:
        qs = qs.filter(subtype=filters.subtype)
    if filters.area is not None:
        qs = _narrowed(qs, filters.area.path)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.key_unit is not None:
        qs = qs.filter(is_key_unit=filters.key_unit)
    if filters.risk_grade:
        qs = qs.filter(risk_grade=filters.risk_grade)
    if filters.incomplete:
        qs = qs.filter(is_complete=False)
    today = today or timezone.localdate()
    if filters.licence_expiring:
        qs = qs.filter(pk__in=_expiring(Licence.objects.all(), today).values("unit_id"))
    if filters.licence_expired:
        qs = qs.filter(pk__in=_expired(Licence.objects.all(), today).values("unit_id"))
    return qs


def _expiring(qs: Any, today: datetime.date, days: int = EXPIRING_DAYS) -> Any:
    """Rows whose expiry falls today or within the next ``days`` days."""
    return qs.filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=days))


def _expired(qs: Any, today: datetime.date) -> Any:
    """Rows whose expiry date has passed."""
    return qs.filter(expires_on__lt=today)


EXPIRY_STATES = ("expiring", "expired")


def licences_by_expiry(
    user: Any, *, state: str, days: int = EXPIRING_DAYS, today: datetime.date | None = None
) -> ScopedQuerySet[Licence]:
    """Licences in the user's area that expire within ``days`` days
    (``state="expiring"``) or have expired (``"expired"``), with their unit
    and its area fetched in the same query; ordered by expiry date."""
    today = today or timezone.localdate()
    qs = Licence.objects.visible_to(user).select_related("unit", "unit__area")
    qs = _expired(qs, today) if state == "expired" else _expiring(qs, today, days)
    return qs.order_by("expires_on", "id")


def certificates_by_expiry(
    user: Any, *, state: str, days: int = EXPIRING_DAYS, today: datetime.date | None = None
) -> ScopedQuerySet[StaffCertificate]:
    """Staff certificates (健康证, 培训合格证) in the user's area that expire
    within ``days`` days or have expired; ordered by expiry date."""
    today = today or timezone.localdate()
    qs = StaffCertificate.objects.visible_to(user).select_related("unit", "unit__area")
    qs = _expired(qs, today) if state == "expired" else _expiring(qs, today, days)
    return qs.order_by("expires_on", "id")


@dataclass
class FilingRate:
    township: Area
    units: int
    complete: int

    @property
    def rate(self) -> float | None:
        return self.complete / self.units if self.units else None


def filing_rate_by_township(user: Any) -> list[FilingRate]:
    """建档率 per township in the user's area:
    filing_rate = units with a complete file ÷ units existing (not closed).
    Two queries, whatever the number of units."""
    townships = list(Area.objects.visible_to(user).filter(level=Level.TOWNSHIP).order_by("path"))
    rows = (
        Unit.objects.existing()
        .visible_to(user)
        .values("area__path")
        .annotate(total=Count("id"), complete=Count("id", filter=Q(is_complete=True)))
    )
    by_segment: dict[str, list[int]] = {}
    for row in rows:
        segments = [s for s in row["area__path"].split("/") if s]
        if len(segments) < Level.TOWNSHIP:
            continue
        counts = by_segment.setdefault(segments[Level.TOWNSHIP - 1], [0, 0])
        counts[0] += row["total"]
        counts[1] += row["complete"]
    result = []
    for township in townships:
        total, complete = by_segment.get(township.id.hex, [0, 0])
        result.append(FilingRate(township=township, units=total, complete=complete))
    return result
