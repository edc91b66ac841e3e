"""What the areas app adds to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area
from xieguan.core.registry import HomePanel, MenuItem, register


def _areas_below(user: Any, now: datetime.datetime) -> dict[str, Any]:
    """The home page's areas directly below the user's own (the provinces for
    a superuser of no institution)."""
    area = user.institution.area if user.institution else None
    children = (
        Area.objects.visible_to(user).filter(parent=area).active().in_code_order()
        if area is not None
        else Area.objects.filter(parent__isnull=True).in_code_order()
    )
    return {"children": children}


register(
    MenuItem(_("Areas"), "areas:list", 100),
    HomePanel("areas/_home_children.html", 100, _areas_below),
)
