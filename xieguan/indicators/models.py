"""A county's (or any area's) boundary, uploaded as GeoJSON, drawn under
the units on the map. Nothing else is stored: every figure is counted live."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class BoundaryQuerySet(ScopedQuerySet["Boundary"]):
    pass


class Boundary(BaseModel):
    area = models.OneToOneField("areas.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="boundary")
    geojson = models.JSONField(_("boundary (GeoJSON)"))
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = BoundaryQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("area boundary")
        verbose_name_plural = _("area boundaries")

    def __str__(self) -> str:
        return str(self.area)
