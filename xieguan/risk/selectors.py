"""Scoped reads of the risk app."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from xieguan.areas.models import Area, Level
from xieguan.risk.models import Backtest, UnitRisk, UnitRiskQuerySet


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
