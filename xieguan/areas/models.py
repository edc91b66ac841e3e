"""The area tree (SPEC §2): province → prefecture → county → township → village.

Each area stores a materialised ``path`` — its ancestors' ids and its own —
so "this area and everything below it" is one indexed prefix filter, the one
the scope mechanism uses for every record in the system.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class Level(models.IntegerChoices):
    PROVINCE = 1, _("province")
    PREFECTURE = 2, _("prefecture")
    COUNTY = 3, _("county")
    TOWNSHIP = 4, _("township")
    VILLAGE = 5, _("village")


# Digits of the 12-digit 统计用区划代码 that each level fills: 2 province,
# 2 prefecture, 2 county, 3 township, 3 village.
CODE_DIGITS_BY_LEVEL = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class AreaQuerySet(ScopedQuerySet["Area"]):
    def active(self) -> AreaQuerySet:
        return self.filter(retired_on__isnull=True)

    def subtree(self, area: Area) -> AreaQuerySet:
        """The area and everything below it."""
        return self.filter(path__startswith=area.path)

    def townships(self) -> AreaQuerySet:
        return self.filter(level=Level.TOWNSHIP)

    def villages(self) -> AreaQuerySet:
        return self.filter(level=Level.VILLAGE)

    def in_code_order(self) -> AreaQuerySet:
        """The order every list of areas is shown in: by the statistical
        division code, then the name. A code extends its parent's, so a list
        of townships and their villages reads each township followed by its
        villages; areas without a code come after those with one, by name
        (the path last, so equal names still come in a fixed order)."""
        return self.order_by(models.F("code").asc(nulls_last=True), "name", "path")


class Area(BaseModel):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    code = models.CharField(
        _("statistical division code"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        help_text=_("12 digits; optional"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    history = HistoricalRecords(excluded_fields=["path", "updated_at"])
    objects = AreaQuerySet.as_manager()
    scope_lookup = "path"

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="area_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "name"], name="area_parent_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="area_level_range"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, level=Level.PROVINCE) | Q(parent__isnull=False),
                name="area_only_province_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.retired_on is None

    @property
    def is_township(self) -> bool:
        return self.level == Level.TOWNSHIP

    def ancestor_ids(self) -> list[str]:
        """Ids from the root down to this area, read off the path."""
        return [p for p in self.path.split("/") if p]

    def ancestors(self) -> list[Area]:
        ids = self.ancestor_ids()[:-1]
        by_id = {a.id.hex: a for a in Area.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]

    def full_name(self) -> str:
        return "".join(a.name for a in [*self.ancestors(), self])

    def segment(self) -> str:
        return f"{self.id.hex}/"

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "/") + self.segment()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.path:
            self.path = self.compute_path()
        super().save(*args, **kwargs)
