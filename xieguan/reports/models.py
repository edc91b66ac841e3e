"""Information reports (SPEC §5, 卫生监督协管信息报告; glossary ``Report``).

Times, as the indicators use them (documented once, here):

- ``found_at``: when the event or clue was found, as the reporter's device
  says (it may have been captured offline); never in the future.
- ``received_at``: when the server received the report (the village or the
  township "reported" it into the system: the step *filed*).
- ``reported_at``: when the report reached the county supervision institute
  (县卫生监督所) — the 报告 that SPEC §5's 2-hour rule and both indicators
  count. A village officer's filing reaches the township; the township's
  verification and forwarding are timed steps, and forwarding is the moment
  it reaches the county. A co-manager may forward on filing; a supervisor's
  own filing is at the county already. A clue closed without forwarding
  (with its reason) was found but not reported.
- ``deadline_at`` = ``found_at`` + the category's limit, fixed when filed,
  so a county changing a limit later does not rewrite past timeliness.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.core.display import labelled, month_label, with_note
from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet

EMERGENCY_LIMIT_MINUTES = 120


class ReportCategoryQuerySet(models.QuerySet["ReportCategory"]):
    def for_area_path(self, path: str) -> ReportCategoryQuerySet:
        """The national defaults and the categories of any county on the
        path (only counties carry their own); see ``effective_categories``."""
        ancestor_ids = [p for p in path.split("/") if p]
        return self.filter(Q(county__isnull=True) | Q(county_id__in=ancestor_ids))


class ReportNature(models.TextChoices):
    """What a report is about, as the monthly report splits its rows (SPEC §8):
    an incident or hazard (事故/隐患), or an illegal act (违法行为)."""

    HAZARD = "hazard", _("incident or hazard")
    VIOLATION = "violation", _("illegal act")


class ReportCategory(BaseModel):
    """A category of event or clue with its time limit from discovery.

    Rows without a county are the national standard's and the seeds'
    categories, shipped by a data migration and shared by every county. A
    county's own row with the same ``code`` overrides the default for that
    county (its name, limit or whether it is in use); a county may also add
    categories of its own."""

    county = models.ForeignKey(
        "areas.Area",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_categories",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    is_emergency = models.BooleanField(_("emergency (2-hour rule)"), default=False)
    limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=1440)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    default_nature = models.CharField(
        _("usually about"), max_length=10, choices=ReportNature.choices, default=ReportNature.HAZARD
    )

    objects = ReportCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="report_category_county_code"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(county__isnull=True), name="report_category_default_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def limit_label(self) -> str:
        return minutes_label(self.limit_minutes)


def minutes_label(minutes: int) -> str:
    from django.utils.translation import gettext

    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return gettext("%(h)d h") % {"h": hours}
    return gettext("%(m)d min") % {"m": rest}


class ReportStatus(models.TextChoices):
    FILED = "filed", _("reported, awaiting verification")
    VERIFIED = "verified", _("verified by the township")
    FORWARDED = "forwarded", _("forwarded to the county")
    HANDLED = "handled", _("handled by the institute")
    FED_BACK = "fed_back", _("result fed back")
    CLOSED = "closed", _("closed")
    NOT_FORWARDED = "not_forwarded", _("closed without forwarding")


OPEN_STATUSES = (ReportStatus.FILED, ReportStatus.VERIFIED, ReportStatus.FORWARDED, ReportStatus.HANDLED)
# Statuses before the report reached the county: its clock is running.
UNREPORTED_STATUSES = (ReportStatus.FILED, ReportStatus.VERIFIED)


class ExposedPersonQuerySet(ScopedQuerySet["ExposedPerson"]):
    pass


class ExposedPerson(BaseModel):
    """A person met during medical service who is exposed to occupational
    hazards (SPEC §5, 职业卫生): registered so a suspected occupational
    disease can be reported against them."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="exposed_people"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    employer = models.CharField(_("employer"), max_length=200)
    hazard_factors = models.CharField(_("hazard factors"), max_length=300)
    exposure_years = models.PositiveSmallIntegerField(_("years of exposure"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ExposedPersonQuerySet.as_manager()
    scope_lookup = "area__path"
    audit_exclude = ("id_number", "phone")

    class Meta:
        verbose_name = _("person exposed to hazards")
        verbose_name_plural = _("people exposed to hazards")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return with_note(self.name, self.employer)

    @property
    def masked_id_number(self) -> str:
        from xieguan.core.masking import mask_id_number

        return mask_id_number(self.id_number)


class ReportQuerySet(ScopedQuerySet["Report"]):
    def for_list(self) -> ReportQuerySet:
        return self.select_related("area", "category", "reporter", "unit")

    def found_between(self, start: datetime.datetime, end: datetime.datetime) -> ReportQuerySet:
        return self.filter(found_at__gte=start, found_at__lt=end)

    def reported(self) -> ReportQuerySet:
        return self.filter(reported_at__isnull=False)

    def timely(self) -> ReportQuerySet:
        return self.filter(reported_at__isnull=False, reported_at__lte=models.F("deadline_at"))

    def awaiting_county(self) -> ReportQuerySet:
        """Filed but not yet at the county: their clocks are running."""
        return self.filter(status__in=UNREPORTED_STATUSES)


class Report(BaseModel):
    """One event or clue found (SPEC §5); see the module doc for its times."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("village or township"), on_delete=models.PROTECT, related_name="reports"
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("reporting institution"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        ReportCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    exposed_person = models.ForeignKey(
        ExposedPerson,
        verbose_name=_("person exposed to hazards"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    # The inspection that followed the report up, linked after the fact
    # (report_link). Named by string: inspections is an app of the same layer.
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection record that followed it up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    found_at = models.DateTimeField(_("found at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    reported_at = models.DateTimeField(_("reported to the county at"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("deadline"))
    place = models.CharField(_("place"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    content = models.TextField(_("what was found"))
    affected_count = models.PositiveIntegerField(_("people affected"), default=0)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reporter"), on_delete=models.PROTECT, related_name="+"
    )
    nature = models.CharField(
        _("about"),
        max_length=10,
        choices=ReportNature.choices,
        default=ReportNature.HAZARD,
        help_text=_("an incident or hazard, or an illegal act; the category's usual one if not chosen"),
    )
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.FILED)
    is_emergency = models.BooleanField(_("emergency"), default=False)
    closing_reason = models.TextField(_("reason for not forwarding"), blank=True)
    result = models.TextField(_("result fed back"), blank=True)

    objects = ReportQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("information report")
        verbose_name_plural = _("information reports")
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["area", "found_at"], name="report_area_found_idx"),
            models.Index(fields=["status", "deadline_at"], name="report_status_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.found_at):%Y-%m-%d %H:%M} {self.category}"

    @property
    def is_awaiting_county(self) -> bool:
        return self.status in UNREPORTED_STATUSES

    @property
    def is_on_time(self) -> bool | None:
        """True/False once reported; None while not (or never) reported."""
        if self.reported_at is None:
            return None
        return self.reported_at <= self.deadline_at

    def is_late(self, now: datetime.datetime | None = None) -> bool:
        """Past its limit: reported late, or still not at the county after it."""
        if self.reported_at is not None:
            return self.reported_at > self.deadline_at
        if self.status == ReportStatus.NOT_FORWARDED:
            return False
        return (now or timezone.now()) > self.deadline_at

    def seconds_left(self, now: datetime.datetime | None = None) -> int:
        return int((self.deadline_at - (now or timezone.now())).total_seconds())

    @property
    def summary(self) -> str:
        """信息内容 as the register prints it: where and what, briefly."""
        text = " ".join(self.content.split())
        return labelled(self.place, text[:120])


class StepKind(models.TextChoices):
    FOUND = "found", _("found")
    FILED = "filed", _("reported by the village or township")
    VERIFIED = "verified", _("verified by the township")
    FORWARDED = "forwarded", _("forwarded to the county")
    HANDLED = "handled", _("handled by the institute")
    FED_BACK = "fed_back", _("result fed back")
    CLOSED = "closed", _("closed")
    NOT_FORWARDED = "not_forwarded", _("closed without forwarding")


class ReportStepQuerySet(ScopedQuerySet["ReportStep"]):
    pass


class ReportStep(BaseModel):
    """One timed step of a report's flow, by whom."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)

    objects = ReportStepQuerySet.as_manager()
    scope_lookup = "report__area__path"

    class Meta:
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")
        ordering = ["at", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class ReportPhotoQuerySet(ScopedQuerySet["ReportPhoto"]):
    pass


class ReportPhoto(BaseModel):
    """A photo of what was found; served only through a scoped view."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ReportPhotoQuerySet.as_manager()
    scope_lookup = "report__area__path"

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "sha256"], name="report_photo_once")]

    def __str__(self) -> str:
        return self.image.name or ""


class ZeroReportQuerySet(ScopedQuerySet["ZeroReport"]):
    pass


class ZeroReport(BaseModel):
    """A station's confirmation that nothing was found in its township in a
    month (零报告), so "nothing happened" differs from "nobody reported"."""

    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("station"), on_delete=models.PROTECT, related_name="zero_reports"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ZeroReportQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("zero report")
        verbose_name_plural = _("zero reports")
        ordering = ["-month", "id"]
        constraints = [models.UniqueConstraint(fields=["institution", "month"], name="zero_report_once_a_month")]

    def __str__(self) -> str:
        return f"{self.institution} {month_label(self.month.year, self.month.month)}"
