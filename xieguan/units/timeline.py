"""The unit's own change history, for the unit page's timeline: its
changes and its licences' and certificates' from the audit log (and those
of units merged into it). What other apps record about a unit — its
inspections, opinions, reports, complaints, publicity — is shown by their
unit-file sections (``core.registry.UnitFileSection``, each app's
``unit_file.py``), in the archive order.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
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


def change_history(
    unit: Unit,
    user: User,
    *,
    in_county: list[Any] | None = None,
    licences: list[Any] | None = None,
    certificates: list[Any] | None = None,
) -> Iterable[TimelineEntry]:
    """The unit's own changes and its licences' and certificates' from the
    audit log, as the audit log shows them (``core.audit.change_rows``: the
    field's name as the user knows it, 是/否, local times), by the person's
    name; and those of every unit merged into it, so a merge loses no history.
    The unit file passes what it read already (the county's fields, the
    licences, the certificates) so they are not asked twice."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from xieguan.core.audit import change_rows
    from xieguan.core.models import AuditEvent
    from xieguan.units.selectors import fields_in_force, unit_county_id

    if in_county is None:
        in_county = fields_in_force(unit.category, unit_county_id(unit), with_inactive=True)
    labels = {f"extra.{f.key}": f.label for f in in_county}
    merged = {str(pk): name for pk, name in _merged_into(unit)}
    unit_ids = [str(unit.pk), *merged]
    if licences is None:
        licences = list(unit.licences.only("pk"))
    if certificates is None:
        certificates = list(unit.certificates.only("pk"))
    related = [str(x.pk) for x in [*licences, *certificates]]
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
