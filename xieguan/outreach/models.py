"""Publicity, consultation and guidance records (SPEC §7, glossary "Outreach")."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xieguan.core.masking import mask_phone
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
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_records",
        help_text=_("The unit guided, for guidance to a unit; it then shows in the unit file."),
    )
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


class TrainingLevel(models.TextChoices):
    COUNTY = "county", _("county training of co-managers")
    TOWNSHIP = "township", _("township training of village officers and staff")


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(16)


class TrainingQuerySet(ScopedQuerySet["Training"]):
    def for_list(self) -> TrainingQuerySet:
        return self.select_related("area", "institution").annotate(attendee_count=models.Count("attendances"))


class Training(BaseModel):
    """One training session (SPEC §7): the county trains co-managers, a
    township trains its village officers and its own staff."""

    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="trainings")
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=20, choices=TrainingLevel.choices)
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    trainer = models.CharField(_("trainer"), max_length=100)
    materials = models.TextField(_("materials"), blank=True)
    # The secret in the sign-in QR code: whoever holds it (and lies in the
    # training's area) may sign themselves in while sign-in is open.
    sign_in_token = models.CharField(max_length=64, default=new_sign_in_token, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = TrainingQuerySet.as_manager()
    scope_lookup = "area__path"
    audit_exclude = ("sign_in_token",)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["area", "date"], name="training_area_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"

    def sign_in_open(self, today: datetime.date) -> bool:
        """Self sign-in is open from the day before to the day after."""
        return abs((today - self.date).days) <= 1


class SignInMethod(models.TextChoices):
    REGISTERED = "registered", _("registered by the trainer")
    SELF = "self", _("signed in by QR code")


class AttendanceQuerySet(ScopedQuerySet["Attendance"]):
    def for_list(self) -> AttendanceQuerySet:
        """What the attendance table shows, in a fixed number of queries."""
        return self.select_related("person__institution", "unit")


class Attendance(BaseModel):
    """One person's attendance at one training; a person attends once.

    The person is either someone with an account (``person``) or a guest
    without one (a school doctor, a water plant's staff, a unit's staff),
    recorded by ``name``, ``phone`` and where they work: a registered
    ``unit`` or a free-text ``workplace``. A guest attends once per name and
    phone. Both count in the training's figures; only people with an account
    have yearly hours."""

    training = models.ForeignKey(
        Training, verbose_name=_("training"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    name = models.CharField(
        _("attendee's name"), max_length=50, blank=True, help_text=_("of a guest without an account")
    )
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_attendances",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    signed_at = models.DateTimeField(_("signed in at"))
    method = models.CharField(_("sign-in method"), max_length=20, choices=SignInMethod.choices)
    score = models.DecimalField(_("test score"), max_digits=5, decimal_places=1, null=True, blank=True)

    objects = AttendanceQuerySet.as_manager()
    scope_lookup = "training__area__path"
    audit_mask = {"phone": "phone"}

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["training", "person"], name="attendance_once_per_person"),
            models.UniqueConstraint(
                fields=["training", "name", "phone"],
                condition=models.Q(person__isnull=True),
                name="attendance_once_per_guest",
            ),
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False) & models.Q(name=""))
                | (models.Q(person__isnull=True) & ~models.Q(name="")),
                name="attendance_person_or_guest_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} @ {self.training}"

    @property
    def is_guest(self) -> bool:
        return self.person_id is None

    @property
    def display_name(self) -> str:
        if self.person is not None:
            return self.person.full_name or self.person.username
        return self.name

    @property
    def display_workplace(self) -> str:
        """Where the attendee works: their institution, the unit, or what the guest wrote."""
        if self.person is not None:
            return str(self.person.institution or "")
        if self.unit is not None:
            return self.unit.name
        return self.workplace

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class OutreachPhotoQuerySet(ScopedQuerySet["OutreachPhoto"]):
    pass


class OutreachPhoto(BaseModel):
    """A photo of a publicity activity, resized to at most 1600 px on its long
    side; served only through a scoped view, never from a public URL."""

    outreach = models.ForeignKey(
        Outreach, verbose_name=_("publicity record"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="outreach/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = OutreachPhotoQuerySet.as_manager()
    scope_lookup = "outreach__area__path"

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["outreach", "sha256"], name="outreach_photo_once")]

    def __str__(self) -> str:
        return self.image.name or ""
