"""Supervisor review of township records (SPEC §14): each month the county
institute draws a sample of the month's submitted inspection records, more
from riskier units and from co-managers whose records had problems before,
and reviews each as 合格 / 有问题 / 退回 with a comment; the co-manager sees
the result and marks it corrected."""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.areas.models import Area, Level
from xieguan.core.audit import audit_record, audited
from xieguan.core.errors import StateConflict
from xieguan.core.permissions import HANDLE_HANDOVER, RECORD_INSPECTION, require
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.risk.models import RecordReview, ReviewResult, UnitRisk

if TYPE_CHECKING:
    from xieguan.accounts.models import User

REVIEW = HANDLE_HANDOVER  # the institute's supervisors review (the capability only they hold)


def month_range(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(year, month, 1))
    end = timezone.make_aware(datetime.datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def draw_weights(inspections: list[Inspection]) -> dict[Any, float]:
    """1 + the unit's risk score ÷ 10 + 3 for each earlier review of the
    recorder that was not 合格."""
    scores = dict(UnitRisk.objects.filter(unit_id__in={i.unit_id for i in inspections}).values_list("unit_id", "score"))
    problems = dict(
        RecordReview.objects.filter(inspection__recorded_by_id__in={i.recorded_by_id for i in inspections})
        .filter(result__in=[ReviewResult.PROBLEM, ReviewResult.RETURNED])
        .values("inspection__recorded_by_id")
        .annotate(n=Count("id"))
        .values_list("inspection__recorded_by_id", "n")
    )
    return {i.pk: 1 + scores.get(i.unit_id, 0) / 10 + 3 * problems.get(i.recorded_by_id, 0) for i in inspections}


def review_draw(*, actor: User, county: Area, year: int, month: int, share: int = 10, seed: str = "") -> int:
    """Draw ``share`` per cent (at least one a township with records) of the
    county's submitted records of the month, weighted (Efraimidis–Spirakis:
    each record's key is u^(1/weight), the highest keys are drawn); records
    already drawn stay. Returns how many were drawn now."""
    require(actor, REVIEW, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Only a county draws records for review.")})
    if not (1 <= month <= 12) or not (2000 <= year <= 2100):
        raise ValidationError({"month": _("Choose a valid year and month.")})
    if not (1 <= share <= 100):
        raise ValidationError({"share": _("The share drawn must be between 1 and 100 per cent.")})
    start, end = month_range(year, month)
    records = list(
        Inspection.objects.filter(
            area__path__startswith=county.path,
            status=InspectionStatus.SUBMITTED,
            started_at__gte=start,
            started_at__lt=end,
            superseded_by__isnull=True,
        )
        .exclude(pk__in=RecordReview.objects.values("inspection_id"))
        .order_by("pk")
    )
    if not records:
        return 0
    weights = draw_weights(records)
    rng = random.Random(seed or f"{county.pk}-{year}-{month}")  # noqa: S311 - a reproducible sample, no secret
    keyed = sorted(records, key=lambda i: -(rng.random() ** (1 / weights[i.pk])))
    size = max(1, -(-len(records) * share // 100))
    chosen = keyed[:size]
    with transaction.atomic():
        RecordReview.objects.bulk_create(
            RecordReview(inspection=i, area=i.area, year=year, month=month, weight=weights[i.pk]) for i in chosen
        )
        audit_record(actor=actor, action="record_review.draw", obj=None, area_path=county.path)
    return len(chosen)


def review_record(*, actor: User, review: RecordReview, result: str, comment: str) -> RecordReview:
    """The institute's verdict on a drawn record; a comment is required unless 合格."""
    require(actor, REVIEW, review.area.path)
    if result not in ReviewResult.values:
        raise ValidationError({"result": _("Choose passed, has problems or returned.")})
    comment = (comment or "").strip()
    if result != ReviewResult.OK and not comment:
        raise ValidationError({"comment": _("Write a comment when the record has problems or is returned.")})
    with transaction.atomic(), audited(actor, "record_review.review", review):
        review.result = result
        review.comment = comment[:2000]
        review.reviewer = actor
        review.reviewed_at = timezone.now()
        review.corrected_at = None
        review.save()
    return review


def review_corrected(*, actor: User, review: RecordReview) -> RecordReview:
    """The co-manager marks a record with problems (or returned) corrected."""
    require(actor, RECORD_INSPECTION, review.area.path)
    if review.result not in (ReviewResult.PROBLEM, ReviewResult.RETURNED):
        raise StateConflict({"result": _("Only a record with problems or returned needs correcting.")})
    with transaction.atomic(), audited(actor, "record_review.corrected", review):
        review.corrected_at = timezone.now()
        review.save(update_fields=["corrected_at", "updated_at"])
    return review


def review_tally(user: Any, *, area: Any, period: Any, today: datetime.date) -> Any:
    """复核率, 复核问题率 and 复核合格率 per area: the submitted records of
    the period, the reviews of its months' samples given a result
    (``reviewed``, also as ``reviewed_all``), those found 合格 (``passed``)
    and those with problems or returned (``problems``). A period longer than
    a month (an assessment's half-year) counts every month it covers."""
    from xieguan.core.registry import months_of
    from xieguan.core.scope import scope_path_for
    from xieguan.risk.selectors import in_months

    path = scope_path_for(user)
    start, end = period.start, period.end
    records = (
        Inspection.objects.filter(
            area__path__startswith=area.path,
            status=InspectionStatus.SUBMITTED,
            started_at__gte=start,
            started_at__lt=end,
            superseded_by__isnull=True,
        )
        .filter(area__path__startswith=path)
        .values("area__path")
        .annotate(n=Count("id"))
    )
    reviews = (
        RecordReview.objects.filter(area__path__startswith=area.path)
        .filter(in_months(months_of(period)))
        .filter(area__path__startswith=path)
        .exclude(result="")
        .values("area__path")
        .annotate(
            n=Count("id"),
            passed=Count("id", filter=Q(result=ReviewResult.OK)),
            problems=Count("id", filter=Q(result__in=[ReviewResult.PROBLEM, ReviewResult.RETURNED])),
        )
    )
    for row in records:
        yield row["area__path"], {"records": row["n"]}
    for row in reviews:
        yield (
            row["area__path"],
            {"reviewed": row["n"], "reviewed_all": row["n"], "passed": row["passed"], "problems": row["problems"]},
        )
