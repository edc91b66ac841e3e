"""``{% due_this_month %}``: the co-manager's home-page list of what their
township still has to patrol this month (SPEC §4)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("inspections/_due_this_month.html", takes_context=True)
def due_this_month(context: Any) -> dict[str, Any]:
    from xieguan.accounts.models import RoleCode
    from xieguan.inspections.selectors import due_this_month as rows_due

    user = context["request"].user
    if not user.is_authenticated or not user.has_role(RoleCode.COMANAGER):
        return {"show": False}
    rows = rows_due(user, today=timezone.localdate())
    return {
        "show": True,
        "rows": rows[:15],
        "count": len(rows),
        "overdue": sum(1 for r in rows if r.state == "overdue"),
    }
