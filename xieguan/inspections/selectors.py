"""Scoped reads of patrols and inspections (SPEC §4): what is due, done and
overdue, coverage (巡查覆盖率), the 巡查登记表, and the records by id."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from xieguan.areas.models import Area, Level
from xieguan.core.display import join_clauses, join_list, labelled, with_note
from xieguan.core.registry import MonthSchedule, month_schedules, registry, tally_counted_at, tally_rows, with_risk
from xieguan.core.scope import get_object_for_user, scope_path_for
from xieguan.core.validators import local_midnight
from xieguan.inspections.models import (
    ChecklistTemplate,
    FrequencyRule,
    Handover,
    Inspection,
    InspectionInspector,
    InspectionStatus,
    MonthlyPlan,
    Opinion,
    Period,
    Photo,
    Reinspection,
)
from xieguan.units.models import Unit, UnitStatus

# ---------------------------------------------------------------- by id


def get_inspection_for_user(user: Any, pk: Any) -> Inspection:
    qs = Inspection.objects.select_related(
        "unit", "unit__category", "unit__subtype", "area", "template", "recorded_by", "institution", "supersedes"
    )
    return get_object_for_user(qs, user, pk)


def get_opinion_for_user(user: Any, pk: Any) -> Opinion:
    return get_object_for_user(Opinion.objects.select_related("unit", "area", "inspection", "issued_by"), user, pk)


def get_reinspection_for_user(user: Any, pk: Any) -> Reinspection:
    return get_object_for_user(
        Reinspection.objects.select_related("opinion", "opinion__unit", "area", "recorded_by"), user, pk
    )


def get_handover_for_user(user: Any, pk: Any) -> Handover:
    qs = Handover.objects.select_related(
        "unit", "area", "inspection", "opinion", "reinspection", "sent_by", "handled_by"
    )
    return get_object_for_user(qs, user, pk)


def plan_progress(plan: MonthlyPlan) -> list[tuple[Unit, bool]]:
    """The plan's units by name, each with whether a submitted record of it
    lies in the plan's month (the county's reporting period). Three queries."""
    start, end = month_window(plan.township, plan.year, plan.month)
    done_ids = set(
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED,
            unit__in=plan.units.all(),
            started_at__date__gte=start,
            started_at__date__lte=end,
        ).values_list("unit_id", flat=True)
    )
    units = with_risk(plan.units.select_related("area")).order_by("-risk_score", "name", "id")  # riskiest first
    return [(unit, unit.pk in done_ids) for unit in units]


def get_plan_for_user(user: Any, pk: Any) -> MonthlyPlan:
    return get_object_for_user(MonthlyPlan.objects.select_related("township"), user, pk)


def inspection_detail(inspection: Inspection) -> dict[str, Any]:
    """Everything the record page and its PDF show, in a fixed number of queries."""
    answers = list(inspection.answers.select_related("item").order_by("item__sort", "id"))
    inspectors = [
        link.user
        for link in InspectionInspector.objects.filter(inspection=inspection).select_related("user").order_by("id")
    ]
    signatures = list(inspection.signatures.select_related("user").order_by("role", "created_at"))
    return {
        "answers": answers,
        "failing": [a for a in answers if a.result == "fails"],
        "inspectors": inspectors,
        "signatures": signatures,
        "photos": list(inspection.photos.order_by("created_at", "id")),
        "opinions": list(inspection.opinions.order_by("issued_at")),
        "newer": Inspection.objects.filter(supersedes=inspection).first(),
    }


# ---------------------------------------------------------------- checklists


def checklists_visible(user: Any) -> QuerySet[ChecklistTemplate]:
    """National checklists and those of the counties the user works in or above."""
    scope = scope_path_for(user)
    qs = ChecklistTemplate.objects.select_related("county", "category", "subtype")
    if scope == "":
        return qs
    ancestors = []
    path = scope
    while path.count("/") > 1:
        ancestors.append(path)
        path = path[: path.rstrip("/").rfind("/") + 1]
    return qs.filter(Q(county__isnull=True) | Q(county__path__in=ancestors) | Q(county__path__startswith=scope))


def get_checklist_for_user(user: Any, pk: Any) -> ChecklistTemplate:
    from django.http import Http404

    try:
        return checklists_visible(user).get(pk=pk)
    except (ChecklistTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    except Exception as exc:  # a malformed UUID
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise Http404 from None
        raise


def counties_managed(user: Any) -> QuerySet[Area]:
    """The counties whose settings the user may change (their own or below)."""
    return Area.objects.visible_to(user).filter(level=Level.COUNTY).in_code_order()


def user_county(user: Any) -> Area | None:
    """The county the user works in (or the first under them)."""
    institution = getattr(user, "institution", None)
    if institution is None:
        return counties_managed(user).first()
    area = institution.area
    if area.level == Level.COUNTY:
        return area
    if area.level < Level.COUNTY:
        return counties_managed(user).first()
    from xieguan.inspections.services.common import county_of

    return county_of(area)


# ---------------------------------------------------------------- due, done, coverage


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return start, end


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    _s, end = month_bounds(year, 3 * quarter)
    return start, end


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def frequency_of(unit: Unit, rules: Iterable[FrequencyRule]) -> str:
    """The unit's patrol frequency: the most specific matching rule of its
    county (category and key flag > category > key flag > county-wide); by
    default key units monthly and every other unit quarterly."""
    best: tuple[int, str] | None = None
    for rule in rules:
        if rule.category_id is not None and rule.category_id != unit.category_id:
            continue
        if rule.key_unit is not None and rule.key_unit != unit.is_key_unit:
            continue
        if not unit.area.path.startswith(rule.county.path):
            continue
        weight = (2 if rule.category_id is not None else 0) + (1 if rule.key_unit is not None else 0)
        if best is None or weight > best[0]:
            best = (weight, rule.period)
    if best is not None:
        return best[1]
    return Period.MONTH if unit.is_key_unit else Period.QUARTER


@dataclass
class UnitPatrol:
    unit: Unit
    frequency: str
    window_start: datetime.date
    window_end: datetime.date
    done_on: datetime.date | None
    state: str  # "done", "due" or "overdue"


@dataclass
class Coverage:
    township: Area
    due: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float | None:
        """巡查覆盖率 = units patrolled in their window ÷ units due (≤ 100%)."""
        return self.done / self.due if self.due else None


@dataclass
class PatrolView:
    start: datetime.date
    end: datetime.date
    rows: list[UnitPatrol] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    units: Any = None  # the annotated queryset the figures were counted from (``patrol_units``)
    counts: dict[str, int] = field(default_factory=dict)  # units by state ("" all) in the whole view

    @property
    def total(self) -> Coverage:
        total = Coverage(township=None)  # type: ignore[arg-type]
        for c in self.coverage:
            total.due += c.due
            total.done += c.done
            total.overdue += c.overdue
        return total


def _county_segment(path: str) -> str:
    segments = [s for s in path.split("/") if s]
    return segments[Level.COUNTY - 1] if len(segments) >= Level.COUNTY else ""


Window = tuple[datetime.date, datetime.date]


def _windows(
    schedule: MonthSchedule | None, year: int, month: int | None, quarter: int | None
) -> tuple[Window, Window]:
    """(the month's window, its quarter's window) of a county: its reporting
    periods (a quarter = its three months' periods), the calendar without a
    schedule. For a quarter alone (``month`` None) both are the quarter."""
    q = quarter_of(month) if month is not None else (quarter or 1)
    if schedule is None:
        q_window = quarter_bounds(year, q)
        return (month_bounds(year, month) if month is not None else q_window), q_window
    q_window = (schedule.period(year, 3 * q - 2).first_day, schedule.period(year, 3 * q).last_day)
    if month is None:
        return q_window, q_window
    period = schedule.period(year, month)
    return (period.first_day, period.last_day), q_window


def current_month(user: Any, today: datetime.date, area: Area | None = None) -> tuple[int, int]:
    """The (year, month) of the reporting period ``today`` falls in for the
    county of ``area`` (or of the user's own area): with periods from the
    26th, 27 December is already January's. The calendar month above
    county level. One query."""
    path = area.path if area is not None else scope_path_for(user)
    schedules = month_schedules(path)
    county = _county_segment(path)
    if schedules is None or not county:
        return today.year, today.month
    period = schedules(county).containing(today)
    return period.year, period.month


def _schedule_of(area: Area) -> MonthSchedule | None:
    """The reporting months of ``area``'s county (None: the calendar). One query."""
    county = _county_segment(area.path)
    schedules = month_schedules(area.path) if county else None
    return schedules(county) if schedules is not None else None


def month_window(area: Area, year: int, month: int) -> Window:
    """The first and last day of (year, month) in ``area``'s county: its
    reporting period (the calendar month without one). One query."""
    return _windows(_schedule_of(area), year, month, None)[0]


def _windows_by_county(
    schedules: Any, path: str, year: int, month: int | None, quarter: int | None, on: datetime.date | None
) -> tuple[tuple[Window, Window], dict[tuple[Window, Window], list[str]]]:
    """The windows of the counties with no rule of their own (the calendar)
    and, grouped by their windows, the counties at, under or above ``path``
    whose rules make theirs differ. No query: the counties with rules are
    those the schedules' lookup knows."""

    def of(schedule: MonthSchedule | None) -> tuple[Window, Window]:
        y, m = year, month
        if on is not None:
            y, m = (on.year, on.month) if schedule is None else _ym(schedule.containing(on))
        return _windows(schedule, y, m, quarter if on is None else None)

    default = of(None)
    groups: dict[tuple[Window, Window], list[str]] = {}
    known = getattr(schedules, "known", None) if schedules is not None else None
    counties = list(known) if known is not None else []
    home = _county_segment(path)
    if schedules is not None and known is None and home:
        counties = [home]
    for county in counties:
        windows = of(schedules(county))
        if windows != default:
            groups.setdefault(windows, []).append(county)
    return default, groups


def _by_county(groups: dict[Any, list[str]], pick: Callable[[Any], Any], default: Any, field: Any) -> Any:
    """A SQL CASE giving each unit its own county's value (``pick`` of its windows)."""
    whens = [
        When(reduce(operator.or_, (Q(area__path__contains=f"/{c}/") for c in counties)), then=Value(pick(w)))
        for w, counties in groups.items()
    ]
    return Case(*whens, default=Value(pick(default)), output_field=field) if whens else Value(pick(default), field)


def patrol_units(
    user: Any,
    *,
    year: int,
    month: int | None = None,
    quarter: int | None = None,
    township: Area | None = None,
    today: datetime.date,
    on: datetime.date | None = None,
) -> tuple[QuerySet[Unit], Window]:
    """The units ``patrol_status`` counts, each annotated in SQL with its
    ``frequency``, its window (``w_start``, ``w_end``), ``done_on`` (the
    last patrol in it) and ``state``, and the window of the path's own
    county (the calendar's above county level). Nothing is read into
    Python but the counties' start days and the frequency rules (two
    queries), so a province costs what a township costs in queries."""
    path = township.path if township is not None else scope_path_for(user)
    schedules = month_schedules(path)
    default, groups = _windows_by_county(schedules, path, year, month, quarter, on)
    home = _county_segment(path)
    own = next((w for w, counties in groups.items() if home in counties), default) if home else default
    date = DateField()
    m_start = _by_county(groups, lambda w: w[0][0], default, date)
    m_end = _by_county(groups, lambda w: w[0][1], default, date)
    q_start = _by_county(groups, lambda w: w[1][0], default, date)
    q_end = _by_county(groups, lambda w: w[1][1], default, date)
    # The same windows as moments (local midnight to the midnight after),
    # so a patrol is found by the index on (unit, status, started_at)
    # instead of converting every started_at to a local date.
    moment, one_day = DateTimeField(), datetime.timedelta(days=1)
    m_from = _by_county(groups, lambda w: local_midnight(w[0][0]), default, moment)
    m_until = _by_county(groups, lambda w: local_midnight(w[0][1] + one_day), default, moment)
    q_from = _by_county(groups, lambda w: local_midnight(w[1][0]), default, moment)
    q_until = _by_county(groups, lambda w: local_midnight(w[1][1] + one_day), default, moment)

    units = Unit.objects.visible_to(user).filter(merged_into__isnull=True)
    if township is not None:
        units = units.filter(area__path__startswith=township.path)
    if path.count("/") > Level.PREFECTURE + 1:
        # A county or narrower: the same units, asked by their areas' ids, so
        # the database reads them by index instead of scanning the province.
        units = units.filter(area_id__in=Area.objects.filter(path__startswith=path).values("id"))
    # Only the rules of counties at, under or above the path can apply.
    rules = [
        r
        for r in FrequencyRule.objects.select_related("county")
        if r.county.path.startswith(path) or path.startswith(r.county.path)
    ]
    # The most specific rule wins; among equally specific ones the first (``frequency_of``).
    rules.sort(key=lambda r: -((2 if r.category_id is not None else 0) + (1 if r.key_unit is not None else 0)))
    whens = []
    for rule in rules:
        condition = Q(area__path__startswith=rule.county.path)
        if rule.category_id is not None:
            condition &= Q(category_id=rule.category_id)
        if rule.key_unit is not None:
            condition &= Q(is_key_unit=rule.key_unit)
        whens.append(When(condition, then=Value(rule.period)))
    whens.append(When(is_key_unit=True, then=Value(Period.MONTH)))
    frequency = Case(*whens, default=Value(Period.QUARTER), output_field=CharField())
    by_month = Value(True) if month is None and on is None else Q(frequency=Period.MONTH)
    units = units.annotate(m_start=m_start, m_end=m_end, q_start=q_start, q_end=q_end, frequency=frequency)
    # Only units that existed in their county's month window (``units.selectors.units_existing_in``, per unit).
    opened = Q(opened_on__lte=F("m_end")) | Q(opened_on__isnull=True, created_at__date__lte=F("m_end"))
    not_closed = Q(closed_on__gte=F("m_start")) | (Q(closed_on__isnull=True) & ~Q(status=UnitStatus.CLOSED))
    units = units.filter(opened & not_closed)
    units = units.annotate(
        by_month=ExpressionWrapper(by_month, output_field=BooleanField()),
    ).annotate(
        w_start=Case(When(by_month=True, then=F("m_start")), default=F("q_start"), output_field=date),
        w_end=Case(When(by_month=True, then=F("m_end")), default=F("q_end"), output_field=date),
        w_from=Case(When(by_month=True, then=m_from), default=q_from, output_field=moment),
        w_until=Case(When(by_month=True, then=m_until), default=q_until, output_field=moment),
    )
    # One probe of the index on (unit, status, started_at) a unit. (A list of
    # the units patrolled in the widest window, read first, hashed well
    # only while few were: with a province's year of patrols the planner
    # cannot hash half a million ids and walks them for every unit.)
    patrolled = Exists(_patrols_in_window())
    units = units.annotate(
        patrolled=patrolled,
        state=Case(
            When(patrolled=True, then=Value("done")),
            When(w_end__lt=today, then=Value("overdue")),
            default=Value("due"),
            output_field=CharField(),
        ),
    )
    return units, own[0]


def _patrols_in_window() -> QuerySet[Inspection]:
    """The submitted patrols of the outer unit inside its window (``w_from`` to ``w_until``)."""
    return Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED,
        unit=OuterRef("pk"),
        started_at__gte=OuterRef("w_from"),
        started_at__lt=OuterRef("w_until"),
    )


def _with_done_on(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The day of each unit's last patrol in its window (for the rows shown, not the counts)."""
    last = _patrols_in_window().order_by("-started_at").annotate(day=TruncDate("started_at")).values("day")[:1]
    return units.annotate(done_on=Subquery(last, output_field=DateField()))


def _patrol_rows(units: QuerySet[Unit], *ordering: str, limit: int | None = None) -> list[UnitPatrol]:
    """The units as rows of the due list: each with its last patrol in its
    window, its risk and its area, in ``ordering`` (the first ``limit``)."""
    rows = with_risk(_with_done_on(units)).select_related("area").order_by(*ordering)
    return [_patrol_row(u) for u in (rows if limit is None else rows[:limit])]


def _patrol_row(unit: Unit) -> UnitPatrol:
    return UnitPatrol(
        unit,
        unit.frequency,  # type: ignore[attr-defined]
        unit.w_start,  # type: ignore[attr-defined]
        unit.w_end,  # type: ignore[attr-defined]
        unit.done_on,  # type: ignore[attr-defined]
        unit.state,  # type: ignore[attr-defined]
    )


def patrol_status(
    user: Any,
    *,
    year: int,
    month: int | None = None,
    quarter: int | None = None,
    township: Area | None = None,
    today: datetime.date,
    on: datetime.date | None = None,
    rows: bool = True,
    within: Area | None = None,
) -> PatrolView:
    """Which units are due, done and overdue in a month or a quarter.

    The month and the quarter are each county's reporting periods
    (``month_schedules``; the calendar where the county set none): a
    quarter is its three months' periods. With ``on``, each county's month
    is the one whose period holds that day (``year`` and ``month`` are
    then ignored). Month view: a monthly unit is due in the month; a
    quarterly unit is due in the quarter the month lies in (it shows until
    patrolled). Quarter view (季度巡查率): every unit is due once in the
    quarter. Only units that existed in their window count. done = a
    submitted inspection whose date lies in the unit's window; overdue =
    not done and the window has ended.

    Everything is counted by the database (``patrol_units``): coverage is
    one aggregate grouped by the township part of the units' area paths.
    ``rows=False`` leaves the list of units empty (the figures alone, for
    a scope of any size; ``patrol_rows`` pages the list). Five queries
    whatever the number of units (the counties' start days, the frequency
    rules, the aggregate, the townships, the units)."""
    township = township or within  # an overview of one county or city: only its units
    units, (start, end) = patrol_units(
        user, year=year, month=month, quarter=quarter, township=township, today=today, on=on
    )
    view = PatrolView(start=start, end=end)
    view.units = units
    townships = Area.objects.visible_to(user).filter(level=Level.TOWNSHIP).in_code_order()
    if township is not None:
        townships = townships.filter(path__startswith=township.path)
    # Grouped by the unit's township (a hash of as many groups as townships,
    # not a sort of every unit): a unit lies in a township or in one of its
    # villages, so its area or that area's parent is its township.
    home_of = Case(
        When(area__level=Level.TOWNSHIP, then=F("area_id")), default=F("area__parent_id"), output_field=UUIDField()
    )
    counted = (
        units.order_by()
        .annotate(home=home_of)
        .values("home")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(patrolled=True)),
            overdue=Count("id", filter=Q(patrolled=False, w_end__lt=today)),
        )
    )
    township_list = list(townships)
    ids = {t.pk for t in township_list}
    by_township: dict[Any, Coverage] = {}
    view.counts = {"": 0, "done": 0, "overdue": 0}
    for group in counted:
        view.counts[""] += group["n"]
        view.counts["done"] += group["done"]
        view.counts["overdue"] += group["overdue"]
        key = group["home"]
        if key in ids:
            cov = by_township.setdefault(key, Coverage(township=None))  # type: ignore[arg-type]
            cov.due += group["n"]
            cov.done += group["done"]
            cov.overdue += group["overdue"]
    view.counts["due"] = view.counts[""] - view.counts["done"] - view.counts["overdue"]
    for t in township_list:
        found = by_township.get(t.pk)
        view.coverage.append(
            Coverage(township=t, due=found.due, done=found.done, overdue=found.overdue) if found else Coverage(t)
        )
    if rows:
        view.rows = _patrol_rows(units, "area__path", "name", "id")
    return view


@dataclass(frozen=True)
class _Months:
    """A calendar month or quarter as the indicators' tallies take a period."""

    year: int
    month: int
    first_day: datetime.date
    last_day: datetime.date
    months: tuple[tuple[int, int], ...]

    @property
    def start(self) -> datetime.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        return local_midnight(self.last_day + datetime.timedelta(days=1))


def coverage_below(
    user: Any, area: Area, *, year: int, month: int | None, quarter: int | None, today: datetime.date
) -> tuple[Coverage, list[Coverage], datetime.datetime | None]:
    """The patrol coverage of ``area`` and of each area directly below it the
    user sees, for a calendar month or quarter: what the due list shows above
    county level, where listing units means nothing. Read from the registered
    coverage indicators (巡查覆盖率, or 季度巡查率 for a quarter) through
    ``tally_rows``: the rollup the worker keeps, so a province costs a few
    queries, never a count of its units. Also when those figures were
    counted (None: live)."""
    if month is not None:
        first, last = month_bounds(year, month)
        period, code, keys = (
            _Months(year, month, first, last, ((year, month),)),
            "coverage",
            ("due", "patrolled", "overdue"),
        )
    else:
        q = quarter or 1
        first, last = quarter_bounds(year, q)
        months = tuple((year, m) for m in range(3 * q - 2, 3 * q + 1))
        period, code, keys = _Months(year, 3 * q, first, last, months), "quarterly", ("q_due", "q_done", "q_overdue")
    indicator = next(i for i in registry.indicators if i.code == code)
    children = list(
        Area.objects.visible_to(user)
        .filter(parent=area)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gte=first))
        .in_code_order()
    )
    rows = {c.id.hex: Coverage(township=c) for c in children}
    total = Coverage(township=area)
    depth = len([s for s in area.path.split("/") if s])
    for path, counts in tally_rows(indicator.tally, user, area=area, period=period, today=today):
        if not path.startswith(area.path):
            continue
        due, done, overdue = (counts.get(k, 0) for k in keys)
        segments = [s for s in path.split("/") if s]
        targets = [total]
        if len(segments) > depth and (row := rows.get(segments[depth])) is not None:
            targets.append(row)
        for target in targets:
            target.due += due
            target.done += done
            target.overdue += overdue
    return total, list(rows.values()), tally_counted_at(area, period, today)


def patrol_rows(view: PatrolView, *, state: str = "", limit: int) -> tuple[list[UnitPatrol], int]:
    """The first ``limit`` units of a ``patrol_status(rows=False)`` view (in
    ``state`` if given), in area order, and how many there are (from the
    view's counts: no second pass over the units). One query."""
    units = view.units
    if state:
        units = units.filter(state=state)
    # Riskiest first within what is due (the registered risk order; area order without one).
    first = _patrol_rows(units, "-risk_score", "area__path", "name", "id", limit=limit)
    return first, view.counts.get(state, 0)


def _ym(period: Any) -> tuple[int, int]:
    return period.year, period.month


def due_this_month(user: Any, *, today: datetime.date) -> list[UnitPatrol]:
    """What the user's township still has to patrol this month — the
    county's reporting period ``today`` falls in (monthly units, and
    quarterly units not yet patrolled in its quarter), overdue first, then
    the riskiest (``with_risk``). Only the units not yet done are read (a
    township's done units were most of its rows, built and thrown away on
    every home page), and no township counts are made."""
    units, _window = patrol_units(user, year=today.year, today=today, on=today)
    rows = _patrol_rows(units.exclude(Q(state="done")), "area__path", "name", "id")
    rows.sort(key=lambda r: (r.state != "overdue", -getattr(r.unit, "risk_score", 0), r.window_end, r.unit.name))
    return rows


# ---------------------------------------------------------------- re-inspections, handovers


def opinions_awaiting_reinspection(user: Any) -> QuerySet[Opinion]:
    """Opinions whose re-inspection has not been recorded, soonest deadline first."""
    has = Reinspection.objects.filter(opinion=OuterRef("pk"))
    return (
        Opinion.objects.visible_to(user)
        .select_related("unit", "area", "inspection")
        .annotate(reinspected=Exists(has))
        .filter(reinspected=False)
        .order_by("deadline", "id")
    )


def handover_evidence(handover: Handover, user: Any) -> dict[str, Any]:
    """The whole evidence of a case: the unit's records, opinions,
    re-inspections and their photos, as the handover's reader may see them."""
    unit = handover.unit
    inspections = list(
        Inspection.objects.visible_to(user).filter(unit=unit).order_by("-started_at").select_related("template")
    )
    opinions = list(Opinion.objects.visible_to(user).filter(unit=unit).order_by("-issued_at"))
    reinspections = list(
        Reinspection.objects.visible_to(user)
        .filter(opinion__unit=unit)
        .select_related("opinion")
        .order_by("-inspected_at")
    )
    photos = list(
        Photo.objects.visible_to(user)
        .filter(Q(inspection__unit=unit) | Q(reinspection__opinion__unit=unit))
        .order_by("created_at")
    )
    return {"inspections": inspections, "opinions": opinions, "reinspections": reinspections, "photos": photos}


# ---------------------------------------------------------------- 巡查登记表


@dataclass
class RegisterRow:
    number: int
    place_and_content: str
    problems: str
    date: datetime.date
    inspectors: str
    remarks: str

    def values(self) -> list[Any]:
        """The row's cells in the order of ``patrol_register_headers``."""
        return [self.number, self.place_and_content, self.problems, self.date, self.inspectors, self.remarks]


PATROL_REGISTER_WIDTHS = [6, 44, 40, 12, 18, 22]


def patrol_register_headers() -> list[str]:
    """序号 | 巡查地点与内容 | 发现的主要问题 | 巡查日期 | 巡查人 | 备注."""
    from django.utils.translation import gettext as _

    return [
        _("No."),
        _("Place and content"),
        _("Main problems found"),
        _("Patrol date"),
        _("Patrolled by"),
        _("Remarks"),
    ]


def patrol_register(
    user: Any,
    *,
    institution: Any,
    year: int,
    month: int | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> list[RegisterRow]:
    """卫生监督协管巡查登记表 of one institution for a year, a month (the
    county's reporting periods, ``month_window``), or [start, end):
    序号 | 巡查地点与内容 | 发现的主要问题 | 巡查日期 | 巡查人 | 备注 — one row
    per submitted record (a corrected record once, in its newest version)."""
    from django.utils.translation import gettext as _

    qs: Any = Inspection.objects.visible_to(user).filter(institution=institution, status=InspectionStatus.SUBMITTED)
    if start is None or end is None:
        # A month is the county's reporting period, a year its twelve.
        schedule = _schedule_of(institution.area)
        first = _windows(schedule, year, month or 1, None)[0][0]
        last = _windows(schedule, year, month or 12, None)[0][1]
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    qs = qs.filter(started_at__gte=start, started_at__lt=end)
    newer = Inspection.objects.filter(supersedes=OuterRef("pk"), status=InspectionStatus.SUBMITTED)
    qs = (
        qs.annotate(corrected=Exists(newer))
        .filter(corrected=False)
        .select_related("unit", "template")
        .prefetch_related(
            Prefetch("inspector_links", queryset=InspectionInspector.objects.select_related("user").order_by("id")),
            Prefetch("opinions", queryset=Opinion.objects.order_by("issued_at")),
        )
        .order_by("started_at", "id")
    )
    rows = []
    for number, inspection in enumerate(qs, start=1):
        names = join_list(link.user.full_name or link.user.username for link in inspection.inspector_links.all())
        remarks = [o.number for o in inspection.opinions.all()]
        if inspection.version > 1:
            remarks.append(_("corrected, version %(v)d") % {"v": inspection.version})
        place = inspection.place or inspection.unit.address
        rows.append(
            RegisterRow(
                number=number,
                place_and_content=labelled(with_note(inspection.unit.name, place), inspection.template.title),
                problems=inspection.problems or _("No problems found"),
                date=timezone.localtime(inspection.started_at).date(),
                inspectors=names,
                remarks=join_clauses(remarks),
            )
        )
    return rows
