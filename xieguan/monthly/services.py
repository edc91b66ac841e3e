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
from xieguan.core.idempotency import existing_for_retry
from xieguan.monthly.models import MonthlyReport, MonthlyReportVersion, MonthlySetting, MonthlyStatus
from xieguan.monthly.periods import DEFAULT_DEADLINE_DAY, DEFAULT_PERIOD_START_DAY, period_for, rules_for
from xieguan.monthly.selectors import monthly_figures

if TYPE_CHECKING:
    from xieguan.accounts.models import User

MAX_TEXT = 2000
MAX_UNLOCK_DAYS = 30


def _text(value: str | None, *, field: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": MAX_TEXT}})
    return text


def _check_month(year: int, month: int, today: datetime.date, start_day: int = 1) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationError({"month": _("Not a valid month.")})
    if period_for(year, month, start_day=start_day).first_day > today:
        raise ValidationError({"month": _("A month that has not begun cannot be reported.")})


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
    figures as they are now; keeps them as a new version. Allowed for a
    report never submitted, a returned one, or an approved one inside a
    granted unlock. Returns (report, created); a retried first submit with
    the same client ``report_id`` returns the report already made."""
    require(actor, SUBMIT_MONTHLY, township.path)
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": _("Monthly reports are made by townships.")})
    existing = existing_for_retry(MonthlyReport, report_id, actor)
    if existing is not None:
        return existing, False
    now = timezone.now()
    today = timezone.localdate()
    start_day, deadline_day = rules_for(township)
    _check_month(year, month, today, start_day)
    period = period_for(year, month, start_day=start_day)
    remarks = _text(remarks, field="remarks", required=False)
    with transaction.atomic():
        report = (
            MonthlyReport.objects.select_for_update()
            .select_related("township")
            .filter(township=township, year=year, month=month)
            .first()
        )
        created = report is None
        if report is None:
            report = MonthlyReport(township=township, year=year, month=month, deadline=period.deadline(deadline_day))
            if report_id is not None:
                report.id = uuid.UUID(str(report_id))
            correction = False
        else:
            if report.status == MonthlyStatus.SUBMITTED:
                raise ValidationError(_("This report is already submitted and awaits the county's review."))
            correction = report.status == MonthlyStatus.APPROVED
            if correction and not report.is_unlocked(now):
                raise ValidationError(_("This report is approved and locked; ask the county to unlock it first."))
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
    comment = _text(comment, field="review_comment", required=True)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        if report.status != MonthlyStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report awaiting review can be returned or approved."))
        with audited(actor, "month.return", report, note=_("monthly report returned")):
            report.status = MonthlyStatus.RETURNED
            report.review_comment = comment
            report.reviewed_by = actor
            report.reviewed_at = timezone.now()
            report.save()
    return report


def monthly_report_approve(*, actor: User, report: MonthlyReport, comment: str = "") -> MonthlyReport:
    """The county approves a submitted report: the month's records of the
    township are locked from now on (``locks.assert_month_open``)."""
    _require_review(actor, report)
    comment = _text(comment, field="review_comment", required=False)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        if report.status != MonthlyStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report awaiting review can be returned or approved."))
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
    reason = _text(reason, field="unlock_reason", required=True)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
        if report.status != MonthlyStatus.APPROVED:
            raise ValidationError(_("Only an approved report can be unlocked."))
        if report.is_unlocked(timezone.now()):
            raise ValidationError(_("This report is unlocked already."))
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
            raise ValidationError(_("There is no unlock request to grant."))
        with audited(
            actor, "month.unlock", report, note=_("unlock granted until %(day)s") % {"day": until.isoformat()}
        ):
            end = datetime.datetime.combine(
                until + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
            )
            report.unlocked_until = end
            report.save()
    return report


def monthly_setting_set(*, actor: User, county: Area, deadline_day: Any, period_start_day: Any) -> MonthlySetting:
    """Set the county's deadline day (1–31; 29–31 are clipped to the month,
    31 = month end) and the first day of its reporting month (1–28).

    The deadline day may change at any time: reports already submitted keep
    the deadline they were judged by. The period's start day may change
    only while no report of the county is submitted or approved: a new
    start day moves every period, so it would reshuffle the records of the
    months already reported (and their locks). Audited before → after."""
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
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setting = MonthlySetting.objects.select_for_update().filter(county=county).first()
        current_start = setting.period_start_day if setting is not None else DEFAULT_PERIOD_START_DAY
        if start != current_start:
            reported = (
                MonthlyReport.objects.filter(
                    township__path__startswith=county.path,
                    status__in=[MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED],
                )
                .order_by("-year", "-month")
                .first()
            )
            if reported is not None:
                raise ValidationError(
                    {
                        "period_start_day": _(
                            "The reporting month's first day cannot change: reports of this county are already "
                            "submitted or approved (the latest: %(year)d-%(month)02d), and a new first day would "
                            "move the records of those months. The deadline day can still change."
                        )
                        % {"year": reported.year, "month": reported.month}
                    }
                )
        with audited(
            actor, "month_rules.set", setting, area_path=county.path, note=_("monthly report rules changed")
        ) as audit:
            if setting is None:
                setting = MonthlySetting(county=county, deadline_day=DEFAULT_DEADLINE_DAY)
            setting.deadline_day = deadline
            setting.period_start_day = start
            setting.save()
            audit.obj = setting
    return setting
