"""Scoped reads of the area tree."""

from __future__ import annotations

from typing import Any

from xieguan.areas.models import Area
from xieguan.core.scope import get_object_for_user


def get_area_for_user(user: Any, pk: Any) -> Area:
    """The area if it lies in the user's scope; 404 otherwise."""
    return get_object_for_user(Area.objects.select_related("parent"), user, pk)


def scope_root_for(user: Any) -> Area | None:
    """The top of what the user sees: their institution's area (None for a
    superuser, who sees every province)."""
    if user.is_superuser and user.institution is None:
        return None
    institution = getattr(user, "institution", None)
    return institution.area if institution else None
