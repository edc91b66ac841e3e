"""The report clock and the per cent of a rate."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.reports.models import Report

register = template.Library()


def duration_label(seconds: int) -> str:
    minutes = abs(int(seconds)) // 60
    hours, rest = divmod(minutes, 60)
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    return _("%(m)d min") % {"m": rest}


@register.inclusion_tag("reports/_clock.html")
def report_clock(report: Report, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Remaining time (computed here; ``reports/clock.js`` keeps it ticking)
    while the report is on its way to the county; on time / late after."""
    now = now or timezone.now()
    state = ""
    text = ""
    if report.is_awaiting_county:
        left = report.seconds_left(now)
        state = "left" if left >= 0 else "late"
        text = (_("%(time)s left") if left >= 0 else _("late by %(time)s")) % {"time": duration_label(left)}
    elif report.reported_at is not None:
        state = "on_time" if report.is_on_time else "reported_late"
    return {
        "report": report,
        "state": state,
        "text": text,
        "now": now,
        # The same phrases for clock.js to format with, ticking.
        "fmt_left": _("%(time)s left"),
        "fmt_late": _("late by %(time)s"),
        "fmt_hm": _("%(h)d h %(m)d min"),
        "fmt_m": _("%(m)d min"),
    }


@register.filter
def percent(rate: Any) -> str:
    value = getattr(rate, "percent", None)
    return "—" if value is None else f"{value}%"
