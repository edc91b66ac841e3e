"""Scoped reads of the risk app."""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from xieguan.areas.models import Area, Level
from xieguan.risk.models import Backtest, RecordReview, RecordReviewQuerySet, ReviewResult, UnitRisk, UnitRiskQuerySet

# The results a reviews list can be narrowed to: each a filter of RecordReview.
REVIEW_RESULTS: dict[str, Q] = {
    "pending": Q(result=""),
    "reviewed": ~Q(result=""),
    "ok": Q(result=ReviewResult.OK),
    "problem": Q(result__in=[ReviewResult.PROBLEM, ReviewResult.RETURNED]),
}


def annotate_risk(units: QuerySet[Any]) -> QuerySet[Any]:
    """``risk_score``: the unit's last computed score, 0 without one (one subquery, by the one-to-one index)."""
    score = UnitRisk.objects.filter(unit_id=OuterRef("pk")).values("score")[:1]
    return units.annotate(risk_score=Coalesce(Subquery(score, output_field=IntegerField()), Value(0)))


def risk_of_unit(unit: Any) -> UnitRisk | None:
    """The score of a unit the caller already found in the user's scope."""
    return UnitRisk.objects.filter(unit=unit).first()


def scores_for(user: Any) -> UnitRiskQuerySet:
    return UnitRisk.objects.for_list().visible_to(user)


def counties_for(user: Any) -> QuerySet[Area]:
    """The counties the user sees whole: their own county, or those below them."""
    from xieguan.core.scope import scope_path_for

    path = scope_path_for(user)
    return Area.objects.filter(level=Level.COUNTY, path__startswith=path).order_by("path")


def last_backtest(county: Area) -> Backtest | None:
    return Backtest.objects.filter(county=county).first()


def months_from(year: int, month: int, count: int = 1) -> list[tuple[int, int]]:
    """``count`` (year, month)s from ``year``-``month`` on."""
    first = year * 12 + month - 1
    return [((first + i) // 12, (first + i) % 12 + 1) for i in range(count)]


def in_months(months: Iterable[tuple[int, int]]) -> Q:
    """Reviews of the samples of these (year, month)s; none when empty."""
    wanted = [Q(year=y, month=m) for y, m in months]
    return reduce(or_, wanted) if wanted else Q(pk__in=[])


def reviews_for(
    user: Any,
    *,
    area: Area | None = None,
    months: Iterable[tuple[int, int]] | None = None,
    result: str = "",
) -> RecordReviewQuerySet:
    """The drawn records the user sees, inside ``area`` if given, of the
    samples of ``months`` if given, narrowed to a ``REVIEW_RESULTS`` key
    (an unknown key narrows nothing). The reviews page, its drill-downs and
    the review indicators' test read this."""
    qs = RecordReview.objects.for_list().visible_to(user)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if months is not None:
        qs = qs.filter(in_months(months))
    if result in REVIEW_RESULTS:
        qs = qs.filter(REVIEW_RESULTS[result])
    return qs
