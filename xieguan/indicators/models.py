"""A county's (or any area's) boundary, uploaded as GeoJSON, drawn under
the units on the map, and the rollup of the tallies the worker keeps for
the levels from the county up."""

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


class TallyRollup(models.Model):
    """One indicator tally's counts for one period in one county, per
    township (``root`` is the county's path; the province's row holds the
    records kept above county level and says the tally was counted), as
    the worker counted them (``indicators.rollups``). A county's,
    a prefecture's and the province's pages read these instead of counting
    300,000 units and millions of patrols on every request; a township's
    pages count live. Rows are replaced, never edited by hand."""

    id = models.BigAutoField(primary_key=True)
    tally = models.CharField(_("tally"), max_length=200)  # the tally function's dotted path
    period = models.CharField(_("period"), max_length=200)  # rollups.period_key
    as_of = models.DateField(_("judged on"))
    root = models.CharField(_("county path"), max_length=120)
    counts = models.JSONField(_("counts by area path"))
    computed_at = models.DateTimeField(_("counted at"))
    fresh_until = models.DateTimeField(_("read until"))

    class Meta:
        verbose_name = _("indicator rollup")
        verbose_name_plural = _("indicator rollups")
        constraints = [
            models.UniqueConstraint(fields=["tally", "period", "as_of", "root"], name="tally_rollup_unique"),
        ]
        # What a page reads: a period's rows of the counties under a path.
        indexes = [models.Index(fields=["period", "as_of", "root"], name="tally_rollup_read_idx")]

    def __str__(self) -> str:
        return f"{self.tally} {self.period} {self.as_of}"
