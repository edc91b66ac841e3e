"""Assessment and funds (绩效考核, 经费; SPEC §9; glossary "AssessmentScheme",
"Assessment", "FundAllocation", "StationVisit").

A scheme belongs to the area that assesses (the county for its townships, a
township for its villages); an assessment runs one scheme over one period and
a set of areas. Every score, deduction, appeal and allocation row lies in the
assessed area (``area``), so one prefix filter scopes it; what the assessed
area may see of them before release is decided in selectors."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class Population(BaseModel):
    """服务人口: the people a township or village serves in a year, with where the figure comes from."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("assessment", "Locality"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(pgettext_lazy("assessment", "Year"))
    population = models.PositiveIntegerField(_("Population served"))
    source = models.CharField(_("Source of the figure"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Population served")
        verbose_name_plural = _("Populations served")
        ordering = ["-year", "area__path", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="population_once_a_year")]

    def __str__(self) -> str:
        return gettext("%(area)s %(year)s: %(population)s people") % {
            "area": self.area,
            "year": self.year,
            "population": self.population,
        }


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF = "half", _("Half-yearly")
    YEAR = "year", _("Yearly")
    CAMPAIGN = "campaign", _("For a campaign")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_USE = "in_use", pgettext_lazy("assessment scheme status", "In use")
    RETIRED = "retired", _("Retired")


class AwardMode(models.TextChoices):
    RANKS = "ranks", _("By rank")
    THRESHOLDS = "thresholds", _("By score threshold")


class FundFormula(models.TextChoices):
    SHARE = "share", _("Population share × score coefficient")
    TIERS = "tiers", _("Population share × award coefficient")


class AssessmentScheme(BaseModel):
    """考核方案: weighted items, award tiers and the funds formula; edited as a
    draft, then in use (frozen). A new version is a copy to edit."""

    area = models.ForeignKey("areas.Area", verbose_name=_("Assessing area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(pgettext_lazy("assessment", "Name"), max_length=100)
    period_kind = models.CharField(
        _("Assessment period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.HALF
    )
    version = models.PositiveSmallIntegerField(_("Version"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("Previous version"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        pgettext_lazy("assessment", "Status"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    award_mode = models.CharField(_("Award mode"), max_length=12, choices=AwardMode.choices, default=AwardMode.RANKS)
    # [{"name": "一等奖", "count": 1, "min_score": null, "coefficient": "1.2"}, …]
    award_tiers = models.JSONField(_("Awards"), default=list, blank=True)
    fund_formula = models.CharField(
        _("Funds formula"), max_length=10, choices=FundFormula.choices, default=FundFormula.SHARE
    )
    appeal_days = models.PositiveSmallIntegerField(_("Appeal period (days)"), default=5)
    published_at = models.DateTimeField(_("Put in use at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Assessment scheme")
        verbose_name_plural = _("Assessment schemes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return gettext("%(name)s (version %(version)s)") % {"name": self.name, "version": self.version}

    @property
    def full_marks(self):  # type: ignore[no-untyped-def]
        return sum((i.max_score for i in self.items.all()), 0)


class ItemKind(models.TextChoices):
    AUTO = "auto", _("Automatic (indicator)")
    MANUAL = "manual", _("Manual (reviewing the records)")


class ItemRule(models.TextChoices):
    THRESHOLD = "threshold", _("Full marks at the target, in proportion below it, none under the floor")
    TIERS = "tiers", _("Scored in bands")


class AssessmentItem(BaseModel):
    """One item of a scheme: its maximum score, and either an indicator (by
    its registered ``code``) with a rule, or a reviewer's judgement."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("Assessment scheme"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("No."), default=0)
    name = models.CharField(_("Assessment item"), max_length=100)
    guidance = models.TextField(_("What is assessed and the standard"), blank=True)
    max_score = models.DecimalField(_("Maximum score"), max_digits=6, decimal_places=2)
    kind = models.CharField(_("Scoring method"), max_length=10, choices=ItemKind.choices, default=ItemKind.MANUAL)
    indicator_code = models.CharField(_("Indicator"), max_length=40, blank=True)
    rule = models.CharField(_("Scoring rule"), max_length=10, choices=ItemRule.choices, default=ItemRule.THRESHOLD)
    target = models.DecimalField(_("Target (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    floor = models.DecimalField(_("Floor (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    # [["90", "100"], ["80", "80"]]: min %, share of max %
    tiers = models.JSONField(_("Bands"), default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "scheme__area__path"

    class Meta:
        verbose_name = _("Assessment item")
        verbose_name_plural = _("Assessment items")
        ordering = ["scheme", "order", "id"]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SCORING = "scoring", _("Being scored")
    RELEASED = "released", _("Released (appeal period)")
    FINAL = "final", _("Final")


class BudgetMode(models.TextChoices):
    ENTERED = "entered", _("Total entered")
    PER_CAPITA = "per_capita", _("Per-capita rate × population served")


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    def for_list(self) -> AssessmentQuerySet:
        return self.select_related("scheme", "area")


class Assessment(BaseModel):
    """One run of a scheme over a period and a set of areas (考核)."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("Assessment scheme"), on_delete=models.PROTECT, related_name="assessments"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("Assessing area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(pgettext_lazy("assessment", "Name"), max_length=100)
    period_kind = models.CharField(_("Assessment period"), max_length=10, choices=PeriodKind.choices)
    starts_on = models.DateField(_("Start date"))
    ends_on = models.DateField(_("End date"))
    status = models.CharField(
        pgettext_lazy("assessment", "Status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    released_at = models.DateTimeField(_("Released at"), null=True, blank=True)
    appeal_until = models.DateField(_("Appeals close on"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("Finalised at"), null=True, blank=True)
    budget_mode = models.CharField(
        _("Total funds"), max_length=12, choices=BudgetMode.choices, default=BudgetMode.PER_CAPITA
    )
    per_capita = models.DecimalField(_("Per-capita rate (yuan)"), max_digits=8, decimal_places=2, default=1.25)
    budget = models.DecimalField(_("Total funds (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    bulletin = models.TextField(_("Bulletin"), blank=True)
    bulletin_published_at = models.DateTimeField(_("Bulletin issued at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = AssessmentQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Assessment")
        verbose_name_plural = _("Assessments")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_released(self) -> bool:
        return self.status in (AssessmentStatus.RELEASED, AssessmentStatus.FINAL)


class AssessedAreaQuerySet(ScopedQuerySet["AssessedArea"]):
    def for_list(self) -> AssessedAreaQuerySet:
        return self.select_related("assessment", "area")


class AssessedArea(BaseModel):
    """An area in an assessment, with its total, rank and award once computed."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("Assessment"), on_delete=models.CASCADE, related_name="areas"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("Assessed area"), on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("Total score"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("Rank"), null=True, blank=True)
    tier = models.CharField(_("Award"), max_length=20, blank=True)
    vetoed = models.BooleanField(_("One-vote veto"), default=False)

    objects = AssessedAreaQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Assessed area")
        verbose_name_plural = _("Assessed areas")
        ordering = ["assessment", "area__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="assessed_area_once")]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.area}"


def evidence_upload_to(instance: ItemScore, filename: str) -> str:
    """A stored name of our own making; the client's name is kept only as text."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"assessments/evidence/{uuid.uuid4().hex}.{ext}"


class ItemScoreQuerySet(ScopedQuerySet["ItemScore"]):
    def for_list(self) -> ItemScoreQuerySet:
        return self.select_related("assessment", "area", "item", "reviewer", "scored_by")


class ItemScore(BaseModel):
    """One item's score for one area: computed (automatic, with the figures
    used, frozen at finalising) or given by its reviewer (manual)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("Assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("Assessed area"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        AssessmentItem, verbose_name=_("Assessment item"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Scorer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("Score"), max_digits=6, decimal_places=2, null=True, blank=True)
    figures = models.JSONField(_("Figures used"), default=dict, blank=True)
    notes = models.TextField(_("Scoring notes"), blank=True)
    evidence = models.FileField(_("Supporting evidence"), upload_to=evidence_upload_to, max_length=255, blank=True)
    evidence_name = models.CharField(_("Evidence file name"), max_length=200, blank=True)
    scored_at = models.DateTimeField(_("Scored at"), null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Scored by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ItemScoreQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Item score")
        verbose_name_plural = _("Item scores")
        ordering = ["assessment", "area__path", "item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area", "item"], name="item_score_once")]

    def __str__(self) -> str:
        return f"{self.area} · {self.item}"


class DeductionKind(models.TextChoices):
    DEDUCTION = "deduction", _("Deduction")
    VETO = "veto", _("One-vote veto")


class Deduction(BaseModel):
    """A deduction or a one-vote veto a reviewer applies to an area, with its reason."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("Assessment"), on_delete=models.CASCADE, related_name="deductions"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("Assessed area"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("Type"), max_length=10, choices=DeductionKind.choices, default=DeductionKind.DEDUCTION)
    points = models.DecimalField(_("Points deducted"), max_digits=6, decimal_places=2, default=0)
    reason = models.CharField(pgettext_lazy("assessment", "Reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Deduction or veto")
        verbose_name_plural = _("Deductions and vetoes")
        ordering = ["assessment", "area__path", "created_at"]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_kind_display()}"


class AppealQuerySet(ScopedQuerySet["Appeal"]):
    def for_list(self) -> AppealQuerySet:
        return self.select_related("assessment", "area", "item", "created_by", "answered_by")


class Appeal(BaseModel):
    """申诉: an assessed area's reason against a score, within the window; the assessor's answer."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("Assessment"), on_delete=models.CASCADE, related_name="appeals"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("Appealing area"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        AssessmentItem,
        verbose_name=_("Assessment item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("Reason for the appeal"))
    answer = models.TextField(_("Answer"), blank=True)
    new_score = models.DecimalField(_("Adjusted score"), max_digits=6, decimal_places=2, null=True, blank=True)
    answered_at = models.DateTimeField(_("Answered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Appealed by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AppealQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Appeal")
        verbose_name_plural = _("Appeals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return gettext("Appeal of %(area)s") % {"area": self.area}


class FundAllocation(BaseModel):
    """An area's share of an assessment's budget, with the inputs that made it."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("Assessment"), on_delete=models.CASCADE, related_name="allocations"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("assessed area", "Area"), on_delete=models.PROTECT, related_name="+"
    )
    population = models.PositiveIntegerField(_("Population served"))
    score = models.DecimalField(_("Score"), max_digits=7, decimal_places=2)
    coefficient = models.DecimalField(_("Coefficient"), max_digits=8, decimal_places=4)
    amount = models.DecimalField(_("Amount (yuan)"), max_digits=14, decimal_places=2)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Funds allocation")
        verbose_name_plural = _("Funds allocations")
        ordering = ["assessment", "area__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="allocation_once")]

    def __str__(self) -> str:
        return gettext("%(area)s %(amount)s yuan") % {"area": self.area, "amount": self.amount}


class VisitKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly supervision")
    QUARTERLY = "quarterly", _("Quarterly spot check")


class StationVisitQuerySet(ScopedQuerySet["StationVisit"]):
    def for_list(self) -> StationVisitQuerySet:
        return self.select_related("area", "created_by")


class StationVisit(BaseModel):
    """督导: the institute's visit to a township's station (monthly 督导, quarterly 抽查)."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("assessment", "Township"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("Type"), max_length=10, choices=VisitKind.choices, default=VisitKind.MONTHLY)
    visited_on = models.DateField(_("Date of the visit"))
    supervisors = models.CharField(_("Supervisors"), max_length=200)
    items = models.TextField(_("What was supervised"), blank=True)
    findings = models.TextField(_("Findings"), blank=True)
    score = models.DecimalField(_("Rating"), max_digits=6, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = StationVisitQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Station visit")
        verbose_name_plural = _("Station visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.area} {self.visited_on} {self.get_kind_display()}"
