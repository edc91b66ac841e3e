"""A unit's risk score (SPEC §14), the county's weights, the last backtest."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class Grade(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class RiskSettingsQuerySet(ScopedQuerySet["RiskSettings"]):
    pass


class RiskSettings(BaseModel):
    """A county's weights: the points each risk factor adds to a score, and
    the scores from which a unit is 高 or 中. The defaults are the model's
    fields' defaults; a county without a row scores with them."""

    county = models.OneToOneField(
        "areas.Area", verbose_name=pgettext_lazy("risk", "county"), on_delete=models.CASCADE, related_name="+"
    )
    violation = models.PositiveSmallIntegerField(_("points per violation in the last 12 months"), default=10)
    serious = models.PositiveSmallIntegerField(_("extra points per serious violation"), default=10)
    open_rectification = models.PositiveSmallIntegerField(_("points per open rectification"), default=8)
    complaint = models.PositiveSmallIntegerField(_("points per complaint in the last 12 months"), default=6)
    report = models.PositiveSmallIntegerField(_("points per information report in the last 12 months"), default=6)
    overdue = models.PositiveSmallIntegerField(_("points per patrol interval overdue (at most 3)"), default=5)
    key_unit = models.PositiveSmallIntegerField(_("points for a key unit (category base risk)"), default=5)
    licence_expired = models.PositiveSmallIntegerField(_("points per expired licence"), default=10)
    licence_expiring = models.PositiveSmallIntegerField(_("points per licence expiring within 30 days"), default=3)
    certificate_expired = models.PositiveSmallIntegerField(
        _("points per person with an expired certificate (at most 5)"), default=2
    )
    hygiene_b = models.PositiveSmallIntegerField(_("points for hygiene grade B"), default=4)
    hygiene_c = models.PositiveSmallIntegerField(_("points for hygiene grade C"), default=10)
    high_from = models.PositiveSmallIntegerField(_("high risk from (points)"), default=30)
    medium_from = models.PositiveSmallIntegerField(_("medium risk from (points)"), default=12)
    monthly_capacity = models.PositiveSmallIntegerField(
        _("units the county can patrol in a month (k of the backtest)"), default=30
    )
    sync_unit_grade = models.BooleanField(
        _("write the computed grade into the unit's risk grade (used by draws)"), default=True
    )
    # Category base risk: points by category code (a category not named: 0).
    category_points = models.JSONField(_("points by category"), default=dict, blank=True)

    objects = RiskSettingsQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")

    def __str__(self) -> str:
        return str(self.county)


class UnitRiskQuerySet(ScopedQuerySet["UnitRisk"]):
    def for_list(self) -> UnitRiskQuerySet:
        return self.select_related("unit", "unit__area", "unit__category")


class UnitRisk(BaseModel):
    """A unit's score as the worker last computed it, with its reasons."""

    unit = models.OneToOneField(
        "units.Unit", verbose_name=pgettext_lazy("risk", "unit"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveIntegerField(_("risk score"), default=0, db_index=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, default=Grade.LOW)
    # [{"code", "params", "points", "links": [{"kind", "id", "label"}]}]: the
    # words are made when shown (``reasons.reason_text``).
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = UnitRiskQuerySet.as_manager()
    scope_lookup = "unit__area__path"

    class Meta:
        verbose_name = _("unit risk score")
        verbose_name_plural = _("unit risk scores")
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.score}"


class BacktestQuerySet(ScopedQuerySet["Backtest"]):
    pass


class Backtest(BaseModel):
    """One run of the backtest of a county (``backtest.run_backtest``)."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("risk", "county"), on_delete=models.CASCADE, related_name="+"
    )
    cut_off = models.DateField(_("cut-off date"))
    months = models.PositiveSmallIntegerField(_("months followed"))
    k = models.PositiveIntegerField(_("monthly capacity (k)"))
    units = models.PositiveIntegerField(_("units scored"))
    inspections = models.PositiveIntegerField(_("inspections after the cut-off"))
    violations = models.PositiveIntegerField(_("units found with violations"))
    precision_risk = models.FloatField(_("precision at k, risk order"), null=True, blank=True)
    precision_time = models.FloatField(_("precision at k, time order"), null=True, blank=True)
    days_earlier = models.FloatField(_("mean days earlier"), null=True, blank=True)
    days_earlier_se = models.FloatField(_("standard error of days earlier"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20)
    ran_at = models.DateTimeField(_("run at"))

    objects = BacktestQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("risk backtest")
        verbose_name_plural = _("risk backtests")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.county} {self.cut_off}"


class ReviewResult(models.TextChoices):
    OK = "ok", _("passed")
    PROBLEM = "problem", _("has problems")
    RETURNED = "returned", pgettext_lazy("record review", "returned")


class RecordReviewQuerySet(ScopedQuerySet["RecordReview"]):
    def for_list(self) -> RecordReviewQuerySet:
        return self.select_related("inspection", "inspection__unit", "inspection__recorded_by", "area", "reviewer")


class RecordReview(BaseModel):
    """The institute's review of one township record drawn for a month's
    sample (``reviews.review_draw``): 合格 / 有问题 / 退回 with a comment; the
    co-manager sees it and marks it corrected."""

    inspection = models.OneToOneField(
        "inspections.Inspection",
        verbose_name=pgettext_lazy("record review", "inspection record"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("risk", "area"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(pgettext_lazy("record review", "year"))
    month = models.PositiveSmallIntegerField(pgettext_lazy("record review", "month"))
    weight = models.FloatField(_("draw weight"), default=1)
    result = models.CharField(
        pgettext_lazy("record review", "result"), max_length=10, choices=ReviewResult.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        "accounts.User", verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(pgettext_lazy("record review", "reviewed at"), null=True, blank=True)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    objects = RecordReviewQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("record review")
        verbose_name_plural = _("record reviews")
        ordering = ["-year", "-month", "id"]

    def __str__(self) -> str:
        return str(self.inspection)
