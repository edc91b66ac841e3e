"""The one due list (glossary 待办清单 ``DueList``): everything every app
registered as due (``registry.due``) for a person, ordered by due time, and a
leader's roll-up of their people's lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from xieguan.accounts.models import RoleCode, User
from xieguan.core.registry import DueItem, registry, source_items

# A due date (not a time) means by the end of that working day.
END_OF_DAY = datetime.time(23, 59)
# How many people a leader's roll-up reads; the rest are counted by their own lists.
ROLLUP_PEOPLE = 40


def due_time(due: datetime.date | datetime.datetime) -> datetime.datetime:
    """An aware moment for a due date or time (a date: the end of that day, Asia/Shanghai)."""
    if isinstance(due, datetime.datetime):
        return due if timezone.is_aware(due) else timezone.make_aware(due)
    return timezone.make_aware(datetime.datetime.combine(due, END_OF_DAY))


@dataclass(frozen=True)
class DueEntry:
    """One row of the due list: a registered ``DueItem`` with its kind's
    name, its due moment and a key that names it across runs."""

    item: DueItem
    kind_label: str
    due_at: datetime.datetime

    @property
    def key(self) -> str:
        record = self.item.record
        pk = getattr(record, "pk", None)
        if pk is None:
            return f"{self.item.kind}:{self.item.url}:{self.due_at:%Y%m%d}"[:120]
        return f"{self.item.kind}:{pk}"[:120]

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def label(self) -> str:
        return self.item.label

    @property
    def url(self) -> str:
        return self.item.url

    @property
    def area(self) -> Any:
        return self.item.area

    @property
    def responsible(self) -> Any:
        return self.item.responsible

    @property
    def overdue(self) -> bool:
        return self.item.overdue

    @property
    def all_day(self) -> bool:
        return not isinstance(self.item.due, datetime.datetime)


def due_list(person: Any, now: datetime.datetime | None = None, kinds: set[str] | None = None) -> list[DueEntry]:
    """Everything due for ``person`` from every registered source, soonest first."""
    now = now or timezone.now()
    entries = [
        DueEntry(item, str(source.label), due_time(item.due))
        for source in registry.due
        if kinds is None or source.kind in kinds
        for item in source_items(source, person, now)
    ]
    entries.sort(key=lambda e: (e.due_at, e.kind, e.label))
    return entries


@dataclass(frozen=True)
class PersonDue:
    person: Any
    count: int
    overdue: int
    first: DueEntry | None


def is_leader(person: Any) -> bool:
    """A county leader or supervisor (the county's people), or a township
    leader (the health centre's head: their township's people)."""
    return bool(
        person.is_authenticated
        and person.has_role(RoleCode.COUNTY_LEADER, RoleCode.SUPERVISOR, RoleCode.TOWNSHIP_LEADER)
    )


def people_under(leader: Any) -> list[Any]:
    """The co-managers in the leader's area whose lists roll up to them: the
    area of the leader's institution, so a township leader's own township."""
    qs: Any = User.objects.visible_to(leader)
    return list(
        qs.with_role(RoleCode.COMANAGER)
        .filter(is_active=True)
        .exclude(pk=leader.pk)
        .select_related("institution__area")
        .order_by("institution__area__path", "full_name", "id")[:ROLLUP_PEOPLE]
    )


def rollup(leader: Any, now: datetime.datetime | None = None) -> list[PersonDue]:
    """Each of the leader's people with how much is due and overdue, most overdue first."""
    now = now or timezone.now()
    rows = []
    for person in people_under(leader):
        entries = due_list(person, now)
        rows.append(
            PersonDue(person, len(entries), sum(1 for e in entries if e.overdue), entries[0] if entries else None)
        )
    rows.sort(key=lambda r: (-r.overdue, -r.count, r.person.full_name))
    return rows


def entry_json(entry: DueEntry) -> dict[str, Any]:
    """A due-list row as the API and the field app carry it."""
    return {
        "key": entry.key,
        "kind": entry.kind,
        "kind_label": entry.kind_label,
        "label": entry.label,
        "due": timezone.localtime(entry.due_at),
        "all_day": entry.all_day,
        "overdue": entry.overdue,
        "responsible": getattr(entry.responsible, "full_name", "") or getattr(entry.responsible, "username", ""),
        "responsible_id": getattr(entry.responsible, "pk", None),
        "url": entry.url,
        "area": getattr(entry.area, "name", ""),
    }
