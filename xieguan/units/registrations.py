"""What the registry of units adds to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.core.registry import ArchiveSection, Indicator, MenuItem, Period, Tally, register
from xieguan.units.models import Unit
from xieguan.units.selectors import filing_rate_by_township


def filing_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """建档率's counts per township (the registry as it is now: whether a
    file is complete has no history)."""
    for filing in filing_rate_by_township(user, area):
        yield filing.township.path, {"units": filing.units, "complete": filing.complete}


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
        formula=_("Filing rate = units with a complete file ÷ units not closed (the registry as it is today)"),
        tally=filing_tally,
        numerator="complete",
        denominator="units",
        drill=lambda area, period: f"{reverse('units:list')}?{urlencode({'area': area.pk})}",
        order=10,
    ),
    ArchiveSection(_("Units"), 10, units_of_year),
)
