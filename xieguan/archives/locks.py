"""A closed year (``YearClose``) freezes the records dated in it: the check
``assert_period_open`` asks before the month lock (registered in
registrations.py), so every service that refuses a locked month refuses a
closed year the same way, with a message in Chinese and nothing changed."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.core.errors import StateConflict
from xieguan.core.validators import local_day

COUNTY_LEVEL = 3


def assert_year_open(area: Any, when: datetime.date | datetime.datetime | None, *, field: str | None = None) -> None:
    """StateConflict when the county holding ``area`` has closed the year of
    ``when`` and not reopened it. Areas above county level are never closed."""
    if area is None or when is None:
        return
    segments = [s for s in (getattr(area, "path", "") or "").split("/") if s]
    if len(segments) < COUNTY_LEVEL:
        return
    from xieguan.archives.models import YearClose

    year = local_day(when).year
    closed = YearClose.objects.filter(county_id=uuid.UUID(segments[COUNTY_LEVEL - 1]), year=year).first()
    if closed is None or closed.is_reopened(timezone.now()):
        return
    message = _(
        "The year %(year)s is closed and filed: its records are read-only and cannot be changed. "
        "If a change is really needed, first request that the year be reopened, and make it once the county approves."
    ) % {"year": year}
    raise StateConflict({field: message} if field else message)


def county_of(area: Any) -> Any:
    """The county an area lies in (itself for a county); None above county level."""
    from xieguan.areas.models import Area

    if area.level == COUNTY_LEVEL:
        return area
    if area.level < COUNTY_LEVEL:
        return None
    return Area.objects.get(pk=uuid.UUID([p for p in area.path.split("/") if p][COUNTY_LEVEL - 1]))
