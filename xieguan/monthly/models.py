"""The monthly report (月报表, SPEC §8; glossary ``MonthlyReport``).

A township's report for a month (its county's reporting period,
``periods``): its figures are computed from the month's records (``selectors.monthly_figures``), never typed in; what the
report itself keeps is the workflow — submitted, returned, approved (which
locks the month's records), unlocked for a while — and, at every submit, a
``MonthlyReportVersion`` with the figures as they were sent.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xieguan.core.display import month_label
from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet

DEFAULT_DEADLINE_DAY = 23


class MonthlySetting(BaseModel):
    """A county's deadline for monthly reports: the report is due on the
    first ``deadline_day`` after its period closes (the seeds: 每月23号前上报
    县所). The period's start day lives in ``PeriodRule``, dated by month;
    ``monthly.periods`` applies both."""

    county = models.OneToOneField(
        "areas.Area", verbose_name=_("county"), on_delete=models.CASCADE, related_name="monthly_setting"
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("deadline day"), default=23, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("monthly report setting")
        verbose_name_plural = _("monthly report settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline_day__gte=1, deadline_day__lte=31), name="monthly_setting_deadline_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.deadline_day}"


class PeriodRule(BaseModel):
    """From which month a county's reporting month starts on which day
    (统计周期起始日): 1 = the calendar month; 26 = 上月26日至本月25日. One row
    per change; the row with the latest ``applies_from`` (the first of a
    month) not after a month is that month's rule, so months approved
    before a change keep their boundaries. Before a county's first row its
    periods are calendar months."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("county"), on_delete=models.CASCADE, related_name="period_rules"
    )
    start_day = models.PositiveSmallIntegerField(
        _("first day of the reporting month"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    applies_from = models.DateField(_("applies from (month)"))

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("reporting period rule")
        verbose_name_plural = _("reporting period rules")
        ordering = ["county", "applies_from"]
        constraints = [
            models.UniqueConstraint(fields=["county", "applies_from"], name="period_rule_county_month"),
            models.CheckConstraint(
                condition=models.Q(start_day__gte=1, start_day__lte=28), name="period_rule_start_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.applies_from:%Y-%m} {self.start_day}"


class MonthlyStatus(models.TextChoices):
    DRAFT = "draft", _("not submitted")
    SUBMITTED = "submitted", _("submitted, awaiting review")
    RETURNED = "returned", _("returned for correction")
    APPROVED = "approved", _("approved")


class MonthlyReportQuerySet(ScopedQuerySet["MonthlyReport"]):
    def for_list(self) -> MonthlyReportQuerySet:
        return self.select_related("township", "submitted_by", "reviewed_by")


class MonthlyReport(BaseModel):
    """One township's report for one month; see the module doc."""

    township = models.ForeignKey(
        "areas.Area", verbose_name=_("township"), on_delete=models.PROTECT, related_name="monthly_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(_("status"), max_length=12, choices=MonthlyStatus.choices, default=MonthlyStatus.DRAFT)
    deadline = models.DateField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_time = models.BooleanField(_("submitted on time"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unlock_reason = models.TextField(_("reason for unlocking"), blank=True)
    unlock_requested_at = models.DateTimeField(_("unlock requested at"), null=True, blank=True)
    unlocked_until = models.DateTimeField(_("unlocked until"), null=True, blank=True)

    objects = MonthlyReportQuerySet.as_manager()
    scope_lookup = "township__path"

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-year", "-month", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year", "month"], name="monthly_report_township_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="monthly_report_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.township.name} {month_label(self.year, self.month)}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    def is_unlocked(self, now: datetime.datetime) -> bool:
        return self.unlocked_until is not None and self.unlocked_until > now

    def is_locked(self, now: datetime.datetime) -> bool:
        """Approved and not inside a granted unlock: the month's records are frozen."""
        return self.status == MonthlyStatus.APPROVED and not self.is_unlocked(now)

    @property
    def unlock_pending(self) -> bool:
        return self.unlock_requested_at is not None and self.unlocked_until is None


class MonthlyReportVersion(BaseModel):
    """The figures of a report as submitted, kept at every submit."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("monthly report"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    figures = models.JSONField(_("figures"), default=dict)
    remarks = models.TextField(_("remarks"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "report__township__path"

    class Meta:
        verbose_name = _("monthly report version")
        verbose_name_plural = _("monthly report versions")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="monthly_version_number")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"
