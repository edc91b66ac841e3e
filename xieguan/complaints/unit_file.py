"""What complaints add to the unit file (一户一档): the complaints about
the unit the user may see, by category, status, date and content — never
the complainant (name, phone, address are not even read)."""

from __future__ import annotations

from typing import Any

from xieguan.complaints.models import Complaint
from xieguan.core.registry import UnitFileSection, register
from xieguan.core.scope import NOTHING, scope_path_for


def unit_file_context(user: Any, unit: Any, pdf: bool) -> dict[str, Any]:
    """The complaints about the unit the user may see, oldest first, in one
    query; the complainant's fields are deferred so no template can show them."""
    if scope_path_for(user) == NOTHING:
        return {"complaints": []}
    rows = (
        Complaint.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("inspection", "opinion")
        .only(
            "id",
            "registered_at",
            "category",
            "status",
            "content",
            "unit_id",
            "area_id",
            "inspection__started_at",
            "opinion__number",
        )
        .order_by("registered_at", "id")[:200]
    )
    return {"complaints": list(rows)}


register(UnitFileSection("complaints/_unit_file.html", 90, unit_file_context))
