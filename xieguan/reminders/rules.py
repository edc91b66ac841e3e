"""A county's reminder rule and channels, found for a person or an area."""

from __future__ import annotations

from typing import Any

from xieguan.areas.models import Area, Level
from xieguan.reminders.models import ChannelKind, ReminderChannel, ReminderRule


def county_of_area(area: Any) -> Area | None:
    """The county ``area`` lies in (itself for a county), read off its path."""
    if area is None or area.level < Level.COUNTY:
        return None
    if area.level == Level.COUNTY:
        return area
    ids = area.ancestor_ids()
    return Area.objects.filter(pk=ids[Level.COUNTY - 1]).first() if len(ids) >= Level.COUNTY else None


def county_of_person(person: Any) -> Area | None:
    institution = getattr(person, "institution", None)
    return county_of_area(institution.area) if institution is not None else None


def rule_for(county: Any) -> ReminderRule:
    """The county's rule; the defaults (unsaved) when it has set none."""
    found = ReminderRule.objects.filter(county=county).first() if county is not None else None
    return found or ReminderRule(county=county)


def channel_for(area: Any, kind: str) -> ReminderChannel | None:
    """The enabled channel of ``kind`` nearest ``area``: its township's own,
    else its county's."""
    if area is None or kind == ChannelKind.INBOX:
        return None
    ids = area.ancestor_ids()
    rows = ReminderChannel.objects.filter(area_id__in=ids, kind=kind, enabled=True).select_related("area")
    return max(rows, key=lambda c: c.area.level, default=None)
