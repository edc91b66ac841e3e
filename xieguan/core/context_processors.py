"""What the base layout needs on every page: the navigation for the user's
roles, from the menu entries the apps registered."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.core.permissions import can
from xieguan.core.registry import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for item in registry.menu:
        if (not item.permission or can(user, item.permission)) and (item.visible is None or item.visible(user)):
            url = reverse(item.url_name)
            items.append(
                {
                    "label": item.label,
                    "url": url,
                    "active": request.path.startswith(url) and (url != "/" or request.path == "/"),
                }
            )
    # One entry is current: the most specific one (/monthly/overview/ rather than /monthly/).
    active = [i for i in items if i["active"]]
    if len(active) > 1:
        keep = max(active, key=lambda i: len(i["url"]))
        for i in active:
            i["active"] = i is keep
    return {"nav_items": items, "app_name": _("Health Supervision Co-management")}
