"""What the monthly report adds to the shared registries (xieguan.core.registry),
the check behind ``assert_period_open``: a locked month (locks.py), and
the counties' reporting months the apps below read (``month_schedules``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.core.registry import ArchiveSection, Indicator, MenuItem, Tally, register, registry
from xieguan.monthly.locks import assert_month_open
from xieguan.monthly.models import MonthlyReport
from xieguan.monthly.periods import Period, start_days_under
from xieguan.monthly.selectors import opinions_of_month


def _above_township(user: Any) -> bool:
    """County, prefecture and province users (and those with no institution)."""
    institution = getattr(user, "institution", None)
    return institution is None or institution.area.level <= 3


def rectified_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """意见书整改完成率's counts: opinions issued in the period, and those a re-inspection found rectified."""
    opinions: Any = opinions_of_month(user, township=area, year=period.year, month=period.month, period=period)
    for path, rectified in opinions.values_list("area__path", "rectified"):
        yield path, {"opinions": 1, "rectified": int(bool(rectified))}


registry.period_check = assert_month_open
registry.month_schedules = start_days_under
register(
    MenuItem(pgettext_lazy("menu", "Monthly report"), "monthly:index", 80),
    MenuItem(pgettext_lazy("menu", "Overview"), "monthly:overview", 90, visible=_above_township),
    Indicator(
        code="rectified",
        name=_("Opinions rectified"),
        formula=_(
            "Rectification rate = opinions issued in the month that a re-inspection found rectified "
            "÷ opinions issued in the month"
        ),
        tally=rectified_tally,
        numerator="rectified",
        denominator="opinions",
        drill=lambda area, period: reverse(
            "monthly:overview_drill", args=[area.pk, period.year, period.month, "opinions"]
        ),
        order=50,
    ),
    ArchiveSection(
        _("Monthly reports"),
        90,
        lambda area, year: MonthlyReport.objects.filter(township__path__startswith=area.path, year=year),
    ),
)
