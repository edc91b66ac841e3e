"""Scoped reads of publicity records, and what is due (SPEC §7)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from xieguan.areas.models import Area, Level
from xieguan.core.scope import get_object_for_user
from xieguan.outreach.models import Outreach


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
