"""Scoped reads of assessments and funds.

The assessor (users within the assessment's own area) sees everything; an
assessed area sees an assessment, and only its own scores, once the
assessor has released it — never before, and never another area's."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import scope_root_for
from xieguan.assessments.bulletin import Results, results_of
from xieguan.assessments.models import (
    Appeal,
    AssessedArea,
    Assessment,
    AssessmentItem,
    AssessmentScheme,
    AssessmentStatus,
    Deduction,
    FundAllocation,
    ItemScore,
    Population,
    StationVisit,
)
from xieguan.core.scope import NOTHING, get_object_for_user, is_within, scope_path_for

RELEASED = (AssessmentStatus.RELEASED, AssessmentStatus.FINAL)


def schemes_for(user: Any) -> QuerySet[AssessmentScheme]:
    """Schemes of the user's area (an assessed township reads the county's through its assessments)."""
    return AssessmentScheme.objects.visible_to(user).select_related("area", "created_by")


def get_scheme_for_user(user: Any, pk: Any) -> AssessmentScheme:
    return get_object_for_user(AssessmentScheme.objects.select_related("area"), user, pk)


def get_item_for_user(user: Any, pk: Any) -> AssessmentItem:
    return get_object_for_user(AssessmentItem.objects.select_related("scheme", "scheme__area"), user, pk)


def assessments_for(user: Any) -> QuerySet[Assessment]:
    """Assessments the user runs, and released ones of which the user's area is assessed."""
    path = scope_path_for(user)
    if path == NOTHING:
        return Assessment.objects.none()
    if path == "":
        return Assessment.objects.for_list()
    assessed = AssessedArea.objects.filter(area__path__startswith=path).values("assessment_id")
    return Assessment.objects.for_list().filter(
        Q(area__path__startswith=path) | Q(pk__in=assessed, status__in=RELEASED)
    )


def get_assessment_for_user(user: Any, pk: Any) -> Assessment:
    try:
        return assessments_for(user).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError, Exception) as exc:
        if isinstance(exc, Http404):
            raise
        raise Http404 from None


def runs(user: Any, assessment: Assessment) -> bool:
    """Whether the user is on the assessing side (within the assessment's own area)."""
    return is_within(user, assessment.area.path)


def _released_only(user: Any, assessment: Assessment, qs: QuerySet[Any]) -> QuerySet[Any]:
    if runs(user, assessment):
        return qs
    return qs if assessment.status in RELEASED else qs.none()


def areas_of(user: Any, assessment: Assessment) -> QuerySet[AssessedArea]:
    """The assessed areas (totals, rank, tier) the user may see, best first."""
    qs = AssessedArea.objects.for_list().filter(assessment=assessment)
    if not runs(user, assessment):
        qs = qs.visible_to(user)
    return _released_only(user, assessment, qs).order_by("rank", "area__path")


def scores_of(user: Any, assessment: Assessment) -> QuerySet[ItemScore]:
    qs = ItemScore.objects.for_list().filter(assessment=assessment)
    if not runs(user, assessment):
        qs = qs.visible_to(user)
    return _released_only(user, assessment, qs)


def deductions_of(user: Any, assessment: Assessment) -> QuerySet[Deduction]:
    qs = Deduction.objects.select_related("area", "created_by").filter(assessment=assessment)
    if not runs(user, assessment):
        qs = qs.visible_to(user)
    return _released_only(user, assessment, qs)


def released_results(user: Any, assessment: Assessment) -> Results:
    """The results of a released assessment as ``user`` sees them (404 before release)."""
    if not assessment.is_released:
        raise Http404
    return results_of(
        assessment, areas_of(user, assessment), scores_of(user, assessment), deductions_of(user, assessment)
    )


def appeals_of(user: Any, assessment: Assessment) -> QuerySet[Appeal]:
    qs = Appeal.objects.for_list().filter(assessment=assessment)
    return qs if runs(user, assessment) else qs.visible_to(user)


def allocations_of(user: Any, assessment: Assessment) -> QuerySet[FundAllocation]:
    qs = FundAllocation.objects.select_related("area").filter(assessment=assessment)
    if not runs(user, assessment):
        qs = qs.visible_to(user)
    return _released_only(user, assessment, qs).order_by("area__path")


def get_score_for_user(user: Any, pk: Any) -> ItemScore:
    """A score: for the assessor always, for the assessed area once released."""
    try:
        score = ItemScore.objects.for_list().get(pk=pk)
    except (ItemScore.DoesNotExist, ValueError, TypeError, Exception):
        raise Http404 from None
    if runs(user, score.assessment) or (is_within(user, score.area.path) and score.assessment.status in RELEASED):
        return score
    raise Http404


def get_appeal_for_user(user: Any, pk: Any) -> Appeal:
    try:
        appeal = Appeal.objects.for_list().get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError, Exception):
        raise Http404 from None
    if runs(user, appeal.assessment) or is_within(user, appeal.area.path):
        return appeal
    raise Http404


def my_scores_to_give(user: Any, assessment: Assessment) -> QuerySet[ItemScore]:
    return scores_of(user, assessment).filter(reviewer=user, score__isnull=True)


def populations_for(user: Any) -> QuerySet[Population]:
    return Population.objects.visible_to(user).select_related("area")


def visits_for(user: Any) -> QuerySet[StationVisit]:
    return StationVisit.objects.for_list().visible_to(user)


def visits_behind_score(user: Any, score: Any) -> QuerySet[StationVisit]:
    """The station visits a reviewer reads before scoring a manual item
    (督导 feeds the manual items, SPEC §10): those of the scored area's
    stations (its own and those below it) within the assessment's period,
    oldest first, in the reviewer's own area only."""
    assessment = score.assessment
    return (
        StationVisit.objects.for_list()
        .visible_to(user)
        .filter(
            area__path__startswith=score.area.path,
            visited_on__gte=assessment.starts_on,
            visited_on__lte=assessment.ends_on,
        )
        .order_by("visited_on", "id")
    )


def get_visit_for_user(user: Any, pk: Any) -> StationVisit:
    return get_object_for_user(StationVisit.objects.for_list(), user, pk)


def visit_level(user: Any) -> int | None:
    """The level of the stations the user supervises: the county's
    institute (and an administrator) visits the township stations, a
    township's co-managers the village stations; anyone lower none."""
    root = scope_root_for(user)
    if root is None:
        return Level.TOWNSHIP if user.is_superuser else None
    if root.level <= Level.COUNTY:
        return Level.TOWNSHIP
    if root.level == Level.TOWNSHIP:
        return Level.VILLAGE
    return None


def visit_stations(user: Any) -> QuerySet[Area]:
    """The stations the user may record a visit to (one query), in area order."""
    level = visit_level(user)
    if level is None:
        return Area.objects.none()
    return Area.objects.visible_to(user).active().filter(level=level).order_by("path")
