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
from xieguan.outreach.models import Attendance, Outreach, Training


def get_outreach_for_user(user: Any, pk: Any) -> Outreach:
    """The record if it lies in the user's scope; 404 otherwise."""
    return get_object_for_user(Outreach.objects.for_list(), user, pk)


DONE, DUE, OVERDUE = "done", "due", "overdue"


@dataclass
class TownshipQuarters:
    township: Area
    counts: list[int]
    states: list[str]

    @property
    def pairs(self) -> list[tuple[str, int]]:
        return list(zip(self.states, self.counts, strict=True))


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def publicity_due(user: Any, *, year: int, today: datetime.date) -> list[TownshipQuarters]:
    """Per township in the user's scope and quarter of ``year``: the number of
    publicity records in the township or its villages, and its state —
    done (≥ 1), due (none yet, quarter not over) or overdue (none, quarter
    over). Quarters after ``today`` are due. Two queries whatever the size."""
    townships = list(Area.objects.visible_to(user).active().filter(level=Level.TOWNSHIP).order_by("path"))
    counts: dict[tuple[int, int], int] = {}
    rows = (
        Outreach.objects.visible_to(user)
        .filter(date__year=year)
        .values("area__path", "date__month")
        .annotate(n=Count("id"))
    )
    by_path = {t.path: i for i, t in enumerate(townships)}
    for row in rows:
        for path, index in by_path.items():
            if row["area__path"].startswith(path):
                key = (index, (row["date__month"] - 1) // 3 + 1)
                counts[key] = counts.get(key, 0) + row["n"]
    result = []
    for index, township in enumerate(townships):
        quarter_counts = [counts.get((index, q), 0) for q in range(1, 5)]
        states = []
        for q, n in enumerate(quarter_counts, start=1):
            quarter_over = (year, q) < (today.year, quarter_of(today))
            states.append(DONE if n else OVERDUE if quarter_over else DUE)
        result.append(TownshipQuarters(township=township, counts=quarter_counts, states=states))
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
        .select_related("institution")
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
