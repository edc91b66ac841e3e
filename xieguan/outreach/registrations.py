"""What publicity and training add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.core.registry import (
    ArchiveSection,
    Indicator,
    LockedModel,
    MenuItem,
    Period,
    Tally,
    records_of_year,
    register,
)
from xieguan.outreach.models import Outreach, Training
from xieguan.outreach.selectors import OVERDUE, publicity_due


def _in_period(model: Any, user: Any, area: Any, period: Period) -> Any:
    return model.objects.visible_to(user).filter(
        area__path__startswith=area.path, date__gte=period.first_day, date__lte=period.last_day
    )


def publicity_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """Publicity records dated in the period, and each township's quarter
    (at least one record a quarter) as ``publicity_due`` judges it."""
    for item in _in_period(Outreach, user, area, period).values("area__path").annotate(n=Count("id")):
        yield item["area__path"], {"publicity": item["n"]}
    quarter = (period.month - 1) // 3
    for township in publicity_due(user, year=period.year, today=today):
        done = township.counts[quarter]
        yield (
            township.township.path,
            {
                "publicity_quarter": done,
                "quarter_townships": 1,
                "quarter_done": int(done > 0),
                "quarter_overdue": int(township.states[quarter] == OVERDUE),
            },
        )


def training_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """Trainings held in the period and the sign-ins at them."""
    trainings = _in_period(Training, user, area, period).values("area__path")
    for item in trainings.annotate(n=Count("id", distinct=True), people=Count("attendances")):
        yield item["area__path"], {"trainings": item["n"], "trained": item["people"]}


def _publicity_drill(area: Any, period: Period) -> str:
    query = {"area": area.pk, "year": period.year, "quarter": (period.month - 1) // 3 + 1}
    return f"{reverse('outreach:list')}?{urlencode(query)}"


def _training_drill(area: Any, period: Period) -> str:
    """The training list of exactly the trainings counted: in the area, within the period's days."""
    query = {"area": area.pk, "since": period.first_day.isoformat(), "until": period.last_day.isoformat()}
    return f"{reverse('outreach:training_list')}?{urlencode(query)}"


register(
    MenuItem(_("Publicity"), "outreach:list", 60),
    MenuItem(_("Training"), "outreach:training_list", 70),
    LockedModel(Outreach, "date"),
    LockedModel(Training, "date"),
    Indicator(
        code="publicity",
        name=_("Publicity"),
        formula=_("Publicity records dated in the month; the quarter is done with at least one record"),
        tally=publicity_tally,
        numerator="publicity",
        denominator=None,
        drill=_publicity_drill,
        order=60,
    ),
    Indicator(
        code="training",
        name=_("Training"),
        formula=_("Trainings held in the area in the month; people = sign-ins at them"),
        tally=training_tally,
        numerator="trainings",
        denominator=None,
        drill=_training_drill,
        order=70,
    ),
    ArchiveSection(_("Publicity"), 60, records_of_year(Outreach, "date")),
    ArchiveSection(_("Training"), 70, records_of_year(Training, "date")),
)
