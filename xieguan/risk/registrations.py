"""What the risk app adds to the shared registries: the risk order the
lists use (``core.registry.with_risk``), the panel on a unit's page and
the menu entry."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.core.registry import Indicator, MenuItem, UnitPanel, register, registry
from xieguan.risk.reasons import readable
from xieguan.risk.reviews import review_tally
from xieguan.risk.selectors import annotate_risk, risk_of_unit


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
        drill=lambda area, period: reverse("risk:reviews") + f"?year={period.year}&month={period.month}",
        order=85,
    ),
    Indicator(
        code="review_problems",
        name=_("Share of reviewed records with problems"),
        formula=_("problem share = reviewed records found with problems or returned ÷ records reviewed"),
        tally=review_tally,
        numerator="problems",
        denominator="reviewed_all",
        drill=lambda area, period: reverse("risk:reviews") + f"?year={period.year}&month={period.month}&result=problem",
        order=86,
    ),
)
registry.unit_risk = annotate_risk
