"""What complaints add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xieguan.complaints.models import OPEN_STATUSES, Complaint
from xieguan.core.permissions import HANDLE_COMPLAINT, can
from xieguan.core.registry import ArchiveSection, DueItem, DueSource, MenuItem, OpenWork, records_of_year, register


def complaints_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """Open complaints in the person's area whose working-day deadline is
    near (the county's near days on its calendar) or past, soonest first:
    those the person handles, and those nobody handles yet."""
    if not can(person, HANDLE_COMPLAINT):
        return []
    from xieguan.complaints.selectors import near_date

    today = timezone.localdate(now)
    qs: Any = Complaint.objects.visible_to(person)
    rows = (
        qs.filter(status__in=OPEN_STATUSES, due_on__isnull=False, due_on__lte=near_date(person, today))
        .filter(Q(handlers=person) | Q(handlers__isnull=True))
        .distinct()
        .select_related("area")
        .order_by("due_on", "id")[:200]
    )
    return [
        DueItem(
            "complaint",
            gettext("Complaint %(receipt)s (%(category)s)")
            % {"receipt": c.receipt, "category": c.get_category_display()},
            c.due_on,
            person,
            reverse("complaints:detail", args=[c.pk]),
            c.area,
            c.due_on < today,
            c,
        )
        for c in rows
    ]


register(
    MenuItem(_("Complaints"), "complaints:list", 50),
    DueSource("complaint", _("Complaints nearing their deadline"), complaints_due, 15),
    ArchiveSection(_("Complaints"), 80, records_of_year(Complaint, "registered_at")),
    # A complaint sits in its township; when the township is split, an open
    # one about a village (or a unit there) that moves is handled by the new one.
    OpenWork(Complaint, places=("village", "unit__area"), is_open=Q(status__in=OPEN_STATUSES)),
)
