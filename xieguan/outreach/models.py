"""Publicity, consultation and guidance records (SPEC §7, glossary "Outreach")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


class OutreachForm(models.TextChoices):
    LECTURE = "lecture", _("lecture")
    CONSULTATION = "consultation", _("consultation desk")
    LEAFLETS = "leaflets", _("leaflets handed out")
    SCHOOL = "school", _("school health education")
    GUIDANCE = "guidance", _("guidance to a unit")


class OutreachQuerySet(ScopedQuerySet["Outreach"]):
    def for_list(self) -> OutreachQuerySet:
        """What a list shows, in a fixed number of queries."""
        return self.select_related("area", "institution", "recorded_by")

    def in_quarter(self, year: int, quarter: int) -> OutreachQuerySet:
        first_month = 3 * (quarter - 1) + 1
        return self.filter(date__year=year, date__month__gte=first_month, date__month__lte=first_month + 2)


class Outreach(BaseModel):
    """One publicity, consultation or guidance activity in a township or village."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="outreach_records"
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    form = models.CharField(_("form"), max_length=20, choices=OutreachForm.choices)
    theme = models.CharField(_("theme"), max_length=200)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    audience_count = models.PositiveIntegerField(_("number of people reached"), default=0)
    materials = models.TextField(_("materials handed out"), blank=True)
    materials_count = models.PositiveIntegerField(_("number of materials handed out"), default=0)
    # The unit registry is built in another app; until it lands, guidance to a
    # unit keeps the unit's id without a foreign key.
    unit_id = models.UUIDField(_("unit"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = OutreachQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("publicity record")
        verbose_name_plural = _("publicity records")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["area", "date"], name="outreach_area_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.theme}"
