"""Special campaigns (专项检查) and 双随机 draws (SPEC §4 plans, §14 public
disclosure; glossary "Campaign", "CampaignTarget", "RandomDraw").

A campaign visit is an ordinary inspection record: the target points at it,
so coverage, the registers and the monthly report count it as any other."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


def basis_upload_to(instance: Campaign, filename: str) -> str:
    """A stored name of our own making: the client's file name is kept only
    as text (``basis_name``), never as a path."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"campaigns/basis/{uuid.uuid4().hex}.{ext}"


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    def for_list(self) -> CampaignQuerySet:
        return self.select_related("area", "category", "created_by").annotate(
            target_count=models.Count("targets", distinct=True),
            done_count=models.Count(
                "targets",
                filter=models.Q(targets__inspection__status="submitted"),
                distinct=True,
            ),
        )


class Campaign(BaseModel):
    """A special campaign of the county institute (area = the county) or of a
    township for its own area (area = the township)."""

    area = models.ForeignKey("areas.Area", verbose_name="范围", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    basis = models.CharField("依据文件", max_length=200, blank=True)
    basis_file = models.FileField("依据文件附件", upload_to=basis_upload_to, max_length=255, blank=True)
    basis_name = models.CharField("附件名称", max_length=200, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    category = models.ForeignKey(
        "units.Category", verbose_name="单位类别", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subtypes = models.ManyToManyField("units.Subtype", verbose_name="细分类型", blank=True, related_name="+")
    template = models.ForeignKey(
        "inspections.ChecklistTemplate",
        verbose_name="检查表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="承办人员", blank=True, related_name="+")
    summary = models.TextField("总结", blank=True)
    closed_at = models.DateTimeField("结束于", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "专项检查"
        verbose_name_plural = "专项检查"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class TargetSource(models.TextChoices):
    FILTER = "filter", "按条件选定"
    HAND = "hand", "逐户选定"
    DRAW = "draw", "双随机抽取"


class CampaignTargetQuerySet(ScopedQuerySet["CampaignTarget"]):
    def for_list(self) -> CampaignTargetQuerySet:
        return self.select_related("campaign", "unit", "area", "inspection", "draw").prefetch_related("inspectors")

    def done(self) -> CampaignTargetQuerySet:
        return self.filter(inspection__status="submitted")


class CampaignTarget(BaseModel):
    """A unit a campaign visits, in the township where the unit is; done once
    its inspection record is submitted."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项检查", on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源", max_length=10, choices=TargetSource.choices, default=TargetSource.HAND)
    draw = models.ForeignKey(
        "RandomDraw", verbose_name="抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="targets"
    )
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="检查人员", blank=True, related_name="+")
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name="检查记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_targets",
    )

    objects = CampaignTargetQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "专项检查对象"
        verbose_name_plural = "专项检查对象"
        ordering = ["area__path", "unit__name", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_target_once")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit}"

    @property
    def is_done(self) -> bool:
        return self.inspection is not None and self.inspection.status == "submitted"


class RandomDrawQuerySet(ScopedQuerySet["RandomDraw"]):
    def for_list(self) -> RandomDrawQuerySet:
        return self.select_related("campaign", "area", "drawn_by", "replaces")

    def published(self) -> RandomDrawQuerySet:
        return self.filter(published_at__isnull=False)


class RandomDraw(BaseModel):
    """One 双随机 draw, final once made. ``pool`` holds the ids of the units
    that matched the filter at the moment of the draw, ``picks`` the result:
    ``[{"unit_id": …, "inspector_ids": […]}, …]`` in draw order. Anyone can
    recompute it from ``seed`` and ``pool`` (services.draw_rank)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="专项检查", null=True, blank=True, on_delete=models.PROTECT, related_name="draws"
    )
    area = models.ForeignKey("areas.Area", verbose_name="范围", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("名称", max_length=100)
    filter = models.JSONField("抽取条件", default=dict, blank=True)
    seed = models.CharField("随机种子", max_length=64)
    pool = models.JSONField("备选单位", default=list)
    inspector_pool = models.JSONField("备选检查人员", default=list)
    count = models.PositiveIntegerField("抽取户数")
    ratio = models.DecimalField("抽取比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    grade_ratios = models.JSONField("分级抽取比例", default=dict, blank=True)
    inspectors_per_target = models.PositiveSmallIntegerField("每户检查人员数", default=2)
    include_comanagers = models.BooleanField("协管员参与抽取", default=False)
    picks = models.JSONField("抽取结果", default=list)
    replaces = models.ForeignKey(
        "self", verbose_name="重抽自", null=True, blank=True, on_delete=models.PROTECT, related_name="redraws"
    )
    reason = models.TextField("重抽理由", blank=True)
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT, related_name="+"
    )
    results_due = models.DateField("结果公开期限", null=True, blank=True)
    published_at = models.DateTimeField("结果公开时间", null=True, blank=True)

    objects = RandomDrawQuerySet.as_manager()
    scope_lookup = "area__path"
    # Lists of ids the draw's page shows with names; the audit log records
    # the picked units by name and the pool's size instead (services.draw_make).
    audit_exclude = ("pool", "inspector_pool", "picks", "filter")

    class Meta:
        verbose_name = "双随机抽取"
        verbose_name_plural = "双随机抽取"
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DrawConflict(BaseModel):
    """A declared conflict of interest: the inspector is never drawn for the unit."""

    unit = models.ForeignKey("units.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查人员", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField("回避理由", max_length=200, blank=True)

    objects = ScopedQuerySet["DrawConflict"].as_manager()
    scope_lookup = "unit__area__path"

    class Meta:
        verbose_name = "回避关系"
        verbose_name_plural = "回避关系"
        constraints = [models.UniqueConstraint(fields=["unit", "inspector"], name="draw_conflict_once")]

    def __str__(self) -> str:
        return f"{self.inspector} · {self.unit}"


class CampaignSettings(models.Model):
    """A county's 双随机 settings: whether co-managers are drawn as inspectors."""

    county = models.OneToOneField("areas.Area", on_delete=models.CASCADE, related_name="+")
    comanagers_drawn = models.BooleanField("协管员可被抽为检查人员", default=False)
    results_days = models.PositiveSmallIntegerField("结果公开期限（工作日）", default=20)

    class Meta:
        verbose_name = "双随机设置"
        verbose_name_plural = "双随机设置"

    def __str__(self) -> str:
        return f"{self.county} 双随机设置"


def material_upload_to(instance: CampaignMaterial, filename: str) -> str:
    """A stored name of our own making (the client's name is kept as text only)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"campaigns/materials/{uuid.uuid4().hex}.{ext}"


class CampaignMaterial(BaseModel):
    """A material of the campaign (a notice, meeting minutes, a photo of the
    briefing…) kept with it and listed in its closing summary."""

    campaign = models.ForeignKey(Campaign, verbose_name="专项检查", on_delete=models.CASCADE, related_name="materials")
    area = models.ForeignKey("areas.Area", verbose_name="范围", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to=material_upload_to, max_length=255)
    file_name = models.CharField("原文件名", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet["CampaignMaterial"].as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "专项检查材料"
        verbose_name_plural = "专项检查材料"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return (self.file.name or "").rsplit(".", 1)[-1].lower() in {"jpg", "jpeg", "png"}
