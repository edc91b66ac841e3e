"""The honest backtest (SPEC §14): at a past cut-off, score the county's
units with only what was known then (``history.histories(as_of=cut-off)``),
then follow the months after it and ask which order of visits would have
reached the units where inspections found violations sooner: the risk order,
or the order the county used (longest since the last patrol first).

Figures: precision at k (k = the county's monthly capacity) of both orders,
and the mean number of days by which the risk order reaches a violating
unit earlier (visiting k units a month, the unit ranked r is reached on day
r × 30 / k), with its standard error. Fewer than ``MIN_VIOLATIONS`` units
with violations: too small to mean anything, and the result says so."""

from __future__ import annotations

import datetime
import math
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from xieguan.areas.models import Area
from xieguan.inspections.models import Answer, Inspection, InspectionStatus, OverallResult
from xieguan.risk.history import batched, histories
from xieguan.risk.models import Backtest
from xieguan.risk.score import History, score_history
from xieguan.risk.services import settings_for, weights_of
from xieguan.units.models import Unit

MIN_VIOLATIONS = 30
DAYS_A_MONTH = 30

TOO_SMALL = "too_small"
BENEFIT = "benefit"
NO_DIFFERENCE = "no_difference"
WORSE = "worse"


@dataclass
class Result:
    county: Area
    cut_off: datetime.date
    months: int
    k: int
    units: int
    inspections: int
    violations: int
    precision_risk: float | None
    precision_time: float | None
    days_earlier: float | None
    days_earlier_se: float | None
    verdict: str


def end_of_day(day: datetime.date) -> datetime.datetime:
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start) - datetime.timedelta(microseconds=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def units_then(county: Area, cut_off: datetime.date) -> Any:
    """The county's units open on the cut-off day: opened by then (or, with
    no opening day, registered by then) and not closed before it. Only their
    existence is taken from today's registry; what they did comes from the
    records known by the cut-off (``history.histories``)."""
    as_of = end_of_day(cut_off)
    return (
        Unit.objects.filter(area__path__startswith=county.path)
        .filter(Q(opened_on__lte=cut_off) | Q(opened_on__isnull=True, created_at__lte=as_of))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=cut_off))
    )


def scores_at(county: Area, cut_off: datetime.date) -> dict[Any, tuple[int, History]]:
    """Each unit's score on the cut-off day from what was known by its end."""
    weights = weights_of(settings_for(county.pk))
    found: dict[Any, tuple[int, History]] = {}
    for batch in batched(units_then(county, cut_off)):
        for unit_id, history in histories(batch, as_of=end_of_day(cut_off), with_grade=False).items():
            found[unit_id] = (score_history(history, on=cut_off, weights=weights).score, history)
    return found


def first_violations(
    unit_ids: set[Any], start: datetime.date, end: datetime.date
) -> tuple[dict[Any, datetime.date], int]:
    """The first day in (start, end] an inspection found violations at each
    unit, and how many inspections there were in that time."""
    qs = Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED,
        unit_id__in=unit_ids,
        started_at__gt=end_of_day(start),
        started_at__lte=end_of_day(end),
        superseded_by__isnull=True,
    )
    rows = qs.annotate(fails=Count("answers", filter=Q(answers__result=Answer.FAILS))).values_list(
        "unit_id", "started_at", "overall_result", "fails"
    )
    first: dict[Any, datetime.date] = {}
    n = 0
    for unit_id, started_at, result, fails in rows:
        n += 1
        if fails or result in (OverallResult.RECTIFY, OverallResult.SERIOUS):
            day = timezone.localtime(started_at).date()
            if unit_id not in first or day < first[unit_id]:
                first[unit_id] = day
    return first, n


def _days_since_last(history: History, cut_off: datetime.date) -> float:
    days = [v.day for v in history.visits if v.day <= cut_off]
    return math.inf if not days else float((cut_off - max(days)).days)


def run_backtest(
    county: Area, *, cut_off: datetime.date, months: int = 3, k: int | None = None, save: bool = True
) -> Result:
    settings = settings_for(county.pk)
    k = k or settings.monthly_capacity or 1
    scored = scores_at(county, cut_off)
    end = add_months(cut_off, months)
    violations, inspections = first_violations(set(scored), cut_off, end)
    # Both orders break ties the same way (the unit's id), so a tie favours neither.
    risk_order = sorted(scored, key=lambda u: (-scored[u][0], str(u)))
    time_order = sorted(scored, key=lambda u: (-_days_since_last(scored[u][1], cut_off), str(u)))
    risk_rank = {u: i for i, u in enumerate(risk_order)}
    time_rank = {u: i for i, u in enumerate(time_order)}
    n = len(violations)
    result = Result(county, cut_off, months, k, len(scored), inspections, n, None, None, None, None, TOO_SMALL)
    if scored:
        top = min(k, len(scored))
        result.precision_risk = sum(1 for u in risk_order[:top] if u in violations) / top
        result.precision_time = sum(1 for u in time_order[:top] if u in violations) / top
    if n:
        earlier = [(time_rank[u] - risk_rank[u]) * DAYS_A_MONTH / k for u in violations]
        result.days_earlier = statistics.fmean(earlier)
        result.days_earlier_se = statistics.stdev(earlier) / math.sqrt(n) if n > 1 else None
    if n >= MIN_VIOLATIONS and result.days_earlier is not None:
        se = result.days_earlier_se or 0.0
        if result.days_earlier - 2 * se > 0:
            result.verdict = BENEFIT
        elif result.days_earlier + 2 * se < 0:
            result.verdict = WORSE
        else:
            result.verdict = NO_DIFFERENCE
    if save:
        Backtest.objects.create(
            county=county,
            cut_off=cut_off,
            months=months,
            k=k,
            units=result.units,
            inspections=inspections,
            violations=n,
            precision_risk=result.precision_risk,
            precision_time=result.precision_time,
            days_earlier=result.days_earlier,
            days_earlier_se=result.days_earlier_se,
            verdict=result.verdict,
            ran_at=timezone.now(),
        )
    return result


def default_cut_off(today: datetime.date, months: int = 3) -> datetime.date:
    """The latest cut-off whose following months have all passed."""
    return add_months(today, -months)
