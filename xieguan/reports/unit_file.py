"""What information reports add to the unit file (一户一档): the reports
about the unit the user may see, in one query."""

from __future__ import annotations

from typing import Any

from xieguan.core.registry import UnitFileSection, register
from xieguan.reports.models import Report


def unit_file_context(user: Any, unit: Any, pdf: bool) -> dict[str, Any]:
    """The reports about the unit the user may see, oldest first."""
    reports = (
        Report.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("category", "reporter", "inspection")
        .order_by("found_at", "id")[:200]
    )
    return {"reports": list(reports)}


register(UnitFileSection("reports/_unit_file.html", 80, unit_file_context))
