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
    from xieguan.inspections.selectors import opinions_awaiting_reinspection

    user = context["request"].user
    if not user.is_authenticated:
        return {"show": False}
    if not user.has_role(RoleCode.COMANAGER):
        from xieguan.accounts.permissions import HANDLE_HANDOVER, can
        from xieguan.inspections.models import Handover, HandoverStatus

        if can(user, HANDLE_HANDOVER):
            # The institute's inbox: cases handed over and not yet closed.
            open_cases = Handover.objects.visible_to(user).exclude(status=HandoverStatus.CLOSED).count()
            return {"show": False, "inbox": True, "open_cases": open_cases}
        return {"show": False}
    today = timezone.localdate()
    rows = rows_due(user, today=today)
    reinspections = list(opinions_awaiting_reinspection(user).filter(deadline__lte=today)[:10])
    return {
        "show": True,
        "reinspections": reinspections,
        "today": today,
        "rows": rows[:15],
        "count": len(rows),
        "overdue": sum(1 for r in rows if r.state == "overdue"),
    }
