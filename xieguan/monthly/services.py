"""Writes of monthly reports (SPEC §8): submit, return, approve, unlock
request and grant. Each checks the role and the area, writes, and records
the audit event in the same transaction."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.permissions import CONFIGURE_MONTHLY, REVIEW_MONTHLY, SUBMIT_MONTHLY, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.validators import clean_text
from xieguan.monthly.models import MonthlyReport, MonthlyReportVersion, MonthlySetting, MonthlyStatus, PeriodRule
from xieguan.monthly.periods import (
    DEFAULT_DEADLINE_DAY,
    Period,
    Rules,
    day_label,
    month_label,
    rules_for,
)
from xieguan.monthly.selectors import monthly_figures

if TYPE_CHECKING:
    from xieguan.accounts.models import User

MAX_TEXT = 2000
MAX_UNLOCK_DAYS = 30


def _check_month(year: int, month: int, today: datetime.date, rules: Rules) -> Period:
    """The month's period, if its report may be submitted today: from the
    period's last day on (the county's boundaries, ``periods``), so a month
    is never reported, and never locked, while its days are still to come."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationError({"month": _("Not a valid month.")})
    period = rules.period(year, month)
    if today < period.last_day:
        raise ValidationError({"month": not_yet_submittable(period)})
    return period


def not_yet_submittable(period: Period) -> str:
    """Why a month's report cannot be submitted yet, and from when it can."""
    return _(
        "The report of %(month)s covers %(first)s to %(last)s and can be submitted from %(last)s on, "
        "when the period's records are complete."
    ) % {"month": period.label, "first": day_label(period.first_day), "last": day_label(period.last_day)}


def monthly_report_submit(
    *,
    actor: User,
    township: Area,
    year: int,
    month: int,
    remarks: str = "",
    report_id: uuid.UUID | str | None = None,
) -> tuple[MonthlyReport, bool]:
    """Submit (or resubmit) the township's report of the month with the
    figures as they are now; keeps them as a new version. Allowed from the
    last day of the month's period on (local date), for a report never
    submitted, a returned one, or an approved one inside a granted unlock.
    Returns (report, created); a retried first submit with
    the same client ``report_id`` returns the report already made."""
    require(actor, SUBMIT_MONTHLY, township.path)
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": _("Monthly reports are made by townships.")})
    existing = existing_for_retry(MonthlyReport, report_id, actor)
    if existing is not None:
        return existing, False
    now = timezone.now()
    today = timezone.localdate(now)
    rules = rules_for(township)
    period = _check_month(year, month, today, rules)
    remarks = clean_text(remarks, field="remarks", limit=MAX_TEXT)
    with transaction.atomic():
        report = (
            MonthlyReport.objects.select_for_update()
            .select_related("township")
            .filter(township=township, year=year, month=month)
            .first()
        )
        created = report is None
        if report is None:
            report = MonthlyReport(
                township=township, year=year, month=month, deadline=period.deadline(rules.deadline_day)
            )
            if report_id is not None:
                report.id = uuid.UUID(str(report_id))
            correction = False
        else:
            if report.status == MonthlyStatus.SUBMITTED:
                raise StateConflict(_("This report is already submitted and awaits the county's review."))
            correction = report.status == MonthlyStatus.APPROVED
            if correction and not report.is_unlocked(now):
                raise StateConflict(_("This report is approved and locked; ask the county to unlock it first."))
        with audited(actor, "month.submit", None if created else report) as audit:
            figures = monthly_figures(actor, township=township, year=year, month=month, today=today, period=period)
            report.status = MonthlyStatus.SUBMITTED
            report.submitted_at = now
            report.submitted_by = actor
            report.remarks = remarks
            # A correction after an unlock keeps the first submission's
            # timeliness; otherwise (first submit, or after a return) it is
            # judged now: a returned report counted as not submitted.
            if not correction:
                report.on_time = timezone.localtime(now).date() <= report.deadline
            report.unlocked_until = None
            report.unlock_requested_at = None
            report.save()
            number = report.versions.count() + 1
            MonthlyReportVersion.objects.create(
                report=report,
                number=number,
                figures=figures.as_json(),
                remarks=remarks,
                submitted_at=now,
                submitted_by=actor,
            )
            audit.obj = report
            audit.note = _("monthly report submitted, version %(n)d") % {"n": number}
    return report, created


def _require_review(actor: User, report: MonthlyReport) -> None:
    require(actor, REVIEW_MONTHLY, report.township.path)
    institution = getattr(actor, "institution", None)
    if institution is not None and institution.area.path == report.township.path:
        # A township cannot review its own report, whatever its roles.
        raise ValidationError(_("The county reviews monthly reports."))


def monthly_report_return(*, actor: User, report: MonthlyReport, comment: str) -> MonthlyReport:
    """The county returns a submitted report with a comment; it counts as
    not submitted until the township submits it again."""
    _require_review(actor, report)
    comment = clean_text(comment, field="review_comment", limit=MAX_TEXT, required=True)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        if report.status != MonthlyStatus.SUBMITTED:
            raise StateConflict(_("Only a submitted report awaiting review can be returned or approved."))
        with audited(actor, "month.return", report, note=_("monthly report returned")):
            report.status = MonthlyStatus.RETURNED
            report.review_comment = comment
            report.reviewed_by = actor
            report.reviewed_at = timezone.now()
            report.save()
    return report


def monthly_report_approve(*, actor: User, report: MonthlyReport, comment: str = "") -> MonthlyReport:
    """The county approves a submitted report: the records of the month's
    period in the township are locked (``locks.assert_month_open``) — from
    the day after the period's last day, should it be approved on that day."""
    _require_review(actor, report)
    comment = clean_text(comment, field="review_comment", limit=MAX_TEXT)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        if report.status != MonthlyStatus.SUBMITTED:
            raise StateConflict(_("Only a submitted report awaiting review can be returned or approved."))
        with audited(actor, "month.approve", report, note=_("monthly report approved; the month is locked")):
            report.status = MonthlyStatus.APPROVED
            report.review_comment = comment
            report.reviewed_by = actor
            report.reviewed_at = timezone.now()
            report.unlock_reason = ""
            report.save()
    return report


def monthly_report_unlock_request(*, actor: User, report: MonthlyReport, reason: str) -> MonthlyReport:
    """The township asks the county to unlock an approved month, saying why."""
    require(actor, SUBMIT_MONTHLY, report.township.path)
    reason = clean_text(reason, field="unlock_reason", limit=MAX_TEXT, required=True)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        if report.status != MonthlyStatus.APPROVED:
            raise StateConflict(_("Only an approved report can be unlocked."))
        if report.is_unlocked(timezone.now()):
            raise StateConflict(_("This report is unlocked already."))
        with audited(actor, "month.unlock_request", report, note=_("unlock requested")):
            report.unlock_reason = reason
            report.unlock_requested_at = timezone.now()
            report.unlocked_until = None
            report.save()
    return report


def monthly_report_unlock_grant(*, actor: User, report: MonthlyReport, until: datetime.date) -> MonthlyReport:
    """The county grants a requested unlock until the end of ``until`` (at
    most 30 days ahead): the month's records may change, and the township
    submits again, until then."""
    _require_review(actor, report)
    today = timezone.localdate()
    if not isinstance(until, datetime.date) or until < today:
        raise ValidationError({"until": _("The unlock must end today or later.")})
    if until > today + datetime.timedelta(days=MAX_UNLOCK_DAYS):
        raise ValidationError({"until": _("An unlock lasts at most %(n)d days.") % {"n": MAX_UNLOCK_DAYS}})
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        if report.status != MonthlyStatus.APPROVED or report.unlock_requested_at is None:
            raise StateConflict(_("There is no unlock request to grant."))
        with audited(
            actor, "month.unlock", report, note=_("unlock granted until %(day)s") % {"day": until.isoformat()}
        ):
            end = datetime.datetime.combine(
                until + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
            )
            report.unlocked_until = end
            report.save()
    return report


def _first_of_month(value: Any) -> datetime.date | None:
    """A month given as "2027-03" (an ``<input type="month">``), a date or
    (year, month); None when missing or not a month."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    if isinstance(value, tuple | list) and len(value) == 2:
        year, month = value
    else:
        parts = str(value).strip().split("-")
        if len(parts) < 2:
            return None
        year, month = parts[0], parts[1]
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        return None
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def earliest_rule_month(county: Area) -> datetime.date | None:
    """The first month a new period start day may apply from: the month
    after the latest one of which a township of the county has a report
    submitted or approved (those months keep their boundaries); None when
    no report of the county is submitted or approved."""
    reported = (
        MonthlyReport.objects.filter(
            township__path__startswith=county.path, status__in=[MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED]
        )
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    if reported is None:
        return None
    year, month = reported
    return datetime.date(year + (month == 12), month % 12 + 1, 1)


def monthly_setting_set(
    *,
    actor: User,
    county: Area,
    deadline_day: Any,
    period_start_day: Any,
    applies_from: Any = None,
) -> MonthlySetting:
    """Set the county's deadline day (1–31; 29–31 are clipped to the month,
    31 = month end) and the first day of its reporting month (1–28) from
    the month ``applies_from`` on ("2027-03", a date or (year, month)).

    The deadline day may change at any time: reports already submitted keep
    the deadline they were judged by. A new start day applies from a month
    after every month of which a report of the county is submitted or
    approved (``earliest_rule_month``): the months before it keep their
    boundaries, and their records stay in the months they were reported
    in. It replaces whatever start day was set for that month or later;
    the month it applies from runs from the day after the month before
    ended (``periods``). A start day equal to the one in force needs no
    month. Audited before → after (the setting; the rule made)."""
    require(actor, CONFIGURE_MONTHLY, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Monthly report rules are set per county.")})
    errors: dict[str, str] = {}
    try:
        deadline = int(deadline_day)
    except (TypeError, ValueError):
        deadline = 0
    try:
        start = int(period_start_day)
    except (TypeError, ValueError):
        start = 0
    if not 1 <= deadline <= 31:
        errors["deadline_day"] = _("Enter a day between 1 and 31 (31 means the end of the month).")
    if not 1 <= start <= 28:
        errors["period_start_day"] = _("Enter a day between 1 and 28 (1 means the calendar month).")
    month = _first_of_month(applies_from)
    if applies_from not in (None, "") and month is None:
        errors["applies_from"] = _("Enter a month such as 2027-03.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setting = MonthlySetting.objects.select_for_update().filter(county=county).first()
        rules = rules_for(county)
        if month is None:
            if start != rules.latest_start_day:
                raise ValidationError(
                    {"applies_from": _("Choose the month from which the new first day of the reporting month applies.")}
                )
            kept, new = rules.start_days, None
        else:
            kept = tuple(rule for rule in rules.start_days if rule[0] < month)
            new = (month, start) if Rules(start_days=kept).start_day(month.year, month.month) != start else None
        if month is not None and kept + ((new,) if new else ()) != rules.start_days:
            earliest = earliest_rule_month(county)
            if earliest is not None and month < earliest:
                raise ValidationError(
                    {
                        "applies_from": _(
                            "A new first day can apply from %(earliest)s at the earliest: the reports of "
                            "%(latest)s are already submitted or approved, and the months reported keep their "
                            "boundaries."
                        )
                        % {
                            "earliest": month_label(earliest.year, earliest.month),
                            "latest": month_label(*_month_before(earliest)),
                        }
                    }
                )
            _replace_start_days(actor, county, month, new, rules)
        with audited(
            actor, "month_rules.set", setting, area_path=county.path, note=_("monthly report rules changed")
        ) as audit:
            if setting is None:
                setting = MonthlySetting(county=county, deadline_day=DEFAULT_DEADLINE_DAY)
            setting.deadline_day = deadline
            setting.save()
            audit.obj = setting
    return setting


def _month_before(month: datetime.date) -> tuple[int, int]:
    previous = month - datetime.timedelta(days=1)
    return previous.year, previous.month


def _replace_start_days(
    actor: User, county: Area, month: datetime.date, new: tuple[datetime.date, int] | None, rules: Rules
) -> None:
    """The county's start days from ``month`` on become ``new`` (or the one in
    force before ``month``): later rules are removed, each change audited."""
    for rule in PeriodRule.objects.filter(county=county, applies_from__gte=month).order_by("applies_from"):
        with audited(
            actor,
            "period_rule.set",
            rule,
            area_path=county.path,
            note=_("the first day set for %(month)s is replaced") % {"month": month_label(*_ym(rule.applies_from))},
        ):
            rule.delete()
    if new is None:
        return
    applies, start = new
    before = rules.start_day(applies.year, applies.month)
    with audited(
        actor,
        "period_rule.set",
        None,
        area_path=county.path,
        note=_("reporting month starts on day %(new)d (before: day %(old)d) from %(month)s on")
        % {"new": start, "old": before, "month": month_label(applies.year, applies.month)},
    ) as audit:
        audit.obj = PeriodRule.objects.create(county=county, start_day=start, applies_from=applies)


def _ym(day: datetime.date) -> tuple[int, int]:
    return day.year, day.month
