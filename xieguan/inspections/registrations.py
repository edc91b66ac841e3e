"""What patrols and inspections add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import RoleCode
from xieguan.areas.models import Level
from xieguan.core.permissions import HANDLE_HANDOVER, can
from xieguan.core.registry import (
    ArchiveSection,
    DueItem,
    DueSource,
    HomePanel,
    Indicator,
    LockedModel,
    MenuItem,
    Period,
    Tally,
    due_items,
    months_of,
    records_of_year,
    register,
)
from xieguan.inspections.models import Handover, HandoverStatus, Inspection, Opinion, Reinspection
from xieguan.inspections.selectors import due_this_month, opinions_awaiting_reinspection, patrol_status


def coverage_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """巡查覆盖率's counts per township, month by month over the period (a
    half-year counts each unit once in each month it was due), with the
    units overdue today (the due list above county level reads them)."""
    for year, month in months_of(period):
        view = patrol_status(user, year=year, month=month, township=area, today=today, rows=False)
        for coverage in view.coverage:
            yield coverage.township.path, {"due": coverage.due, "patrolled": coverage.done, "overdue": coverage.overdue}


def _coverage_drill(area: Any, period: Period) -> str:
    query = {"township": area.pk} if area.level == Level.TOWNSHIP else {}
    return f"{reverse('inspections:due')}?{urlencode({**query, 'year': period.year, 'month': period.month})}"


def _comanager(person: Any) -> bool:
    return person.has_role(RoleCode.COMANAGER)


def patrols_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """A co-manager's units still to patrol this month, overdue first."""
    if not _comanager(person):
        return []
    create = reverse("inspections:create")
    return [
        DueItem(
            "patrol",
            r.unit.name,
            r.window_end,
            person,
            f"{create}?unit={r.unit.pk}",
            r.unit.area,
            r.state == "overdue",
            r,
        )
        for r in due_this_month(person, today=timezone.localdate(now))
    ]


def reinspections_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """A co-manager's opinions whose re-inspection deadline has come."""
    if not _comanager(person):
        return []
    today = timezone.localdate(now)
    opinions = opinions_awaiting_reinspection(person).filter(deadline__lte=today)
    return [
        DueItem(
            "reinspection",
            o.unit.name,
            o.deadline,
            person,
            reverse("inspections:opinion", args=[o.pk]),
            o.area,
            o.deadline < today,
            o,
        )
        for o in opinions
    ]


def handovers_open(person: Any, now: datetime.datetime) -> list[DueItem]:
    """The institute's inbox: cases handed over and not yet closed."""
    if _comanager(person) or not can(person, HANDLE_HANDOVER):
        return []
    handovers = Handover.objects.visible_to(person).exclude(status=HandoverStatus.CLOSED).select_related("unit", "area")
    return [
        DueItem(
            "handover", h.unit.name, h.sent_at, person, reverse("inspections:handover", args=[h.pk]), h.area, record=h
        )
        for h in handovers.order_by("sent_at", "id")
    ]


def home_panel(user: Any, now: datetime.datetime) -> dict[str, Any] | None:
    """What is due this month (a co-manager), or the handover inbox (the institute)."""
    if not _comanager(user):
        inbox = due_items(user, now, "handover")
        return {"inbox": True, "open_cases": len(inbox)} if can(user, HANDLE_HANDOVER) else None
    rows = due_items(user, now, "patrol")
    return {
        "show": True,
        "reinspections": due_items(user, now, "reinspection")[:10],
        "rows": rows[:15],
        "count": len(rows),
        "overdue": sum(1 for r in rows if r.overdue),
    }


register(
    MenuItem(_("Inspections"), "inspections:list", 20),
    LockedModel(Inspection, "started_at"),
    LockedModel(Opinion, "issued_at"),
    LockedModel(Reinspection, "inspected_at"),
    Indicator(
        code="coverage",
        name=_("Patrol coverage"),
        formula=_(
            "Patrol coverage = units patrolled in their window ÷ units due in the month "
            "(monthly units in the month, quarterly units in the quarter; only units that existed in the month)"
        ),
        tally=coverage_tally,
        numerator="patrolled",
        denominator="due",
        drill=_coverage_drill,
        order=20,
    ),
    DueSource("patrol", _("To patrol this month"), patrols_due, 20),
    DueSource("reinspection", _("Re-inspections due"), reinspections_due, 30),
    DueSource("handover", _("Cases handed over to the institute"), handovers_open, 40),
    HomePanel("inspections/_due_this_month.html", 20, home_panel),
    ArchiveSection(_("Inspection records"), 20, records_of_year(Inspection, "started_at")),
    ArchiveSection(_("Supervision opinions"), 30, records_of_year(Opinion, "issued_at")),
    ArchiveSection(_("Handovers"), 40, records_of_year(Handover, "sent_at")),
)
