"""What the risk app adds to the shared registries: the risk order the
lists use (``core.registry.with_risk``), the panel on a unit's page and
the menu entry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xieguan.core.registry import MenuItem, UnitPanel, register, registry
from xieguan.risk.reasons import readable
from xieguan.risk.selectors import annotate_risk, risk_of_unit


def unit_panel(user: Any, unit: Any) -> dict[str, Any] | None:
    """The unit's score, grade and reasons, each linked to its record."""
    found = risk_of_unit(unit)
    if found is None:
        return None
    return {"risk": found, "reasons": readable(found.reasons)}


def _sees_county(user: Any) -> bool:
    from xieguan.risk.selectors import counties_for

    return counties_for(user).exists()


register(
    MenuItem(_("Risk"), "risk:overview", 78, "", visible=_sees_county),
    UnitPanel("risk/_unit_panel.html", 10, unit_panel),
)
registry.unit_risk = annotate_risk
