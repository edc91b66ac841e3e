"""The unit file's timeline: one list, fed by every app that records
something about a unit (its own changes, publicity and guidance, and later
inspections, opinions, reports, complaints).

An app registers a source in its ``AppConfig.ready()``::

    from xieguan.units.timeline import timeline_source

    @timeline_source
    def outreach_entries(unit, user):
        for record in Outreach.objects.visible_to(user).filter(unit=unit):
            yield TimelineEntry(at=..., kind=_("Guidance"), title=..., url=...)

Each source answers for one unit and one user and must itself respect the
user's scope and any masking (a complaint's entry never names the
complainant). Entries are merged newest first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xieguan.accounts.models import User
    from xieguan.units.models import Unit


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    title: str
    url: str = ""
    actor: str = ""
    detail: str = ""
    tone: str = ""  # "", "warn" or "danger": how the badge is coloured
    all_day: bool = False  # a record kept by date only: show no time
    changes: list[dict[str, Any]] = field(default_factory=list)


Source = Callable[["Unit", "User"], Iterable[TimelineEntry]]
_sources: list[Source] = []


def timeline_source(fn: Source) -> Source:
    """Register ``fn(unit, user)`` as a source of timeline entries."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def _sort_key(entry: TimelineEntry) -> datetime.datetime:
    at = entry.at
    if isinstance(at, datetime.datetime):
        return at if at.tzinfo else at.replace(tzinfo=datetime.UTC)
    return datetime.datetime.combine(at, datetime.time.min, tzinfo=datetime.UTC)


def entries_for(unit: Unit, user: User, *, limit: int = 300) -> list[TimelineEntry]:
    """Every registered source's entries for this unit, newest first."""
    entries: list[TimelineEntry] = []
    for source in _sources:
        entries.extend(source(unit, user))
    entries.sort(key=_sort_key, reverse=True)
    return entries[:limit]


def change_history(unit: Unit, user: User) -> Iterable[TimelineEntry]:
    """The unit's own changes and its licences' and certificates' from the
    audit log, as the audit log shows them (``core.audit.change_rows``: the
    field's name as the user knows it, 是/否, local times), by the person's
    name; and those of every unit merged into it, so a merge loses no history."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from xieguan.core.audit import change_rows
    from xieguan.core.models import AuditEvent
    from xieguan.units.selectors import fields_in_force, unit_county_id

    in_county = fields_in_force(unit.category, unit_county_id(unit), with_inactive=True)
    labels = {f"extra.{f.key}": f.label for f in in_county}
    merged = {str(pk): name for pk, name in _merged_into(unit)}
    unit_ids = [str(unit.pk), *merged]
    related = [str(pk) for pk in unit.licences.values_list("pk", flat=True)]
    related += [str(pk) for pk in unit.certificates.values_list("pk", flat=True)]
    events = (
        AuditEvent.objects.filter(
            Q(object_type="units.unit", object_id__in=unit_ids)
            | Q(object_type__in=["units.licence", "units.staffcertificate"], object_id__in=related)
        )
        .select_related("actor")
        .order_by("-at", "-id")[:200]
    )
    for event in events:
        changes = [
            {"label": label, "before": before, "after": after}
            for label, before, after in change_rows(event, labels=labels)
        ]
        if event.object_type != "units.unit":
            title = event.object_repr
        elif event.object_id in merged:
            title = _("(merged) %(name)s") % {"name": merged[event.object_id]}
        else:
            title = ""
        yield TimelineEntry(
            at=event.at,
            kind=event.label,
            title=title,
            actor=(event.actor.full_name if event.actor else "") or event.actor_label,
            detail=event.note,
            changes=changes,
        )


def _merged_into(unit: Unit) -> list[tuple[Any, str]]:
    """(id, name) of every unit merged into this one, and into those (two
    queries per level of merges; usually one level, or none)."""
    from xieguan.units.models import Unit

    found: list[tuple[Any, str]] = []
    frontier = [unit.pk]
    for _depth in range(10):
        rows = list(Unit.objects.filter(merged_into__in=frontier).values_list("pk", "name"))
        if not rows:
            break
        found += rows
        frontier = [pk for pk, _name in rows]
    return found
