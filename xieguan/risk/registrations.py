"""What the risk app adds to the shared registries: the risk order the
lists use (``core.registry.with_risk``), the panel on a unit's page and
the menu entry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.core.registry import Indicator, MenuItem, UnitPanel, months_of, register, registry
from xieguan.risk.reasons import readable
from xieguan.risk.reviews import review_tally
from xieguan.risk.selectors import annotate_risk, risk_of_unit


def reviews_drill(area: Any, period: Any, result: str) -> str:
    """The reviews page narrowed to the area and the months of the period
    (the first and how many), and to ``result`` if given."""
    months = months_of(period)
    year, month = months[0]
    query = {"area": area.pk, "year": year, "month": month}
    if len(months) > 1:
        query["months"] = len(months)
    if result:
        query["result"] = result
    return reverse("risk:reviews") + "?" + urlencode(query)


def unit_panel(user: Any, unit: Any) -> dict[str, Any] | None:
    """The unit's score, grade and reasons, each linked to its record."""
    found = risk_of_unit(unit)
    if found is None:
        return None
    return {"risk": found, "reasons": readable(found.reasons)}


register(
    MenuItem(_("Risk"), "risk:overview", 78),  # the scores in one's area, and the record reviews from there
    UnitPanel("risk/_unit_panel.html", 10, unit_panel),
    Indicator(
        code="review_rate",
        name=_("Record review rate"),
        formula=_("review rate = records the institute reviewed ÷ submitted inspection records of the month"),
        tally=review_tally,
        numerator="reviewed",
        denominator="records",
        drill=lambda area, period: reviews_drill(area, period, ""),
        order=85,
    ),
    Indicator(
        code="review_problems",
        name=_("Share of reviewed records with problems"),
        formula=_("problem share = reviewed records found with problems or returned ÷ records reviewed"),
        tally=review_tally,
        numerator="problems",
        denominator="reviewed_all",
        drill=lambda area, period: reviews_drill(area, period, "problem"),
        order=86,
    ),
    Indicator(
        code="review_pass",
        name=_("Record review pass rate"),
        formula=_("pass rate = reviewed records found passed ÷ records reviewed"),
        tally=review_tally,
        numerator="passed",
        denominator="reviewed_all",
        drill=lambda area, period: reviews_drill(area, period, "reviewed"),
        order=87,
    ),
)
registry.unit_risk = annotate_risk
