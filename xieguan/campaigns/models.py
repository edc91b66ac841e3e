"""Special campaigns (专项检查) and 双随机 draws (SPEC §4 plans, §14 public
disclosure; glossary "Campaign", "CampaignTarget", "RandomDraw").

A campaign visit is an ordinary inspection record: the target points at it,
so coverage, the registers and the monthly report count it as any other."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

    area = models.ForeignKey("areas.Area", verbose_name=_("Area covered"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(pgettext_lazy("campaign", "Name"), max_length=100)
    basis = models.CharField(_("Basis document"), max_length=200, blank=True)
    basis_file = models.FileField(_("Basis document file"), upload_to=basis_upload_to, max_length=255, blank=True)
    basis_name = models.CharField(_("Attachment name"), max_length=200, blank=True)
    starts_on = models.DateField(pgettext_lazy("campaign", "Start date"))
    ends_on = models.DateField(pgettext_lazy("campaign", "End date"))
    category = models.ForeignKey(
        "units.Category",
        verbose_name=_("Unit category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subtypes = models.ManyToManyField(
        "units.Subtype", verbose_name=pgettext_lazy("campaign", "Subtypes"), blank=True, related_name="+"
    )
    template = models.ForeignKey(
        "inspections.ChecklistTemplate",
        verbose_name=_("Checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The campaign's own checklist is an ordinary county checklist kept under
    # a switched-off subtype of the county that no unit has: its versions
    # (inspections' drafts and publishing) never become any unit's checklist
    # but through ``template`` (campaigns.checklists).
    checklist_subtype = models.OneToOneField(
        "units.Subtype",
        verbose_name=_("Subtype of the campaign's own checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("Staff in charge"), blank=True, related_name="+"
    )
    summary = models.TextField(_("Campaign summary"), blank=True)
    closed_at = models.DateTimeField(_("Closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Special campaign")
        verbose_name_plural = _("Special campaigns")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class TargetSource(models.TextChoices):
    FILTER = "filter", _("Chosen by conditions")
    HAND = "hand", _("Chosen one by one")
    DRAW = "draw", _("Double-random draw")


class CampaignTargetQuerySet(ScopedQuerySet["CampaignTarget"]):
    def for_list(self) -> CampaignTargetQuerySet:
        return self.select_related("campaign", "unit", "area", "inspection", "draw").prefetch_related("inspectors")

    def done(self) -> CampaignTargetQuerySet:
        return self.filter(inspection__status="submitted")


class CampaignTarget(BaseModel):
    """A unit a campaign visits, in the township where the unit is; done once
    its inspection record is submitted."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("Special campaign"), on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=pgettext_lazy("campaign", "Unit"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("campaign", "Township"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(
        pgettext_lazy("campaign", "Source"), max_length=10, choices=TargetSource.choices, default=TargetSource.HAND
    )
    draw = models.ForeignKey(
        "RandomDraw",
        verbose_name=pgettext_lazy("campaign", "Draw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("Inspectors"), blank=True, related_name="+"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=pgettext_lazy("campaign", "Inspection record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_targets",
    )

    objects = CampaignTargetQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Campaign target")
        verbose_name_plural = _("Campaign targets")
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
        Campaign,
        verbose_name=_("Special campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draws",
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("Area covered"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(pgettext_lazy("campaign", "Name"), max_length=100)
    filter = models.JSONField(_("Draw conditions"), default=dict, blank=True)
    seed = models.CharField(_("Random seed"), max_length=64)
    pool = models.JSONField(_("Pool of units"), default=list)
    inspector_pool = models.JSONField(_("Pool of inspectors"), default=list)
    count = models.PositiveIntegerField(_("Number of units drawn"))
    ratio = models.DecimalField(_("Share drawn (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade_ratios = models.JSONField(_("Share drawn per risk grade"), default=dict, blank=True)
    inspectors_per_target = models.PositiveSmallIntegerField(_("Inspectors per unit"), default=2)
    include_comanagers = models.BooleanField(_("Co-managers drawn"), default=False)
    picks = models.JSONField(_("Draw result"), default=list)
    replaces = models.ForeignKey(
        "self", verbose_name=_("Redraw of"), null=True, blank=True, on_delete=models.PROTECT, related_name="redraws"
    )
    reason = models.TextField(_("Reason for redrawing"), blank=True)
    drawn_at = models.DateTimeField(_("Drawn at"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    results_due = models.DateField(_("Results to be published by"), null=True, blank=True)
    published_at = models.DateTimeField(_("Results published at"), null=True, blank=True)

    objects = RandomDrawQuerySet.as_manager()
    scope_lookup = "area__path"
    # Lists of ids the draw's page shows with names; the audit log records
    # the picked units by name and the pool's size instead (services.draw_make).
    audit_exclude = ("pool", "inspector_pool", "picks", "filter")

    class Meta:
        verbose_name = _("Double-random draw")
        verbose_name_plural = _("Double-random draws")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DrawConflict(BaseModel):
    """A declared conflict of interest: the inspector is never drawn for the unit."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=pgettext_lazy("campaign", "Unit"), on_delete=models.CASCADE, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Inspectors"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("Reason for the conflict"), max_length=200, blank=True)

    objects = ScopedQuerySet["DrawConflict"].as_manager()
    scope_lookup = "unit__area__path"

    class Meta:
        verbose_name = _("Declared conflict")
        verbose_name_plural = _("Declared conflicts")
        constraints = [models.UniqueConstraint(fields=["unit", "inspector"], name="draw_conflict_once")]

    def __str__(self) -> str:
        return f"{self.inspector} · {self.unit}"


class CampaignSettings(models.Model):
    """A county's 双随机 settings: whether co-managers are drawn as inspectors."""

    county = models.OneToOneField("areas.Area", on_delete=models.CASCADE, related_name="+")
    comanagers_drawn = models.BooleanField(_("Co-managers can be drawn as inspectors"), default=False)
    results_days = models.PositiveSmallIntegerField(_("Results published within (working days)"), default=20)

    class Meta:
        verbose_name = _("Double-random settings")
        verbose_name_plural = _("Double-random settings")

    def __str__(self) -> str:
        return _("%(county)s double-random settings") % {"county": self.county}


def material_upload_to(instance: CampaignMaterial, filename: str) -> str:
    """A stored name of our own making (the client's name is kept as text only)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"campaigns/materials/{uuid.uuid4().hex}.{ext}"


class CampaignMaterial(BaseModel):
    """A material of the campaign (a notice, meeting minutes, a photo of the
    briefing…) kept with it and listed in its closing summary."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("Special campaign"), on_delete=models.CASCADE, related_name="materials"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("Area covered"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("Material title"), max_length=200)
    file = models.FileField(_("Material file"), upload_to=material_upload_to, max_length=255)
    file_name = models.CharField(_("Original file name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet["CampaignMaterial"].as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("Campaign material")
        verbose_name_plural = _("Campaign materials")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return (self.file.name or "").rsplit(".", 1)[-1].lower() in {"jpg", "jpeg", "png"}
