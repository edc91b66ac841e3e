"""What publicity and training add to the unit file (一户一档): the
guidance given to the unit (SPEC §7), after the other records."""

from __future__ import annotations

from typing import Any

from xieguan.core.registry import UnitFileSection, register
from xieguan.outreach.models import Outreach


def unit_file_context(user: Any, unit: Any, pdf: bool) -> dict[str, Any]:
    """The guidance to the unit the user may see, oldest first, in one query."""
    rows = Outreach.objects.visible_to(user).filter(unit=unit).select_related("recorded_by").order_by("date", "id")
    return {"guidance": list(rows[:200])}


register(UnitFileSection("outreach/_unit_file.html", 95, unit_file_context))
