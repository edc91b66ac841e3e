"""Guidance given to a unit appears in its file (SPEC §7, §3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.outreach.models import Outreach
from xieguan.units.timeline import TimelineEntry


def guidance_entries(unit: Any, user: Any) -> Iterable[TimelineEntry]:
    records = Outreach.objects.visible_to(user).filter(unit=unit).select_related("recorded_by").order_by("-date")[:50]
    for record in records:
        at = timezone.make_aware(datetime.datetime.combine(record.date, datetime.time(12, 0)))
        yield TimelineEntry(
            at=at,
            kind=_("Guidance"),
            title=record.theme,
            url=reverse("outreach:detail", args=[record.pk]),
            actor=record.recorded_by.full_name or record.recorded_by.username,
            detail=record.place,
            all_day=True,
        )
