"""Complaints (SPEC §6, glossary 投诉举报 ``Complaint``): filed on the public
page or registered by staff, followed by the complainant with a receipt code
and a PIN, handled step by step against working-day deadlines.

The complainant's name, phone and address are kept on the complaint but shown
only to its handlers (``Complaint.handlers``); everyone else sees them
masked, and no export or list carries them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a receipt read out over the phone or copied
# from a cheap screen cannot be mistaken.
RECEIPT_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
RECEIPT_LENGTH = 8


class CalendarOverride(models.Model):
    """A county's correction of the national calendar (工作日 / 调休): a day
    the county works or rests regardless of chinesecalendar, and the only
    source for years the library does not know yet."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("county"), on_delete=models.CASCADE, related_name="calendar_overrides"
    )
    date = models.DateField(_("date"))
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["county", "date"]
        constraints = [models.UniqueConstraint(fields=["county", "date"], name="calendar_override_once")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class ComplaintSettings(models.Model):
    """A county's time limits, in working days, and the reopen window in
    days. A county without a row uses the defaults."""

    county = models.OneToOneField(
        "areas.Area", verbose_name=_("county"), on_delete=models.CASCADE, related_name="complaint_settings"
    )
    accept_days = models.PositiveSmallIntegerField(_("working days to accept"), default=3)
    handle_days = models.PositiveSmallIntegerField(_("working days to handle"), default=15)
    reply_days = models.PositiveSmallIntegerField(_("working days to reply"), default=3)
    reopen_days = models.PositiveSmallIntegerField(_("days to reopen after the reply"), default=15)
    near_days = models.PositiveSmallIntegerField(_("working days before a deadline counted as near"), default=2)

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")

    def __str__(self) -> str:
        return str(self.county)


class Channel(models.TextChoices):
    WEB = "web", _("public web page")
    PHONE = "phone", _("phone")
    VISIT = "visit", _("visit")
    LETTER = "letter", _("letter")
    HOTLINE = "hotline_12345", _("12345 hotline")
    OTHER = "other", _("other")


class ComplaintCategory(models.TextChoices):
    PUBLIC_PLACE = "public_place", _("public place hygiene")
    DRINKING_WATER = "drinking_water", _("drinking water")
    SCHOOL = "school", _("school hygiene")
    MEDICAL = "medical", _("medical services")
    ILLEGAL_PRACTICE = "illegal_practice", _("illegal medical practice")
    OCCUPATIONAL = "occupational", _("occupational health")
    FOOD = "food", _("food hygiene")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    ACCEPTED = "accepted", _("being handled by the township")
    TRANSFERRED = "transferred", _("transferred to the county institute")
    RESULT = "result", _("result recorded")
    REPLIED = "replied", _("replied")
    ARCHIVED = "archived", _("archived")
    DUPLICATE = "duplicate", _("handled with an earlier complaint")


OPEN_STATUSES = (Status.REGISTERED, Status.ACCEPTED, Status.TRANSFERRED, Status.RESULT)
HANDLING_STATUSES = (Status.ACCEPTED, Status.TRANSFERRED)


class ComplaintQuerySet(ScopedQuerySet["Complaint"]):
    def for_list(self) -> ComplaintQuerySet:
        return self.select_related("area", "village", "unit", "handler_institution")

    def with_urgency(self, *, today: datetime.date, near: datetime.date) -> ComplaintQuerySet:
        """``urgency``: 0 past its deadline, 1 near it (due by ``near``), 2
        open with time left, 3 closed — the order the county reads them in."""
        return self.annotate(
            urgency=models.Case(
                models.When(due_on__isnull=True, then=models.Value(3)),
                models.When(due_on__lt=today, then=models.Value(0)),
                models.When(due_on__lte=near, then=models.Value(1)),
                default=models.Value(2),
                output_field=models.IntegerField(),
            )
        )


class Complaint(BaseModel):
    """One complaint or report from the public (投诉举报)."""

    receipt = models.CharField(_("receipt code"), max_length=12, unique=True)
    pin_hash = models.CharField(max_length=128)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("township"), on_delete=models.PROTECT, related_name="complaints"
    )
    village = models.ForeignKey(
        "areas.Area", verbose_name=_("village"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    unit_name = models.CharField(_("unit as named by the complainant"), max_length=200, blank=True)
    # What settled it, linked by its handler after the fact (complaint_link).
    # Named by string: inspections is an app of the same layer, never imported.
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection record that settled it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    opinion = models.ForeignKey(
        "inspections.Opinion",
        verbose_name=_("supervision opinion that settled it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    category = models.CharField(_("category"), max_length=30, choices=ComplaintCategory.choices)
    content = models.TextField(_("what happened"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    is_anonymous = models.BooleanField(_("anonymous"), default=True)
    complainant_name = models.CharField(_("complainant's name"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=30, blank=True)
    complainant_address = models.CharField(_("complainant's address"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField(_("registered at"))
    # The deadline of the step now awaited; empty once nothing is awaited.
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    handler_institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who works on the case; the only people who see the complainant.
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("handlers"), blank=True, related_name="complaints_handled"
    )
    not_accepted_reason = models.TextField(_("reason for not accepting"), blank=True)
    result = models.TextField(_("result"), blank=True)
    reply = models.TextField(_("reply to the complainant"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ComplaintQuerySet.as_manager()
    scope_lookup = "area__path"
    # The audit log is read by county administrators: the complainant stays
    # out of it, like out of every other place that is not the case itself.
    audit_exclude = ("complainant_name", "complainant_phone", "complainant_address", "pin_hash")

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["area", "status", "due_on"], name="complaint_area_status_due_idx"),
            models.Index(fields=["unit", "category", "registered_at"], name="complaint_unit_cat_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_display

    @property
    def receipt_display(self) -> str:
        """K7M4-PX3A: two groups of four, easier to read out."""
        return f"{self.receipt[:4]}-{self.receipt[4:]}" if len(self.receipt) == RECEIPT_LENGTH else self.receipt

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_contact(self) -> bool:
        return bool(self.complainant_name or self.complainant_phone or self.complainant_address)


class StepKind(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ACCEPTED = "accepted", _("accepted")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    TRANSFERRED = "transferred", _("transferred to the county institute")
    RESULT = "result", _("result")
    REPLIED = "replied", _("reply")
    ARCHIVED = "archived", _("archived")
    INFO_ADDED = "info_added", _("information added by the complainant")
    REOPENED = "reopened", _("reopened by the complainant")
    DUPLICATE = "duplicate", _("linked to an earlier complaint")


# Steps whose note the complainant reads on the tracking page.
PUBLIC_NOTE_STEPS = (StepKind.NOT_ACCEPTED, StepKind.REPLIED, StepKind.INFO_ADDED, StepKind.REOPENED)


class ComplaintStepQuerySet(ScopedQuerySet["ComplaintStep"]):
    pass


class ComplaintStep(BaseModel):
    """One step of a complaint: when it was taken, the deadline it had, who
    took it (empty for the complainant) and its note."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    at = models.DateTimeField(_("time"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ComplaintStepQuerySet.as_manager()
    scope_lookup = "complaint__area__path"

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint} {self.get_kind_display()}"

    @property
    def is_late(self) -> bool:
        return self.deadline is not None and timezone.localdate(self.at) > self.deadline

    @property
    def public_note(self) -> str:
        return self.note if self.kind in PUBLIC_NOTE_STEPS else ""


class ComplaintPhotoQuerySet(ScopedQuerySet["ComplaintPhoto"]):
    pass


class ComplaintPhoto(BaseModel):
    """A photo sent with a complaint (or added later by the complainant),
    served only through a scoped view."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="complaints/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    objects = ComplaintPhotoQuerySet.as_manager()
    scope_lookup = "complaint__area__path"

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["complaint", "sha256"], name="complaint_photo_once")]

    def __str__(self) -> str:
        return self.image.name or ""


class PendingUpload(BaseModel):
    """A photo a complaint form keeps while something else in the form is
    wrong (a mistyped CAPTCHA, a missing field), so the person need not pick
    it again (issue 17). The server names the file and the record; the form
    carries only the record's random id, and only the browser session that
    made it can use it (``owner``: a hash of a secret kept in that session).
    Its file is deleted only through this record, and each deletion is
    audited; rows older than a day are pruned by the worker."""

    owner = models.CharField(max_length=64, db_index=True)
    image = models.ImageField(_("photo"), upload_to="complaints/pending/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("photo kept between tries")
        verbose_name_plural = _("photos kept between tries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="pending_upload_created_idx")]

    def __str__(self) -> str:
        return f"{self.sha256[:16]}.jpg"
