"""What the monthly report adds to the shared registries (xieguan.core.registry),
the check behind ``assert_period_open``: a locked month (locks.py), and
the counties' reporting months the apps below read (``month_schedules``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xieguan.core.permissions import REVIEW_MONTHLY, SUBMIT_MONTHLY, can
from xieguan.core.registry import (
    ArchiveSection,
    DueItem,
    DueSource,
    Indicator,
    MenuItem,
    Tally,
    register,
    registry,
)
from xieguan.monthly.locks import assert_month_open
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.periods import Period, start_days_under
from xieguan.monthly.selectors import opinions_of_month


def _above_township(user: Any) -> bool:
    """County, prefecture and province users (and those with no institution)."""
    institution = getattr(user, "institution", None)
    return institution is None or institution.area.level <= 3


def rectified_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """意见书整改完成率's counts: opinions issued in the period, and those a re-inspection found rectified."""
    opinions: Any = opinions_of_month(user, township=area, year=period.year, month=period.month, period=period)
    for path, rectified in opinions.values_list("area__path", "rectified"):
        yield path, {"opinions": 1, "rectified": int(bool(rectified))}


# Working days a reviewer has for a submitted report, and for an unlock request.
REVIEW_WITHIN_DAYS = 3
UNLOCK_DECIDE_WITHIN_DAYS = 1
# An unlock counts as about to expire this long before it ends.
UNLOCK_EXPIRING = datetime.timedelta(days=2)


def _township_of(person: Any) -> Any:
    institution = getattr(person, "institution", None)
    return institution.area if institution is not None and institution.area.level == 4 else None


def _report_url(r: MonthlyReport) -> str:
    return reverse("monthly:report", args=[r.township_id, r.year, r.month])


def _calendar(area: Any) -> Any:
    from xieguan.complaints.calendar import WorkCalendar
    from xieguan.complaints.services import county_of

    return WorkCalendar(area if area.level == 3 else county_of(area))


def monthly_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """A township's report of the month due now, until submitted, on the
    county's deadline day; a report the county returned; an unlock about to end."""
    township = _township_of(person)
    if township is None or not can(person, SUBMIT_MONTHLY):
        return []
    from xieguan.monthly.periods import rules_for
    from xieguan.monthly.selectors import due_now_for

    today = timezone.localdate(now)
    year, month = due_now_for(township, today)
    items: list[DueItem] = []
    reports = {
        (r.year, r.month): r for r in MonthlyReport.objects.filter(township=township).order_by("-year", "-month")[:3]
    }
    current = reports.get((year, month))
    if current is None or current.status == MonthlyStatus.DRAFT:
        deadline = current.deadline if current else rules_for(township).deadline(year, month)
        url = reverse("monthly:report", args=[township.pk, year, month])
        items.append(
            DueItem(
                "monthly_due",
                gettext("Monthly report of %(year)d/%(month)d waiting to be submitted")
                % {"year": year, "month": month},
                deadline,
                person,
                url,
                township,
                deadline < today,
            )
        )
    cal = None
    for r in reports.values():
        if r.status == MonthlyStatus.RETURNED:
            cal = cal or _calendar(township)
            back = timezone.localdate(r.reviewed_at) if r.reviewed_at else today
            due = max(r.deadline, cal.add_working_days(back, 2))
            items.append(
                DueItem(
                    "monthly_returned",
                    gettext("Monthly report of %(year)d/%(month)d returned: please correct it and submit again")
                    % {"year": r.year, "month": r.month},
                    due,
                    person,
                    _report_url(r),
                    township,
                    due < today,
                    r,
                )
            )
        if r.unlocked_until is not None and now < r.unlocked_until <= now + UNLOCK_EXPIRING:
            items.append(
                DueItem(
                    "unlock_expiring",
                    gettext("The unlock of the monthly report of %(year)d/%(month)d ends soon")
                    % {"year": r.year, "month": r.month},
                    r.unlocked_until,
                    person,
                    _report_url(r),
                    township,
                    False,
                    r,
                )
            )
    return items


def monthly_review_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """Reports submitted and awaiting review, and unlock requests: the county's work."""
    if not can(person, REVIEW_MONTHLY) or _township_of(person) is not None:
        return []
    today = timezone.localdate(now)
    qs: Any = MonthlyReport.objects.visible_to(person)
    rows = (
        qs.filter(
            models.Q(status=MonthlyStatus.SUBMITTED)
            | models.Q(unlock_requested_at__isnull=False, unlocked_until__isnull=True)
        )
        .select_related("township")
        .order_by("submitted_at", "id")[:200]
    )
    items: list[DueItem] = []
    cal = None
    for r in rows:
        cal = cal or _calendar(r.township)
        if r.status == MonthlyStatus.SUBMITTED and r.submitted_at:
            due = cal.add_working_days(timezone.localdate(r.submitted_at), REVIEW_WITHIN_DAYS)
            label = gettext("%(township)s: monthly report of %(year)d/%(month)d awaiting review") % {
                "township": r.township.name,
                "year": r.year,
                "month": r.month,
            }
            items.append(DueItem("monthly_review", label, due, person, _report_url(r), r.township, due < today, r))
        if r.unlock_pending and r.unlock_requested_at:
            due = cal.add_working_days(timezone.localdate(r.unlock_requested_at), UNLOCK_DECIDE_WITHIN_DAYS)
            label = gettext("%(township)s asks to unlock the monthly report of %(year)d/%(month)d") % {
                "township": r.township.name,
                "year": r.year,
                "month": r.month,
            }
            items.append(DueItem("unlock_request", label, due, person, _report_url(r), r.township, due < today, r))
    return items


registry.period_check = assert_month_open
registry.month_schedules = start_days_under
register(
    MenuItem(pgettext_lazy("menu", "Monthly report"), "monthly:index", 80),
    MenuItem(pgettext_lazy("menu", "Overview"), "monthly:overview", 90, visible=_above_township),
    DueSource("monthly_due", _("Monthly reports to submit, returned, or with an unlock ending soon"), monthly_due, 50),
    DueSource("monthly_review", _("Monthly reports to review and requests to unlock a month"), monthly_review_due, 55),
    Indicator(
        code="rectified",
        name=_("Opinions rectified"),
        formula=_(
            "Rectification rate = opinions issued in the month that a re-inspection found rectified "
            "÷ opinions issued in the month"
        ),
        tally=rectified_tally,
        numerator="rectified",
        denominator="opinions",
        drill=lambda area, period: reverse(
            "monthly:overview_drill", args=[area.pk, period.year, period.month, "opinions"]
        ),
        order=50,
    ),
    ArchiveSection(
        _("Monthly reports"),
        90,
        lambda area, year: MonthlyReport.objects.filter(township__path__startswith=area.path, year=year),
    ),
)
