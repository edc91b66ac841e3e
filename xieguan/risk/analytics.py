"""Checklist analytics (SPEC §14): how often each checklist item fails, by
unit category and township, in a year or a month — one SQL aggregate over
the answers of submitted, current inspection records in the user's area."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, UUIDField, When

from xieguan.areas.models import Area, Level
from xieguan.core.scope import NOTHING, scope_path_for
from xieguan.inspections.models import Answer, Inspection, InspectionAnswer, InspectionStatus


def _answers(user: Any, **when: Any) -> QuerySet[InspectionAnswer] | None:
    """The conforming and failing answers (N/A left out) of submitted,
    current inspection records in the user's area matching ``when``;
    ``None`` for a user who sees no area."""
    path = scope_path_for(user)
    if path == NOTHING:
        return None
    filters: dict[str, Any] = {
        "inspection__status": InspectionStatus.SUBMITTED,
        "inspection__superseded_by__isnull": True,
        "result__in": [Answer.CONFORMS, Answer.FAILS],
    }
    if path:
        filters[f"inspection__{Inspection.scope_lookup}__startswith"] = path
    # ``when`` may name the same scope lookup (a narrower area): a second
    # filter keeps both conditions.
    return InspectionAnswer.objects.filter(**filters).filter(**when)


def item_failures(user: Any, *, year: int, month: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Rows of (item code and text, category, township, answered, failed,
    rate), most failures first. N/A answers are not counted."""
    # One join, not "inspection in (a subquery)": on PostgreSQL without
    # fresh statistics (a test's own transaction) the subquery form was
    # planned as a nested loop and ran for more than five minutes on the demo.
    when: dict[str, Any] = {"inspection__started_at__year": year}
    if month:
        when["inspection__started_at__month"] = month
    qs = _answers(user, **when)
    if qs is None:
        return []
    township = Case(
        When(inspection__area__level=Level.TOWNSHIP, then=F("inspection__area_id")),
        default=F("inspection__area__parent_id"),
        output_field=UUIDField(),
    )
    rows = list(
        qs.annotate(township=township)
        .values("item__code", "item__text", "inspection__unit__category__name", "township")
        .annotate(answered=Count("id"), failed=Count("id", filter=Q(result=Answer.FAILS)))
        .filter(failed__gt=0)
        .order_by("-failed", "item__code")[:limit]
    )
    names = dict(Area.objects.filter(pk__in={r["township"] for r in rows}).values_list("pk", "name"))
    return [
        {
            "code": r["item__code"],
            "text": r["item__text"],
            "category": r["inspection__unit__category__name"],
            "township": names.get(r["township"], ""),
            "answered": r["answered"],
            "failed": r["failed"],
            "rate": r["failed"] / r["answered"] if r["answered"] else None,
        }
        for r in rows
    ]


def most_failed_items(
    user: Any, *, within: str, start: datetime.datetime, end: datetime.datetime, limit: int = 10
) -> list[dict[str, Any]]:
    """The checklist items failed most often in the area at path ``within``
    from ``start`` to ``end`` (the county's summary reads it): each item's
    wording once, however many checklist versions carried it, with how
    often it was answered and failed; most failures first. N/A answers are
    not counted; only the user's own area is read."""
    qs = _answers(
        user,
        inspection__started_at__gte=start,
        inspection__started_at__lt=end,
        **{f"inspection__{Inspection.scope_lookup}__startswith": within},
    )
    if qs is None:
        return []
    rows = (
        qs.values("item__text")
        .annotate(answered=Count("id"), failed=Count("id", filter=Q(result=Answer.FAILS)))
        .filter(failed__gt=0)
        .order_by("-failed", "item__text")[:limit]
    )
    return [
        {"text": r["item__text"], "answered": r["answered"], "failed": r["failed"], "rate": r["failed"] / r["answered"]}
        for r in rows
    ]
