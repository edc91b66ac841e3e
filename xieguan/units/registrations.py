"""What the registry of units adds to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.core.registry import (
    ArchiveSection,
    Indicator,
    MenuItem,
    Period,
    Tally,
    counted_by_path,
    period_text,
    register,
)
from xieguan.units.models import Unit
from xieguan.units.selectors import units_filed


def filing_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """建档率's counts by area path: the units that existed on the period's
    judging day and, of them, those whose file was complete that day
    (``units_filed``). One query, whatever the number of units."""
    return counted_by_path(units_filed(user, area, period, today), "area__path", "units", "complete")


def filing_drill(area: Any, period: Period) -> str:
    """The indicator's page of the units counted, each with whether its file
    was complete on the judging day (``units_filed``); the registry's list
    shows files as they are now, not as they were in a past period."""
    query = {"area": area.pk, "period": period_text(period)}
    return f"{reverse('indicators:records', args=['filing'])}?{urlencode(query)}"


def units_of_year(area: Any, year: int) -> QuerySet[Unit]:
    """The units of the area registered by the year's end and not closed before it."""
    return Unit.objects.filter(area__path__startswith=area.path, created_at__year__lte=year).filter(
        Q(closed_on__isnull=True) | Q(closed_on__year__gte=year)
    )


register(
    MenuItem(_("Units"), "units:list", 40),
    Indicator(
        code="filing",
        name=_("Filing rate"),
        formula=_(
            "Filing rate = units whose file was complete on the period's last day (today, while it runs) "
            "÷ units that existed on that day"
        ),
        tally=filing_tally,
        numerator="complete",
        denominator="units",
        drill=filing_drill,
        order=10,
    ),
    ArchiveSection(_("Units"), 10, units_of_year),
)
