"""What assessments add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.permissions import MANAGE_ASSESSMENTS, RECORD_STATION_VISIT, can
from xieguan.areas.models import Area, Level
from xieguan.assessments.models import Appeal, AssessedArea, Assessment, AssessmentStatus, ItemScore, StationVisit
from xieguan.core.registry import (
    ArchiveSection,
    DueItem,
    DueSource,
    HomePanel,
    Indicator,
    MenuItem,
    Period,
    Tally,
    register,
)
from xieguan.core.scope import NOTHING, scope_path_for


def appeals_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """Appeals waiting for an answer, for those who run the assessment (by the end of the appeal window)."""
    if not can(person, MANAGE_ASSESSMENTS):
        return []
    path = scope_path_for(person)
    if path == NOTHING:
        return []
    today = timezone.localdate(now)
    rows = (
        Appeal.objects.select_related("assessment", "area")
        .filter(
            assessment__area__path__startswith=path,
            answered_at__isnull=True,
            assessment__status=AssessmentStatus.RELEASED,
        )
        .order_by("assessment__appeal_until", "created_at")[:200]
    )
    return [
        DueItem(
            "assessment_appeal",
            f"{a.area.name}的申诉（{a.assessment.name}）",
            a.assessment.appeal_until or today,
            person,
            reverse("assessments:detail", args=[a.assessment_id]) + "#appeals",
            a.area,
            overdue=bool(a.assessment.appeal_until and a.assessment.appeal_until < today),
            record=a,
        )
        for a in rows
    ]


def scores_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """Manual items given to the person to score, in assessments being scored."""
    rows = (
        ItemScore.objects.select_related("assessment", "area", "item")
        .filter(reviewer=person, score__isnull=True, assessment__status=AssessmentStatus.SCORING)
        .order_by("assessment__ends_on", "area__path")[:200]
    )
    return [
        DueItem(
            "assessment_score",
            f"{s.area.name}·{s.item.name}（{s.assessment.name}）",
            s.assessment.ends_on,
            person,
            reverse("assessments:score", args=[s.pk]),
            s.area,
            overdue=False,  # scoring follows the period; its deadline is the release the assessor sets
            record=s,
        )
        for s in rows
    ]


def home_panel(user: Any, now: datetime.datetime) -> dict[str, Any] | None:
    """An assessed area's released results and issued bulletins."""
    path = scope_path_for(user)
    if path in (NOTHING, ""):
        return None
    rows = list(
        AssessedArea.objects.select_related("assessment", "area")
        .filter(area__path__startswith=path, assessment__status__in=[AssessmentStatus.RELEASED, AssessmentStatus.FINAL])
        .exclude(assessment__area__path__startswith=path)
        .order_by("-assessment__starts_on", "area__path")[:6]
    )
    if not rows:
        return None
    return {"rows": rows}


def supervision_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """督导覆盖率's counts per township: 1 station, and 1 visited if the institute visited it in the period."""
    townships = (
        Area.objects.active().filter(path__startswith=area.path, level=Level.TOWNSHIP).values_list("path", flat=True)
    )
    visited = dict(
        StationVisit.objects.visible_to(user)
        .filter(area__path__startswith=area.path, visited_on__gte=period.first_day, visited_on__lte=period.last_day)
        .order_by()
        .values_list("area__path")
        .annotate(n=Count("id"))
    )
    for path in townships:
        yield path, {"stations": 1, "visited": 1 if visited.get(path) else 0}


register(
    MenuItem("绩效考核", "assessments:list", 85),
    MenuItem("督导检查", "assessments:visits", 86, RECORD_STATION_VISIT),
    Indicator(
        code="supervision",
        name="督导覆盖率",
        formula="督导覆盖率 = 期内有督导检查记录的乡镇协管站 ÷ 全部乡镇协管站",
        tally=supervision_tally,
        numerator="visited",
        denominator="stations",
        drill=lambda area, period: reverse("assessments:visits"),
        order=90,
    ),
    DueSource("assessment_appeal", "考核申诉待答复", appeals_due, 40),
    DueSource("assessment_score", "考核项目待评分", scores_due, 41),
    HomePanel("assessments/_home_panel.html", 20, home_panel),
    ArchiveSection(
        "考核",
        85,
        lambda area, year: AssessedArea.objects.filter(
            area__path__startswith=area.path, assessment__starts_on__year=year
        ),
    ),
)

__all__ = ["Assessment"]
