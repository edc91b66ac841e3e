"""Scoped reads of publicity records, and what is due (SPEC §7)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce

from xieguan.accounts.models import RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.scope import get_object_for_user
from xieguan.outreach.models import Attendance, Outreach, Training, TrainingLevel


def get_outreach_for_user(user: Any, pk: Any) -> Outreach:
    """The record if it lies in the user's scope; 404 otherwise."""
    return get_object_for_user(Outreach.objects.for_list().select_related("unit"), user, pk)


def outreach_filtered(
    user: Any,
    *,
    q: str = "",
    form: str = "",
    area: Area | None = None,
    year: int | None = None,
    quarter: int | None = None,
    unit: Any = None,
) -> Any:
    """Publicity records in the user's scope narrowed by the list's filters;
    ``area`` must already be one the user may see."""
    qs = Outreach.objects.for_list().visible_to(user)
    if q:
        qs = qs.filter(Q(theme__icontains=q) | Q(place__icontains=q) | Q(audience__icontains=q))
    if form:
        qs = qs.filter(form=form)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if year:
        qs = qs.in_quarter(year, quarter) if quarter else qs.filter(date__year=year)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs


def trainings_filtered(
    user: Any,
    *,
    q: str = "",
    level: str = "",
    area: Area | None = None,
    year: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> Any:
    """Trainings in the user's scope narrowed by the list's filters, held in
    ``area`` (one the user may see) between ``since`` and ``until`` inclusive."""
    qs = Training.objects.for_list().visible_to(user)
    if q:
        qs = qs.filter(Q(topic__icontains=q) | Q(trainer__icontains=q))
    if level:
        qs = qs.filter(level=level)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if year:
        qs = qs.filter(date__year=year)
    if since:
        qs = qs.filter(date__gte=since)
    if until:
        qs = qs.filter(date__lte=until)
    return qs


DONE, DUE, OVERDUE = "done", "due", "overdue"


@dataclass
class TownshipQuarters:
    township: Area
    counts: list[int]
    states: list[str]
    training_counts: list[int]
    training_states: list[str]
    comanagers: int
    short: list[Any]
    hours_state: str

    @property
    def pairs(self) -> list[tuple[str, int]]:
        return list(zip(self.states, self.counts, strict=True))

    @property
    def training_pairs(self) -> list[tuple[str, int]]:
        return list(zip(self.training_states, self.training_counts, strict=True))


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def _quarter_counts(rows: Any, townships: list[Area]) -> dict[tuple[int, int], int]:
    """{(township index, quarter): n} from rows of (area__path, date__month, n)."""
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        for index, township in enumerate(townships):
            if row["area__path"].startswith(township.path):
                key = (index, quarter_of(datetime.date(2000, row["date__month"], 1)))
                counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _states(counts: list[int], *, year: int, today: datetime.date) -> list[str]:
    return [
        DONE if n else OVERDUE if (year, q) < (today.year, quarter_of(today)) else DUE
        for q, n in enumerate(counts, start=1)
    ]


def publicity_due(user: Any, *, year: int, today: datetime.date) -> list[TownshipQuarters]:
    """Per township in the user's scope, what SPEC §7 and §1 ask of ``year``:

    - publicity: per quarter, the records in the township or its villages;
    - training: per quarter, the township's trainings of village officers;
    - hours: the co-managers of the township with fewer than 20 hours.

    A quarter is done (≥ 1), due (none yet and not over) or overdue (none and
    over); hours are done when nobody is short, overdue once the year is
    over. A fixed number of queries whatever the size."""
    townships = list(
        Area.objects.visible_to(user).filter(retired_on__isnull=True, level=Level.TOWNSHIP).in_code_order()
    )
    publicity = _quarter_counts(
        Outreach.objects.visible_to(user)
        .filter(date__year=year)
        .values("area__path", "date__month")
        .annotate(n=Count("id")),
        townships,
    )
    trainings = _quarter_counts(
        Training.objects.visible_to(user)
        .filter(date__year=year, level=TrainingLevel.TOWNSHIP)
        .values("area__path", "date__month")
        .annotate(n=Count("id")),
        townships,
    )
    people = comanager_hours(user, year=year)
    result = []
    for index, township in enumerate(townships):
        counts = [publicity.get((index, q), 0) for q in range(1, 5)]
        training_counts = [trainings.get((index, q), 0) for q in range(1, 5)]
        mine = [p for p in people if p.institution and p.institution.area.path.startswith(township.path)]
        short = [p for p in mine if p.year_hours < MINIMUM_HOURS]
        hours_state = DONE if not short else OVERDUE if year < today.year else DUE
        result.append(
            TownshipQuarters(
                township=township,
                counts=counts,
                states=_states(counts, year=year, today=today),
                training_counts=training_counts,
                training_states=_states(training_counts, year=year, today=today),
                comanagers=len(mine),
                short=short,
                hours_state=hours_state,
            )
        )
    return result


def get_training_for_user(user: Any, pk: Any) -> Training:
    """The training if it lies in the user's scope; 404 otherwise."""
    return get_object_for_user(Training.objects.select_related("area", "institution"), user, pk)


MINIMUM_HOURS = Decimal(20)


def comanager_hours(user: Any, *, year: int) -> list[Any]:
    """Each active co-manager in the user's scope with ``year_hours``: the sum
    of the hours of the trainings they attended in ``year`` (SPEC §1: at
    least 20). One query."""
    people = (
        User.objects.visible_to(user)
        .with_role(RoleCode.COMANAGER)
        .filter(is_active=True)
        .select_related("institution__area")
        .annotate(
            year_hours=Coalesce(
                Sum("attendances__training__hours", filter=Q(attendances__training__date__year=year)),
                Decimal(0),
                output_field=DecimalField(max_digits=6, decimal_places=1),
            )
        )
        .order_by("institution__area__path", "full_name", "id")
    )
    return list(people)


def attendances_of(person: Any, *, year: int) -> list[Attendance]:
    """The trainings a person attended in ``year``, oldest first."""
    return list(
        Attendance.objects.filter(person=person, training__date__year=year)
        .select_related("training__institution")
        .order_by("training__date", "id")
    )
