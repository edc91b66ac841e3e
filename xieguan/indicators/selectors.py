"""What the indicator pages and the API read: the figures of an area, their
breakdown by the areas below, the records behind one, the trend, the
ranking and the map. Every count comes from the registered tallies (the
same functions the month overview and the assessments read), each called
once for a whole area; no function here loads the units of a scope."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from xieguan.accounts.models import Institution, InstitutionType
from xieguan.areas.models import Area
from xieguan.areas.selectors import scope_root_for
from xieguan.core.registry import Indicator, Period, Rate, registry, tally_rows
from xieguan.indicators import tallies
from xieguan.indicators.spans import Span, last_months, month_span
from xieguan.inspections.models import Handover, HandoverStatus, Opinion, Reinspection, ReinspectionResult
from xieguan.inspections.selectors import patrol_status
from xieguan.units.models import CertificateKind, StaffCertificate, Unit
from xieguan.units.selectors import units_filed

MAP_LIMIT = 20000
# The states of a unit on the map, worst first; the index is what the map sends.
MAP_STATES = ("overdue", "open", "handed", "fine")


def indicator_of(code: str) -> Indicator | None:
    return next((i for i in registry.indicators if i.code == code), None)


def indicators() -> list[Indicator]:
    return list(registry.indicators)


@dataclass
class Figure:
    indicator: Indicator
    rate: Rate

    @property
    def code(self) -> str:
        return self.indicator.code


def _counts(
    user: Any, area: Area, period: Period, today: datetime.date, chosen: list[Indicator]
) -> list[tuple[str, dict[str, int]]]:
    rows: list[tuple[str, dict[str, int]]] = []
    for tally in dict.fromkeys(i.tally for i in chosen):
        rows.extend(
            (path, counts)
            for path, counts in tally_rows(tally, user, area=area, period=period, today=today)
            if path.startswith(area.path)
        )
    return rows


def _rate(indicator: Indicator, counts: Counter[str]) -> Rate:
    return Rate(counts[indicator.numerator], counts[indicator.denominator or ""])


def figures(
    user: Any, *, area: Area, period: Period, today: datetime.date, codes: list[str] | None = None
) -> list[Figure]:
    """Every indicator (or those of ``codes``) for ``area``: each tally called once."""
    chosen = [i for i in indicators() if codes is None or i.code in codes]
    total: Counter[str] = Counter()
    for _path, counts in _counts(user, area, period, today, chosen):
        total.update(counts)
    return [Figure(i, _rate(i, total)) for i in chosen]


@dataclass
class Row:
    area: Area | None
    label: str
    rate: Rate
    counts: Counter[str] = field(default_factory=Counter)
    is_own: bool = False  # the area's own records (a township's, not its villages')
    institution: Institution | None = None


def child_areas(user: Any, area: Area, since: datetime.date) -> list[Area]:
    """The areas directly below ``area`` the user sees, not retired before ``since``."""
    return list(
        Area.objects.visible_to(user)
        .filter(parent=area)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gte=since))
        .order_by("code", "name", "path")
    )


def breakdown(
    user: Any, indicator: Indicator, *, area: Area, period: Period, today: datetime.date
) -> tuple[Rate, list[Row]]:
    """The figure of ``area`` and of each area directly below it (and the
    area's own records, when some lie on it rather than below). One call of
    the indicator's tally, whatever the number of areas."""
    children = child_areas(user, area, period.first_day)
    by_segment = {c.id.hex: Row(c, c.name, Rate(0, 0)) for c in children}
    own = Row(area, _("%(area)s (own records)") % {"area": area.name}, Rate(0, 0), is_own=True)
    total: Counter[str] = Counter()
    depth = len([s for s in area.path.split("/") if s])
    for path, counts in _counts(user, area, period, today, [indicator]):
        total.update(counts)
        segments = [s for s in path.split("/") if s]
        row = by_segment.get(segments[depth]) if len(segments) > depth else own
        if row is not None:
            row.counts.update(counts)
    rows = list(by_segment.values())
    if own.counts:
        rows.insert(0, own)
    stations = {
        s.area_id: s
        for s in Institution.objects.filter(area__in=[c.pk for c in children] + [area.pk], type=InstitutionType.STATION)
    }
    for row in rows:
        row.rate = _rate(indicator, row.counts)
        if row.area is not None:
            row.institution = stations.get(row.area.pk)
    return _rate(indicator, total), rows


def trend(
    user: Any, indicator: Indicator, *, area: Area, year: int, month: int, today: datetime.date
) -> list[tuple[Span, Rate]]:
    """The indicator of ``area`` over the 12 reporting months up to (year, month)."""
    found = []
    for span in last_months(area, year, month):
        total: Counter[str] = Counter()
        for _path, counts in _counts(user, area, span, today, [indicator]):
            total.update(counts)
        found.append((span, _rate(indicator, total)))
    return found


def ranking_parent(user: Any, area: Area) -> tuple[Area, Area | None]:
    """Whose children are ranked, and which of them is marked: the area's
    own siblings when the user may see its parent, else its children."""
    root = scope_root_for(user)
    parent = area.parent if area.parent_id else None
    if parent is not None and (root is None or parent.path.startswith(root.path)):
        return parent, area
    return area, None


def ranking(
    user: Any, indicator: Indicator, *, area: Area, period: Period, today: datetime.date
) -> tuple[Area, list[tuple[int | None, Row, bool]]]:
    """The areas beside ``area`` (or below it) by the indicator, best first;
    those with nothing to count last, unranked. Each with whether it is ``area``."""
    parent, marked = ranking_parent(user, area)
    _total, rows = breakdown(user, indicator, area=parent, period=period, today=today)
    return parent, rank_rows(rows, marked)


def rank_rows(rows: list[Row], marked: Area | None = None) -> list[tuple[int | None, Row, bool]]:
    """Rows of a breakdown (not the area's own records) best first, each with
    its place; those with nothing to count last, unplaced; and whether each is ``marked``."""
    rows = [r for r in rows if not r.is_own]
    counted = sorted((r for r in rows if r.rate.percent is not None), key=lambda r: -(r.rate.percent or 0))
    empty = [r for r in rows if r.rate.percent is None]
    ranked: list[tuple[int | None, Row, bool]] = []
    for n, row in enumerate(counted, 1):
        ranked.append((n, row, marked is not None and row.area == marked))
    ranked.extend((None, row, marked is not None and row.area == marked) for row in empty)
    return ranked


# ---------------------------------------------------------------- the records behind a figure


def unit_records(user: Any, code: str, *, area: Area, period: Period, today: datetime.date) -> QuerySet[Any] | None:
    """The records one of this app's indicators counts, ``valid`` telling
    whether each is in its numerator; None for an indicator of another app
    (its own page lists them) or one counted by township and quarter."""
    if code == "licence":
        return tallies.licensed_units(user, area, period, today).select_related("area", "category")
    if code == "filing":
        return units_filed(user, area, period, today).select_related("area", "category")
    if code in ("health_cert", "training_cert"):
        kind = CertificateKind.HEALTH if code == "health_cert" else CertificateKind.TRAINING
        return tallies.certificates_counted(user, area, period, today, kind).select_related("unit", "unit__area")
    if code == "comanager_hours":
        return tallies.comanager_hours(user, area, period, today).select_related("institution")
    return None


def overdue_today(user: Any, *, area: Area, today: datetime.date) -> dict[str, int]:
    """What is overdue today in ``area``: units not patrolled in their
    window, opinions past their rectification deadline without a rectified
    re-inspection, handovers still open, certificates and licences expired."""
    # Units overdue: 巡查覆盖率's tally of this month (the worker's rollup from the county up).
    coverage = indicator_of("coverage")
    patrol = 0
    if coverage is not None:
        month = month_span(area, today.year, today.month)
        patrol = sum(
            counts.get("overdue", 0)
            for path, counts in tally_rows(coverage.tally, user, area=area, period=month, today=today)
            if path.startswith(area.path)
        )
    rectified = Reinspection.objects.filter(opinion=OuterRef("pk"), result=ReinspectionResult.RECTIFIED)
    opinions = Opinion.objects.visible_to(user).filter(area__path__startswith=area.path, deadline__lt=today)
    return {
        "patrol": patrol,
        "rectification": opinions.filter(~Exists(rectified)).count(),
        "handover": Handover.objects.visible_to(user)
        .filter(area__path__startswith=area.path)
        .exclude(status=HandoverStatus.CLOSED)
        .count(),
        "certificate": StaffCertificate.objects.visible_to(user)
        .filter(unit__area__path__startswith=area.path, expires_on__lt=today, unit__closed_on__isnull=True)
        .exclude(unit__status="closed")
        .count(),
    }


def _map_units(user: Any, area: Area, today: datetime.date) -> Any:
    """The units of ``area`` the map places (open, with a GPS point), each
    annotated with what its state is made of: ``is_overdue``, ``is_open``, ``is_handed``.
    (Typed ``Any``: a ``QuerySet[Unit]`` would lose the annotations for mypy's
    Django plugin, which then refuses the callers' ``values()`` on them.)"""
    view = patrol_status(user, year=today.year, month=today.month, township=area, today=today, rows=False)
    overdue_ids = view.units.filter(patrolled=False, w_end__lt=today).values("pk")
    rectified = Reinspection.objects.filter(opinion=OuterRef("pk"), result=ReinspectionResult.RECTIFIED)
    open_opinion = Opinion.objects.filter(unit=OuterRef("pk")).filter(~Exists(rectified))
    handed = Handover.objects.filter(unit=OuterRef("pk")).exclude(status=HandoverStatus.CLOSED)
    return (
        Unit.objects.visible_to(user)
        .existing()
        .filter(area__path__startswith=area.path, latitude__isnull=False, longitude__isnull=False)
        .annotate(
            is_overdue=Q(pk__in=Subquery(overdue_ids)),
            is_open=Exists(open_opinion),
            is_handed=Exists(handed),
        )
    )


def _map_state(overdue: bool, opened: bool, handed_over: bool) -> int:
    """A unit's state on the map (an index of MAP_STATES): the worst it is in."""
    return 0 if overdue else 1 if opened else 2 if handed_over else 3


def map_points(user: Any, *, area: Area, today: datetime.date, limit: int = MAP_LIMIT) -> tuple[list[list[Any]], int]:
    """The units of ``area`` that have a GPS point, each as [longitude,
    latitude, state index (MAP_STATES), id hex, name], worst state first,
    at most ``limit`` of them; and how many there are in all. Three queries."""
    units = _map_units(user, area, today)
    total = units.order_by().count()
    rows = units.order_by("-is_overdue", "-is_open", "-is_handed", "id").values_list(
        "id", "name", "longitude", "latitude", "is_overdue", "is_open", "is_handed"
    )[:limit]
    points = []
    for pk, name, lng, lat, overdue, opened, handed_over in rows:
        points.append(
            [
                round(float(lng or 0), 5),
                round(float(lat or 0), 5),
                _map_state(overdue, opened, handed_over),
                pk.hex,
                name,
            ]
        )
    return points, total


@dataclass
class MapRow:
    """One area's units on the map: how many in each state (MAP_STATES order)."""

    area: Area | None
    label: str
    states: list[int] = field(default_factory=lambda: [0] * len(MAP_STATES))
    is_own: bool = False

    @property
    def located(self) -> int:
        """Units with a location: the denominator of each state's share."""
        return sum(self.states)

    def rate(self, state: int) -> Rate:
        """The share of the area's located units in ``state``."""
        return Rate(self.states[state], self.located)


def map_counts(user: Any, *, area: Area, today: datetime.date) -> tuple[MapRow, list[MapRow]]:
    """What the map shows, counted: the units of ``area`` by state, and the
    same for each area directly below it (and the area's own units, when
    some lie on it rather than below). Every unit the map could place, not
    only the ``MAP_LIMIT`` it draws; grouped by the database (a row per area
    path and state), never a row per unit."""
    children = child_areas(user, area, today)
    total = MapRow(area, area.name)
    by_segment = {c.id.hex: MapRow(c, c.name) for c in children}
    own = MapRow(area, _("%(area)s (own records)") % {"area": area.name}, is_own=True)
    depth = len([s for s in area.path.split("/") if s])
    grouped = (
        _map_units(user, area, today)
        .order_by()
        .values("area__path", "is_overdue", "is_open", "is_handed")
        .annotate(n=Count("id"))
    )
    for row in grouped:
        state = _map_state(row["is_overdue"], row["is_open"], row["is_handed"])
        total.states[state] += row["n"]
        segments = [s for s in row["area__path"].split("/") if s]
        target = by_segment.get(segments[depth]) if len(segments) > depth else own
        if target is not None:
            target.states[state] += row["n"]
    rows = list(by_segment.values())
    if own.located:
        rows.insert(0, own)
    return total, rows
