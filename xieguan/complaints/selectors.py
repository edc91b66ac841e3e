"""Scoped reads of complaints (SPEC §6): the county's list with the
deadlines first, possible duplicates, the public's view of a case, and the
unit file's timeline entries — none of them carries the complainant."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xieguan.areas.models import Area, Level
from xieguan.complaints.calendar import WorkCalendar
from xieguan.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintQuerySet,
    ComplaintStep,
    Status,
    StepKind,
)
from xieguan.complaints.services import county_of, reopen_until, settings_for
from xieguan.core.scope import get_object_for_user

DUPLICATE_WINDOW_DAYS = 30
LIST_ORDERING = ["urgency", "due_on", "-registered_at", "-id"]


def get_complaint_for_user(user: Any, pk: Any) -> Complaint:
    """The complaint if it lies in the user's scope; 404 otherwise."""
    return get_object_for_user(Complaint.objects.for_list().select_related("inspection", "opinion"), user, pk)


def _county_for_user(user: Any) -> Area | None:
    institution = getattr(user, "institution", None)
    if institution is None:
        return None
    area = institution.area
    if area.level <= Level.COUNTY:
        return area if area.level == Level.COUNTY else None
    return county_of(area)


def near_date(user: Any, today: datetime.date) -> datetime.date:
    """The last day a deadline counts as near for this user's county."""
    county = _county_for_user(user)
    return WorkCalendar(county).add_working_days(today, settings_for(county).near_days)


def complaints_for_list(
    user: Any, *, status: str = "", today: datetime.date | None = None, q: str = ""
) -> ComplaintQuerySet:
    """Complaints in the user's area: past their deadline first, then near
    it (≤ the county's near days), then the other open ones, then closed."""
    today = today or timezone.localdate()
    scoped: Any = Complaint.objects.visible_to(user)
    qs: ComplaintQuerySet = scoped.for_list().with_urgency(today=today, near=near_date(user, today))
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if q:
        code = "".join(ch for ch in q.upper() if ch.isalnum())
        qs = qs.filter(Q(receipt=code) | Q(unit__name__contains=q) | Q(unit_name__contains=q))
    return qs


def urgency_of(complaint: Complaint, *, today: datetime.date, near: datetime.date) -> str:
    """ "past", "near" or "" for a single complaint."""
    if complaint.due_on is None:
        return ""
    if complaint.due_on < today:
        return "past"
    if complaint.due_on <= near:
        return "near"
    return ""


def possible_duplicates(user: Any, complaint: Complaint) -> list[Complaint]:
    """Complaints about the same unit and category registered within 30 days
    before this one (or after it), that the user may see."""
    if complaint.unit_id is None:
        return []
    window = datetime.timedelta(days=DUPLICATE_WINDOW_DAYS)
    return list(
        Complaint.objects.visible_to(user)
        .filter(
            unit_id=complaint.unit_id,
            category=complaint.category,
            registered_at__gte=complaint.registered_at - window,
            registered_at__lte=complaint.registered_at + window,
        )
        .exclude(pk=complaint.pk)
        .exclude(status=Status.DUPLICATE)
        .order_by("registered_at", "id")[:10]
    )


def steps_of(complaint: Complaint) -> list[ComplaintStep]:
    return list(complaint.steps.select_related("actor").order_by("at", "id"))


@dataclass(frozen=True)
class PublicStep:
    label: str
    at: datetime.datetime | None
    deadline: datetime.date | None
    note: str
    late: bool
    pending: bool = False


_NEXT_STEP = {
    Status.REGISTERED: StepKind.ACCEPTED,
    Status.ACCEPTED: StepKind.RESULT,
    Status.TRANSFERRED: StepKind.RESULT,
    Status.RESULT: StepKind.REPLIED,
}


def public_view(complaint: Complaint, *, today: datetime.date | None = None) -> dict[str, Any]:
    """What the complainant sees on the tracking page: the status, each step
    with its date and deadline and only the notes meant for them (the reason
    for not accepting, the reply, what they added), the step now awaited with
    its deadline, and until when they may reopen. No staff names."""
    today = today or timezone.localdate()
    steps = [
        PublicStep(
            label=str(s.get_kind_display()),
            at=s.at,
            deadline=s.deadline,
            note=s.public_note,
            late=s.is_late,
        )
        for s in complaint.steps.order_by("at", "id")
    ]
    next_kind = _NEXT_STEP.get(complaint.status)  # type: ignore[call-overload]
    if next_kind is not None:
        steps.append(
            PublicStep(
                label=str(StepKind(next_kind).label),
                at=None,
                deadline=complaint.due_on,
                note="",
                late=complaint.due_on is not None and complaint.due_on < today,
                pending=True,
            )
        )
    until = reopen_until(complaint)
    return {
        "complaint": complaint,
        "status_label": complaint.get_status_display(),
        "steps": steps,
        "reply": complaint.reply if complaint.status in (Status.REPLIED, Status.ARCHIVED) else "",
        "not_accepted_reason": complaint.not_accepted_reason if complaint.status == Status.NOT_ACCEPTED else "",
        "duplicate_of": complaint.duplicate_of.receipt_display if complaint.duplicate_of is not None else "",
        "reopen_until": until,
        "can_reopen": until is not None and today <= until,
        "can_add_info": complaint.status not in (Status.ARCHIVED, Status.DUPLICATE, Status.NOT_ACCEPTED),
    }


def public_units(township: Area | None, q: str, *, limit: int = 20) -> list[str | Any]:
    """Names of registered units in a township for the public page's search:
    open or suspended (not closed) units, their names and ids only."""
    from xieguan.units.models import Unit, UnitStatus, name_initials_match

    if township is None or township.level != Level.TOWNSHIP:
        return []
    q = (q or "").strip()
    if len(q) < 1:
        return []
    qs = Unit.objects.filter(area__path__startswith=township.path, merged_into__isnull=True).exclude(
        status=UnitStatus.CLOSED
    )
    qs = qs.filter(Q(name__contains=q) | name_initials_match(q))
    return list(qs.order_by("name", "id").values("id", "name")[:limit])
