"""What assessments add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.permissions import MANAGE_ASSESSMENTS, can
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
            gettext("Appeal of %(area)s (%(assessment)s)") % {"area": a.area.name, "assessment": a.assessment.name},
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
            gettext("%(area)s · %(item)s (%(assessment)s)")
            % {"area": s.area.name, "item": s.item.name, "assessment": s.assessment.name},
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
    """督导覆盖率's counts per township, in one query: 1 station, and 1
    visited if the institute recorded a visit to it in the period."""
    visits = StationVisit.objects.visible_to(user).filter(
        area=OuterRef("pk"), visited_on__gte=period.first_day, visited_on__lte=period.last_day
    )
    for path, visited in (
        Area.objects.active()
        .filter(path__startswith=area.path, level=Level.TOWNSHIP)
        .annotate(visited=Exists(visits))
        .values_list("path", "visited")
    ):
        yield path, {"stations": 1, "visited": 1 if visited else 0}


register(
    MenuItem(_("Performance assessment"), "assessments:list", 85),
    Indicator(
        code="supervision",
        name=_("Supervision coverage"),
        formula=_(
            "Supervision coverage = township stations with a station visit recorded in the period ÷ all township stations"
        ),
        tally=supervision_tally,
        numerator="visited",
        denominator="stations",
        drill=lambda area, period: reverse("assessments:visits"),
        order=90,
    ),
    DueSource("assessment_appeal", _("Assessment appeals waiting for an answer"), appeals_due, 40),
    DueSource("assessment_score", _("Assessment items waiting to be scored"), scores_due, 41),
    HomePanel("assessments/_home_panel.html", 20, home_panel),
    ArchiveSection(
        _("Assessments"),
        85,
        lambda area, year: AssessedArea.objects.filter(
            area__path__startswith=area.path, assessment__starts_on__year=year
        ),
    ),
)

__all__ = ["Assessment"]
