"""The unit file's entries from patrols (SPEC §3 一户一档, §4): inspection
records, opinions, re-inspections and handovers with the institute's outcome."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xieguan.units.timeline import TimelineEntry


def inspection_entries(unit: Any, user: Any) -> Iterator[TimelineEntry]:
    from django.db.models import Count

    from xieguan.inspections.models import Handover, HandoverStatus, Inspection, Opinion, Reinspection

    records = list(
        Inspection.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("recorded_by", "template")
        .annotate(photo_count=Count("photos"))[:100]
    )
    if not records:
        return  # opinions, re-inspections and handovers all come from a record: one query for most units
    for record in records:
        kind = _("Inspection") if record.is_locked else _("Inspection draft")
        title = record.template.title + (f" · v{record.version}" if record.version > 1 else "")
        detail = record.problems[:200] or (record.get_overall_result_display() if record.overall_result else "")
        if record.photo_count:
            detail = " · ".join(
                filter(None, [detail, _("%(count)d photos") % {"count": record.photo_count}])  # type: ignore[attr-defined]
            )
        yield TimelineEntry(
            at=record.started_at,
            kind=kind,
            title=title,
            url=reverse("inspections:detail", args=[record.pk]),
            actor=record.recorded_by.full_name or record.recorded_by.username,
            detail=detail,
            tone="" if record.overall_result in ("", "conforming") else "warn",
        )
    for opinion in Opinion.objects.visible_to(user).filter(unit=unit).select_related("issued_by")[:100]:
        yield TimelineEntry(
            at=opinion.issued_at,
            kind=_("Supervision opinion"),
            title=opinion.number,
            url=reverse("inspections:opinion", args=[opinion.pk]),
            actor=opinion.issued_by.full_name or opinion.issued_by.username,
            detail=_("Rectify by %(date)s") % {"date": opinion.deadline.isoformat()},
            tone="warn",
        )
    for re in Reinspection.objects.visible_to(user).filter(opinion__unit=unit).select_related("recorded_by")[:100]:
        yield TimelineEntry(
            at=re.inspected_at,
            kind=_("Re-inspection"),
            title=re.get_result_display(),
            url=reverse("inspections:reinspection", args=[re.pk]),
            actor=re.recorded_by.full_name or re.recorded_by.username,
            detail=re.note[:200],
            tone="" if re.result == "rectified" else "danger" if re.result == "not_rectified" else "warn",
        )
    for handover in Handover.objects.visible_to(user).filter(unit=unit).select_related("sent_by")[:100]:
        detail = handover.outcome if handover.status == HandoverStatus.CLOSED else handover.get_status_display()
        yield TimelineEntry(
            at=handover.outcome_at or handover.sent_at,
            kind=_("Handover to the institute"),
            title=handover.get_reason_display(),
            url=reverse("inspections:handover", args=[handover.pk]),
            actor=handover.sent_by.full_name or handover.sent_by.username,
            detail=_("Outcome: %(text)s") % {"text": detail} if handover.outcome else detail,
            tone="danger",
        )
