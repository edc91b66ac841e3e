"""Scoped reads of the registry, and what makes a unit's file complete."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.core.registry import Period, judged_on, with_risk
from xieguan.core.scope import NOTHING, ScopedQuerySet, area_ids_within, get_object_for_user, scope_path_for
from xieguan.units.duplicates import (
    Candidate,
    duplicate_pairs,
    is_near_identical,
    normalise_address,
    normalise_name,
    normalised_pair,
    place_names_for,
)
from xieguan.units.models import (
    Category,
    CategoryField,
    ImportBatch,
    Licence,
    StaffCertificate,
    Subtype,
    Unit,
    UnitFiling,
    UnitQuerySet,
    UnitStatus,
    county_id_of,
    name_initials_match,
    short_term_match,
)

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
    "risk": ["-risk_score", "id"],  # riskiest first (``with_risk``: the risk app's score, 0 without one)
}


def units_existing_in(qs: QuerySet[Unit], start: datetime.date, end: datetime.date) -> QuerySet[Unit]:
    """Units that existed during [start, end]: opened (or registered) by its
    end and not closed before its start. [day, day] gives those that existed
    on one day."""
    opened = Q(opened_on__lte=end) | Q(opened_on__isnull=True, created_at__date__lte=end)
    not_closed = Q(closed_on__gte=start) | (Q(closed_on__isnull=True) & ~Q(status=UnitStatus.CLOSED))
    return qs.filter(opened & not_closed)


# ---- categories as a county has them ------------------------------------------


def unit_county_id(unit: Unit) -> uuid.UUID | None:
    """The county whose fields a unit carries: read off its area's path (so
    a unit not saved yet, or just moved, counts where its area is)."""
    if unit.area_id is not None:
        return county_id_of(unit.area)
    return unit.county_id


def county_id_for_user(user: Any) -> uuid.UUID | None:
    """The county the user works in (their institution's county, or the one
    their township or village lies in); None above county level."""
    institution = getattr(user, "institution", None)
    return county_id_of(institution.area) if institution is not None else None


def fields_in_force(category: Category, county_id: Any, *, with_inactive: bool = False) -> list[CategoryField]:
    """The fields a unit of ``category`` in the county carries: the national
    ones, then the county's own in use (and, ``with_inactive``, those it
    switched off, for labelling values kept from before). One query."""
    qs = CategoryField.objects.filter(category=category)
    qs = qs.for_county(county_id) if with_inactive else qs.in_force(county_id)
    return list(qs.order_by("sort", "key", "id"))


def subtypes_in_force(category: Category, county_id: Any) -> Any:
    """The subtypes a unit of ``category`` in the county may be given."""
    return Subtype.objects.filter(category=category).in_force(county_id).order_by("sort", "name", "id")


def _own_counties(user: Any) -> Q:
    """The counties whose own subtypes and fields the user may read: the
    county they work in and every county in their area."""
    scope = scope_path_for(user)
    if scope == "":
        return Q()
    condition = Q(county__isnull=True)
    own = county_id_for_user(user)
    if own is not None:
        condition |= Q(county_id=own)
    if scope != NOTHING:
        condition |= Q(county__path__startswith=scope)
    return condition


def subtypes_visible_to(user: Any) -> Any:
    """The national subtypes and those of the counties the user may read,
    with their category (a filter's choices): never another county's."""
    return Subtype.objects.filter(_own_counties(user)).select_related("category", "county")


def category_fields_visible_to(user: Any) -> Any:
    """The national fields and those of the counties the user may read."""
    return CategoryField.objects.filter(_own_counties(user)).select_related("county")


def get_settings_county_for_user(user: Any, pk: Any = None) -> Area:
    """The county whose categories a page or the API shows: ``pk`` when the
    user may read it (a county in their area, or the one they work in),
    else the user's own county, else the first county in their area; 404
    when there is none (or ``pk`` is another county)."""
    counties = Area.objects.filter(level=Level.COUNTY)
    own = county_id_for_user(user)
    if pk not in (None, ""):
        try:
            wanted = uuid.UUID(str(pk))
        except ValueError:
            raise Http404 from None
        mine = counties.filter(pk=own).first() if own is not None and wanted == own else None
        return mine or get_object_for_user(counties, user, wanted)
    mine = counties.filter(pk=own).first() if own is not None else None
    if mine is not None:
        return mine
    first = counties.visible_to(user).order_by("path").first()
    if first is None:
        raise Http404
    return first


@dataclass
class CategorySettings:
    """One category as a county has it: the national subtypes and fields,
    then the county's own (switched off ones too)."""

    category: Category
    subtypes: list[Subtype]
    fields: list[CategoryField]


def category_settings_for(county: Area) -> list[CategorySettings]:
    """Every category with its subtypes and fields as ``county`` has them.
    Three queries, whatever the number of categories."""
    subtypes: dict[int, list[Subtype]] = {}
    for subtype in Subtype.objects.for_county(county.pk).order_by("sort", "name", "id"):
        subtypes.setdefault(subtype.category_id, []).append(subtype)
    fields: dict[int, list[CategoryField]] = {}
    for field in CategoryField.objects.for_county(county.pk).order_by("sort", "key", "id"):
        fields.setdefault(field.category_id, []).append(field)
    return [
        CategorySettings(category=c, subtypes=subtypes.get(c.pk, []), fields=fields.get(c.pk, []))
        for c in Category.objects.order_by("sort", "code")
    ]


def get_subtype_for_user(user: Any, pk: Any) -> Subtype:
    """A subtype the user may read (a national one, or one of a county they
    may read); 404 otherwise, as for one that does not exist."""
    try:
        return Subtype.objects.filter(_own_counties(user)).select_related("category", "county").get(pk=int(pk))
    except (Subtype.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_category_field_for_user(user: Any, pk: Any) -> CategoryField:
    """A category field the user may read; 404 otherwise."""
    try:
        return CategoryField.objects.filter(_own_counties(user)).select_related("category", "county").get(pk=int(pk))
    except (CategoryField.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def missing_fields(unit: Unit, in_county: list[CategoryField] | None = None) -> list[tuple[str, str]]:
    """(key, label) of every required field the unit has not filled: the
    common ones, then the required fields its category has in the unit's
    county (``extra.<key>``): the national ones and the county's own.
    ``in_county``: the county's fields, switched-off ones included
    (``fields_in_force(..., with_inactive=True)``) when the caller has
    them already (the unit file), so they are not asked again."""
    missing: list[tuple[str, str]] = []
    for name, label in COMMON_REQUIRED:
        if getattr(unit, name) in (None, ""):
            missing.append((name, str(label)))
    extra = unit.extra or {}
    if in_county is None:
        in_force = fields_in_force(unit.category, unit_county_id(unit))
    else:
        in_force = [f for f in in_county if f.is_active]
    for field in in_force:
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


def _narrowed(qs: Any, path: str) -> Any:
    """``qs`` limited to units of areas under ``path`` (one cheap query on
    the area tree first, see core.scope.NARROW_SCOPE_AREAS). A county's scope is its
    units' own ``county`` column, which ``unit_county_name_idx`` reads in
    name order: given its 130 areas as a list instead, PostgreSQL walked
    the province-wide name index and threw away 42,000 rows for the first
    page (0.4–0.8 s under load, issue 19 item 5). A prefecture's or a
    province's scope is likewise its counties, as a list: joined on the area
    path, a city user's search for 饭店 walked 42,000 units of the province
    in name order for the 51 of its city (215 ms); by its ten counties the
    database reads the term's index and sorts the city's few hundred."""
    segments = [s for s in path.split("/") if s]
    if len(segments) == 3:
        return qs.filter(county_id=uuid.UUID(hex=segments[2]))
    if len(segments) < 3:
        counties = Area.objects.filter(path__startswith=path, level=Level.COUNTY).values_list("id", flat=True)
        return qs.filter(county_id__in=list(counties))
    ids = area_ids_within(path)
    if ids is not None:
        return qs.filter(area_id__in=ids)
    return qs.filter(area__path__startswith=path)


def units_in_scope(user: Any) -> UnitQuerySet:
    """Every unit the user may see: the same rows as ``visible_to``, asked of
    the database in the form it answers fastest for the scope's width."""
    path = scope_path_for(user)
    qs = Unit.objects.for_list()
    if path in ("", NOTHING):
        return qs.visible_to(user)
    return _narrowed(qs, path)


# A short term held by at most this many units (in the whole registry) is
# looked up by their ids; see ``_rare_term``.
RARE_TERM_UNITS = 1000


def _rare_term(short: Q) -> Q:
    """The condition for a one- or two-character term, in the form the
    database answers fastest. PostgreSQL cannot know that a pair is rare or
    absent (王记): it guesses about 1,500 units and walks the name index for
    the first page, reading all 300,000 units to find none (2.8 s on the
    generated province). So the GIN index is asked first, without order, for
    up to ``RARE_TERM_UNITS`` + 1 ids (under 1 ms for a rare term, under
    20 ms for 店); a rare term then becomes those ids, a common one stays the
    token test, which the name index meets early."""
    ids = list(Unit.objects.filter(short).order_by().values_list("pk", flat=True)[: RARE_TERM_UNITS + 1])
    if len(ids) > RARE_TERM_UNITS:
        return short
    # No unit at all: a condition no row meets that is still SQL (an empty
    # ``IN ()`` is not, and EXPLAIN and the keyset pager read the SQL).
    return Q(pk__in=ids) if ids else Q(pk__isnull=True)


def units_filtered(user: Any, filters: UnitFilters, *, today: datetime.date | None = None) -> ScopedQuerySet[Unit]:
    """The units in the user's area that match the filters. The search finds
    a name, address or credit code containing the text, or pinyin initials
    of any word of the name (``hxjd`` → 红星酒店, ``fskcd`` → 城关丰收快餐店;
    ``models.name_initials_match``)."""
    qs = cast(ScopedQuerySet[Unit], with_risk(units_in_scope(user).current()))  # ``risk_score`` for the risk sort
    if filters.q:
        q = filters.q.strip()
        short = short_term_match(q)
        if short is not None:
            # One or two characters (饭店, 店, hx): the indexed search column,
            # the text re-checked; initials of one letter match from the start.
            # Credit codes hold only ASCII letters and digits.
            condition = _rare_term(short)
            if q.isascii():
                condition |= Q(credit_code__startswith=q.upper())
            if len(q) == 1 and q.isascii() and q.isalnum():
                condition |= name_initials_match(q)
        else:
            condition = Q(name__icontains=q) | Q(address__icontains=q) | Q(credit_code__startswith=q.upper())
            if q.isascii() and q.isalnum():
                condition |= name_initials_match(q)
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


def filing_rate_by_township(user: Any, within: Area | None = None) -> list[FilingRate]:
    """建档率 per township in the user's area (within ``within`` if given: the county or city an overview shows):
    filing_rate = units with a complete file ÷ units existing (not closed).
    Two queries, whatever the number of units."""
    chosen = Area.objects.visible_to(user).filter(level=Level.TOWNSHIP).in_code_order()
    units = Unit.objects.existing().current().visible_to(user)
    if within is not None:
        chosen = chosen.filter(path__startswith=within.path)
        # By the areas' ids, so a county's units are read by index, not found by scanning a province.
        units = units.filter(area_id__in=Area.objects.filter(path__startswith=within.path).values("id"))
    townships = list(chosen)
    rows = units.values("area__path").annotate(total=Count("id"), complete=Count("id", filter=Q(is_complete=True)))
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


def units_filed(user: Any, area: Area, period: Period, today: datetime.date) -> QuerySet[Unit]:
    """The units 建档率 counts for ``area`` and ``period``: those the user
    sees that existed on the period's judging day (its last day, or today
    while it runs), annotated ``valid``: their file was complete that day,
    and ``ref_day``: the day. Today ``is_complete`` is the answer; for a
    day past, each unit's latest filing-history row on or before it (one
    probe of the (unit, since) index per unit). A unit without a row by
    then had no file yet: incomplete."""
    day = judged_on(period, today)
    scoped = Unit.objects.visible_to(user).current().filter(area__path__startswith=area.path)
    units = units_existing_in(scoped, day, day).annotate(ref_day=Value(day, output_field=DateField()))
    if day >= today:
        return units.annotate(valid=F("is_complete"))
    then = UnitFiling.objects.filter(unit=OuterRef("pk"), since__lte=day).order_by("-since").values("complete")[:1]
    return units.annotate(valid=Coalesce(Subquery(then), Value(False)))


# ---- possible duplicates --------------------------------------------------


def township_path_of(path: str) -> str:
    """The path of the township an area path lies in (itself for a township);
    "" above township level."""
    segments = [s for s in path.split("/") if s]
    if len(segments) < Level.TOWNSHIP:
        return ""
    return "/" + "".join(f"{s}/" for s in segments[: Level.TOWNSHIP])


def place_names_near(township_paths: Iterable[str]) -> list[str]:
    """Names of the townships, their villages and the areas above them: what
    people write in front of a unit's name or address. One query."""
    paths = [p for p in set(township_paths) if p]
    if not paths:
        return []
    ids = {seg for p in paths for seg in p.split("/") if seg}
    condition = Q(id__in=[uuid.UUID(hex=i) for i in ids])
    for p in paths:
        condition |= Q(path__startswith=p, level=Level.VILLAGE)
    return place_names_for(Area.objects.filter(condition).values_list("name", flat=True))


def _candidates(rows: Iterable[dict[str, Any]], places: list[str]) -> list[Candidate]:
    return [
        Candidate(
            key=row["id"],
            group=township_path_of(row["area__path"]),
            name=normalise_name(row["name"], places=places),
            address=normalise_address(row["address"], places=places),
            credit_code=row["credit_code"],
        )
        for row in rows
    ]


_DUP_VALUES = ("id", "name", "address", "credit_code", "area__path")


def possible_duplicates_of(unit: Unit, user: Any) -> list[tuple[Unit, str]]:
    """Units in the user's scope that may be this one registered again: the
    same credit code, or a near-identical name and address in its township
    (see xieguan.units.duplicates). The township's units are compared as
    plain rows and only the ones found are loaded.

    The township and the credit code are asked apart: as one OR across the
    area join, a city or province user's scope made PostgreSQL walk the
    city's units for every unit file opened (125 ms); apart, each reads its
    own index."""
    township = township_path_of(unit.area.path)
    if not township:
        return []
    current = Unit.objects.current().exclude(pk=unit.pk)
    near = current.filter(area__path__startswith=township)
    if not township.startswith(scope_path_for(user)):
        near = near.visible_to(user)  # a village doctor sees part of the township
    rows = list(near.values(*_DUP_VALUES))
    if unit.credit_code:
        same_code = current.visible_to(user).filter(credit_code=unit.credit_code)
        rows += same_code.exclude(area__path__startswith=township).values(*_DUP_VALUES)
    places = tuple(place_names_near([township]))
    name, address = normalised_pair(unit.name or "", unit.address or "", places)
    reasons: dict[Any, str] = {}
    for other in rows:
        if unit.credit_code and other["credit_code"] == unit.credit_code:
            reasons[other["id"]] = "credit_code"
        elif township_path_of(other["area__path"]) == township and is_near_identical(
            name, address, *normalised_pair(other["name"] or "", other["address"] or "", places)
        ):
            reasons[other["id"]] = "name"
    if not reasons:
        return []
    found = Unit.objects.select_related("area").in_bulk(list(reasons))
    return [(found[pk], reason) for pk, reason in reasons.items() if pk in found]


@dataclass
class DuplicatePair:
    first: Unit
    second: Unit
    reason: str  # "credit_code" or "name"


def duplicate_pairs_for(user: Any, *, area: Area | None = None) -> list[DuplicatePair]:
    """Every possible duplicate pair among the current units in the user's
    scope (or in ``area``), by township then name. Four queries, whatever
    the number of pairs."""
    qs = Unit.objects.current().visible_to(user)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    rows = list(qs.values(*_DUP_VALUES))
    places = place_names_near(township_path_of(r["area__path"]) for r in rows)
    pairs = duplicate_pairs(_candidates(rows, places))
    units = Unit.objects.for_list().in_bulk([k for a, b, _r in pairs for k in (a.key, b.key)])
    result = [DuplicatePair(units[a.key], units[b.key], reason) for a, b, reason in pairs]
    result.sort(key=lambda p: (p.first.area.path, p.first.name, p.second.name))
    return result


# ---- import batches ---------------------------------------------------------


def import_batches_for(user: Any) -> ScopedQuerySet[ImportBatch]:
    """Uploads of unit sheets in the user's area, newest first."""
    return ImportBatch.objects.visible_to(user).select_related("category", "created_by").order_by("-created_at", "-id")


def get_import_batch_for_user(user: Any, pk: Any) -> ImportBatch:
    """The batch if it belongs to the user's area; 404 otherwise."""
    return get_object_for_user(ImportBatch.objects.select_related("category", "created_by", "area"), user, pk)
