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

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class Population(BaseModel):
    """服务人口: the people a township or village serves in a year, with where the figure comes from."""

    area = models.ForeignKey("areas.Area", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    population = models.PositiveIntegerField("服务人口")
    source = models.CharField("来源", max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "服务人口"
        verbose_name_plural = "服务人口"
        ordering = ["-year", "area__path", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="population_once_a_year")]

    def __str__(self) -> str:
        return f"{self.area} {self.year}年 {self.population}人"


class PeriodKind(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    HALF = "half", "半年"
    YEAR = "year", "年度"
    CAMPAIGN = "campaign", "专项"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_USE = "in_use", "已启用"
    RETIRED = "retired", "已停用"


class AwardMode(models.TextChoices):
    RANKS = "ranks", "按名次"
    THRESHOLDS = "thresholds", "按分数线"


class FundFormula(models.TextChoices):
    SHARE = "share", "人口占比 × 得分系数"
    TIERS = "tiers", "人口占比 × 奖项系数"


class AssessmentScheme(BaseModel):
    """考核方案: weighted items, award tiers and the funds formula; edited as a
    draft, then in use (frozen). A new version is a copy to edit."""

    area = models.ForeignKey("areas.Area", verbose_name="考核单位", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    period_kind = models.CharField("考核周期", max_length=10, choices=PeriodKind.choices, default=PeriodKind.HALF)
    version = models.PositiveSmallIntegerField("版本", default=1)
    previous = models.ForeignKey(
        "self", verbose_name="上一版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    award_mode = models.CharField("评奖方式", max_length=12, choices=AwardMode.choices, default=AwardMode.RANKS)
    # [{"name": "一等奖", "count": 1, "min_score": null, "coefficient": "1.2"}, …]
    award_tiers = models.JSONField("奖项", default=list, blank=True)
    fund_formula = models.CharField(
        "经费分配公式", max_length=10, choices=FundFormula.choices, default=FundFormula.SHARE
    )
    appeal_days = models.PositiveSmallIntegerField("申诉期限（天）", default=5)
    published_at = models.DateTimeField("启用时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @property
    def full_marks(self):  # type: ignore[no-untyped-def]
        return sum((i.max_score for i in self.items.all()), 0)


class ItemKind(models.TextChoices):
    AUTO = "auto", "自动（指标）"
    MANUAL = "manual", "人工（查阅资料）"


class ItemRule(models.TextChoices):
    THRESHOLD = "threshold", "达标满分、未达按比例、低于下限不得分"
    TIERS = "tiers", "分档计分"


class AssessmentItem(BaseModel):
    """One item of a scheme: its maximum score, and either an indicator (by
    its registered ``code``) with a rule, or a reviewer's judgement."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("考核项目", max_length=100)
    guidance = models.TextField("考核内容与标准", blank=True)
    max_score = models.DecimalField("分值", max_digits=6, decimal_places=2)
    kind = models.CharField("计分方式", max_length=10, choices=ItemKind.choices, default=ItemKind.MANUAL)
    indicator_code = models.CharField("指标", max_length=40, blank=True)
    rule = models.CharField("计分规则", max_length=10, choices=ItemRule.choices, default=ItemRule.THRESHOLD)
    target = models.DecimalField("目标值（%）", max_digits=6, decimal_places=2, null=True, blank=True)
    floor = models.DecimalField("下限（%）", max_digits=6, decimal_places=2, null=True, blank=True)
    tiers = models.JSONField("分档", default=list, blank=True)  # [["90", "100"], ["80", "80"]]: min %, share of max %

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "scheme__area__path"

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["scheme", "order", "id"]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "准备中"
    SCORING = "scoring", "评分中"
    RELEASED = "released", "已公布（申诉期）"
    FINAL = "final", "已定稿"


class BudgetMode(models.TextChoices):
    ENTERED = "entered", "填写总额"
    PER_CAPITA = "per_capita", "人均标准 × 服务人口"


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    def for_list(self) -> AssessmentQuerySet:
        return self.select_related("scheme", "area")


class Assessment(BaseModel):
    """One run of a scheme over a period and a set of areas (考核)."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="assessments"
    )
    area = models.ForeignKey("areas.Area", verbose_name="考核单位", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    period_kind = models.CharField("考核周期", max_length=10, choices=PeriodKind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    released_at = models.DateTimeField("公布时间", null=True, blank=True)
    appeal_until = models.DateField("申诉截止", null=True, blank=True)
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    budget_mode = models.CharField("经费总额", max_length=12, choices=BudgetMode.choices, default=BudgetMode.PER_CAPITA)
    per_capita = models.DecimalField("人均标准（元）", max_digits=8, decimal_places=2, default=1.25)
    budget = models.DecimalField("经费总额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    bulletin = models.TextField("通报", blank=True)
    bulletin_published_at = models.DateTimeField("通报发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )

    objects = AssessmentQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "考核"
        verbose_name_plural = "考核"
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

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey("areas.Area", verbose_name="被考核单位", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)
    tier = models.CharField("奖项", max_length=20, blank=True)
    vetoed = models.BooleanField("一票否决", default=False)

    objects = AssessedAreaQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "被考核单位"
        verbose_name_plural = "被考核单位"
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

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="scores")
    area = models.ForeignKey("areas.Area", verbose_name="被考核单位", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(AssessmentItem, verbose_name="考核项目", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    figures = models.JSONField("依据数据", default=dict, blank=True)
    notes = models.TextField("评分说明", blank=True)
    evidence = models.FileField("佐证材料", upload_to=evidence_upload_to, max_length=255, blank=True)
    evidence_name = models.CharField("佐证材料名称", max_length=200, blank=True)
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ItemScoreQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["assessment", "area__path", "item__order", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area", "item"], name="item_score_once")]

    def __str__(self) -> str:
        return f"{self.area} · {self.item}"


class DeductionKind(models.TextChoices):
    DEDUCTION = "deduction", "扣分"
    VETO = "veto", "一票否决"


class Deduction(BaseModel):
    """A deduction or a one-vote veto a reviewer applies to an area, with its reason."""

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="deductions")
    area = models.ForeignKey("areas.Area", verbose_name="被考核单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=DeductionKind.choices, default=DeductionKind.DEDUCTION)
    points = models.DecimalField("扣分", max_digits=6, decimal_places=2, default=0)
    reason = models.CharField("理由", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "扣分与否决"
        verbose_name_plural = "扣分与否决"
        ordering = ["assessment", "area__path", "created_at"]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_kind_display()}"


class AppealQuerySet(ScopedQuerySet["Appeal"]):
    def for_list(self) -> AppealQuerySet:
        return self.select_related("assessment", "area", "item", "created_by", "answered_by")


class Appeal(BaseModel):
    """申诉: an assessed area's reason against a score, within the window; the assessor's answer."""

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="appeals")
    area = models.ForeignKey("areas.Area", verbose_name="申诉单位", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        AssessmentItem, verbose_name="考核项目", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("申诉理由")
    answer = models.TextField("答复", blank=True)
    new_score = models.DecimalField("调整后得分", max_digits=6, decimal_places=2, null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AppealQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.area} 申诉"


class FundAllocation(BaseModel):
    """An area's share of an assessment's budget, with the inputs that made it."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="allocations"
    )
    area = models.ForeignKey("areas.Area", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField("服务人口")
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    coefficient = models.DecimalField("系数", max_digits=8, decimal_places=4)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)

    objects = ScopedQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "经费分配"
        verbose_name_plural = "经费分配"
        ordering = ["assessment", "area__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="allocation_once")]

    def __str__(self) -> str:
        return f"{self.area} {self.amount}元"


class VisitKind(models.TextChoices):
    MONTHLY = "monthly", "月督导"
    QUARTERLY = "quarterly", "季抽查"


class StationVisitQuerySet(ScopedQuerySet["StationVisit"]):
    def for_list(self) -> StationVisitQuerySet:
        return self.select_related("area", "created_by")


class StationVisit(BaseModel):
    """督导: the institute's visit to a township's station (monthly 督导, quarterly 抽查)."""

    area = models.ForeignKey("areas.Area", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=VisitKind.choices, default=VisitKind.MONTHLY)
    visited_on = models.DateField("督导日期")
    supervisors = models.CharField("督导人员", max_length=200)
    items = models.TextField("督导内容", blank=True)
    findings = models.TextField("发现问题", blank=True)
    score = models.DecimalField("评分", max_digits=6, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    objects = StationVisitQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "督导检查"
        verbose_name_plural = "督导检查"
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.area} {self.visited_on} {self.get_kind_display()}"
