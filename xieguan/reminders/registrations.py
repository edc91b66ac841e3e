"""What reminders add to the shared registries (xieguan.core.registry): the
one due list on every home page, the inbox in the menu, and the due kinds
whose window is a county's reminder setting (licences and staff
certificates about to expire) or that read another app's figures
(training hours short of 20 in the fourth quarter)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import RoleCode
from xieguan.core.registry import DueItem, DueSource, HomePanel, MenuItem, register
from xieguan.reminders.due import due_list, is_leader
from xieguan.reminders.models import ChannelKind, Reminder
from xieguan.reminders.rules import county_of_person, rule_for

HOME_ROWS = 15
MINIMUM_HOURS = 20


def expiring_documents(person: Any, now: datetime.datetime) -> list[DueItem]:
    """A co-manager's units' licences and staff certificates expiring within
    the county's window (30 days by default), or expired within it."""
    if not person.has_role(RoleCode.COMANAGER):
        return []
    from xieguan.units.models import Licence, StaffCertificate

    today = timezone.localdate(now)
    window = datetime.timedelta(days=rule_for(county_of_person(person)).expiry_days)
    items: list[DueItem] = []
    for model, sentence, url_name in (
        (Licence, _("%(unit)s licence expires"), "units:licence_expiry"),
        (StaffCertificate, _("%(unit)s staff certificate expires"), "units:certificate_expiry"),
    ):
        qs: Any = model.objects.visible_to(person)
        rows = (
            qs.filter(expires_on__gte=today - window, expires_on__lte=today + window)
            .select_related("unit__area")
            .order_by("expires_on", "id")[:200]
        )
        url = reverse(url_name)
        for doc in rows:
            items.append(
                DueItem(
                    "expiring",
                    sentence % {"unit": doc.unit.name},
                    doc.expires_on,
                    person,
                    url,
                    doc.unit.area,
                    doc.expires_on < today,
                    doc,
                )
            )
    return items


def training_hours_short(person: Any, now: datetime.datetime) -> list[DueItem]:
    """From October on: a co-manager whose training hours of the year are short of 20."""
    today = timezone.localdate(now)
    if today.month < 10 or not person.has_role(RoleCode.COMANAGER):
        return []
    from django.db.models import Sum

    from xieguan.outreach.models import Attendance

    hours = (
        Attendance.objects.filter(person=person, training__date__year=today.year).aggregate(h=Sum("training__hours"))[
            "h"
        ]
        or 0
    )
    if hours >= MINIMUM_HOURS:
        return []
    area = person.institution.area if person.institution_id else None
    return [
        DueItem(
            "training_hours",
            _("Training hours this year: %(hours)s, fewer than %(minimum)d")
            % {"hours": hours, "minimum": MINIMUM_HOURS},
            datetime.date(today.year, 12, 31),
            person,
            reverse("outreach:hours_person", args=[person.pk]),
            area,
            record=person,
        )
    ]


def home_panel(user: Any, now: datetime.datetime) -> dict[str, Any] | None:
    """The one due list, soonest first; a leader's people rolled up; unread messages."""
    entries = due_list(user, now)
    unread = Reminder.objects.filter(person=user, channel=ChannelKind.INBOX, read_at__isnull=True).count()
    return {
        "rows": entries[:HOME_ROWS],
        "count": len(entries),
        "overdue": sum(1 for e in entries if e.overdue),
        # The roll-up reads every person's list: on its own page, not on every home page load.
        "leader": is_leader(user),
        "unread": unread,
    }


register(
    MenuItem(gettext_lazy("Messages"), "reminders:inbox", 95),
    DueSource("expiring", gettext_lazy("Licences and certificates about to expire"), expiring_documents, 60),
    DueSource("training_hours", gettext_lazy("Too few training hours"), training_hours_short, 70),
    HomePanel("reminders/_home_due.html", 1, home_panel),
)
