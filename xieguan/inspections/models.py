"""Patrols and inspections (SPEC §4): frequency rules, monthly plans,
versioned checklists, inspection records (现场检查记录) with their evidence,
卫生监督意见书, re-inspections (整改复查) and handovers to the institute (案件移交).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.core.display import local, month_label
from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet

# The submit rule's numbers (SPEC §4: 每次不得少于2人). ``inspections.services.
# records.submit_problems`` applies them; the pages and the phone say them.
MIN_INSPECTORS = 2
DEFAULT_PHOTOS_REQUIRED = 2
MAX_PHOTOS_REQUIRED = 20


class Period(models.TextChoices):
    MONTH = "month", _("monthly")
    QUARTER = "quarter", _("quarterly")


class FrequencyRuleQuerySet(ScopedQuerySet["FrequencyRule"]):
    pass


class FrequencyRule(BaseModel):
    """How often a county's units are patrolled. The most specific rule wins:
    category and key-unit flag, then category, then key-unit flag, then the
    county-wide rule; without any rule every unit is quarterly and key units
    monthly (the seeds' defaults)."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("county"), on_delete=models.CASCADE, related_name="frequency_rules"
    )
    category = models.ForeignKey(
        "units.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key_unit = models.BooleanField(_("key units"), null=True, blank=True)
    period = models.CharField(_("frequency"), max_length=10, choices=Period.choices)

    objects = FrequencyRuleQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("patrol frequency rule")
        verbose_name_plural = _("patrol frequency rules")
        ordering = ["county", "category", "key_unit", "id"]

    def __str__(self) -> str:
        return f"{self.category or _('all categories')} {self.get_period_display()}"


class ChecklistStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class ChecklistTemplate(BaseModel):
    """One version of a category's checklist (检查表). ``county`` empty is the
    national default shipped with the app; a county's published version
    replaces it for that county. A published version is never edited: a
    change is a new draft version, published in turn."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("county"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "units.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="checklists"
    )
    subtype = models.ForeignKey(
        "units.Subtype", verbose_name=_("subtype"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=ChecklistStatus.choices, default=ChecklistStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # How many evidence photos a record made with this checklist needs before
    # it can be submitted (the phone's own check reads it from its bootstrap).
    photos_required = models.PositiveSmallIntegerField(
        _("photos required"), default=DEFAULT_PHOTOS_REQUIRED, validators=[MaxValueValidator(MAX_PHOTOS_REQUIRED)]
    )

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["category__sort", "subtype", "-version", "id"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("code"), max_length=10)
    text = models.CharField(_("item"), max_length=300)
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class OverallResult(models.TextChoices):
    CONFORMING = "conforming", _("conforming")
    RECTIFY = "rectify", _("rectification needed")
    SERIOUS = "serious", _("serious violation")


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    def for_list(self) -> InspectionQuerySet:
        return self.select_related("unit", "area", "recorded_by")

    def submitted(self) -> InspectionQuerySet:
        return self.filter(status=InspectionStatus.SUBMITTED)


class Inspection(BaseModel):
    """One visit's record (现场检查记录 / 日常巡查记录). A submitted record is
    locked; a correction is a new version pointing at the one it replaces."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="inspections")
    # The unit's area when it was inspected: the record stays where it was made.
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="inspections"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    started_at = models.DateTimeField(_("date and time"))
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.FloatField(_("GPS accuracy (m)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the unit (m)"), null=True, blank=True)
    representative = models.CharField(_("unit representative"), max_length=50, blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    overall_result = models.CharField(_("overall result"), max_length=12, choices=OverallResult.choices, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), through="InspectionInspector", related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = InspectionQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "started_at"], name="inspection_unit_idx"),
            models.Index(fields=["status", "started_at"], name="inspection_status_idx"),
            # The lists' order, newest first: a city's or province's list
            # walks it and keeps its own (without it PostgreSQL sorted all
            # 3.1 million records for a city's first page, 0.7 s).
            models.Index(fields=["-started_at", "-id"], name="inspection_newest_idx"),
            # A township's list, newest first, one area at a time
            # (core.pagination's ``parts``): PostgreSQL otherwise walked the
            # newest-first index above through 46,000 records of other
            # townships for a township's first page (0.2-0.4 s).
            models.Index(fields=["area", "-started_at", "-id"], name="inspection_area_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {local(self.started_at):%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status == InspectionStatus.SUBMITTED


class InspectionInspector(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="inspector_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "user"], name="inspector_once")]

    def __str__(self) -> str:
        return str(self.user)


class Answer(models.TextChoices):
    CONFORMS = "conforms", pgettext_lazy("checklist answer", "conforms")
    FAILS = "fails", pgettext_lazy("checklist answer", "does not conform")
    NOT_APPLICABLE = "na", pgettext_lazy("checklist answer", "not applicable")


class InspectionAnswer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=10, choices=Answer.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["item__sort", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.item} {self.result}"


class SignerRole(models.TextChoices):
    INSPECTOR = "inspector", _("inspector")
    REPRESENTATIVE = "representative", _("unit representative")


class Signature(BaseModel):
    """A handwritten signature, or the unit representative's refusal to sign."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=20, choices=SignerRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True, blank=True, on_delete=models.PROTECT
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    image = models.ImageField(_("signature"), upload_to="signatures/%Y/%m/", blank=True)
    refused = models.BooleanField(_("refused to sign"), default=False)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["role", "created_at", "id"]
        # One signature per signer and record, whatever it looks like: two
        # inspectors whose drawings happen to be the same image both sign.
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "user"],
                condition=models.Q(role="inspector"),
                name="inspection_inspector_signs_once",
            ),
            models.UniqueConstraint(
                fields=["inspection"],
                condition=models.Q(role="representative"),
                name="inspection_representative_signs_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class OpinionQuerySet(ScopedQuerySet["Opinion"]):
    def for_list(self) -> OpinionQuerySet:
        return self.select_related("unit", "area", "inspection")


class Opinion(BaseModel):
    """卫生监督意见书: suggestions for rectification with a deadline, numbered
    per county and year without gaps (``OpinionCounter``). Never a penalty."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection record"), on_delete=models.PROTECT, related_name="opinions"
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("areas.Area", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    number = models.CharField(_("number"), max_length=60)
    text = models.TextField(_("opinion"))
    deadline = models.DateField(_("rectification deadline"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = OpinionQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("supervision opinion")
        verbose_name_plural = _("supervision opinions")
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["county", "year", "serial"], name="opinion_number_once")]

    def __str__(self) -> str:
        return self.number


class OpinionCounter(models.Model):
    """The last opinion number given in a county and year; the row is locked
    while a number is taken, so two opinions issued at once get n and n+1."""

    county = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="opinion_counter_once")]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ForbiddenPhrase(models.Model):
    """Penalty wording a co-manager's text may not contain (SPEC §1, §4).
    ``county`` empty: the list shipped with the app; a county adds its own."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=_("county"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phrase = models.CharField(_("phrase"), max_length=50)

    # A county's own phrases are scoped like its other settings; the shipped
    # list (no county) is no one's to delete.
    objects = ScopedQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("forbidden phrase")
        verbose_name_plural = _("forbidden phrases")
        ordering = ["county", "phrase"]

    def __str__(self) -> str:
        return self.phrase


class ReinspectionResult(models.TextChoices):
    RECTIFIED = "rectified", _("rectified")
    PARTLY = "partly", _("partly rectified")
    NOT_RECTIFIED = "not_rectified", _("not rectified")


class ReinspectionQuerySet(ScopedQuerySet["Reinspection"]):
    def for_list(self) -> ReinspectionQuerySet:
        return self.select_related("opinion", "opinion__unit", "area")


class Reinspection(BaseModel):
    """整改复查: the follow-up visit on an opinion, due at its deadline."""

    opinion = models.ForeignKey(
        Opinion, verbose_name=_("supervision opinion"), on_delete=models.PROTECT, related_name="reinspections"
    )
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField(_("date and time"))
    result = models.CharField(_("result"), max_length=20, choices=ReinspectionResult.choices)
    note = models.TextField(_("what was found"), blank=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ReinspectionQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")
        ordering = ["-inspected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.opinion.unit} {local(self.inspected_at):%Y-%m-%d}"


class PhotoQuerySet(ScopedQuerySet["Photo"]):
    pass


class Photo(BaseModel):
    """Evidence photo of an inspection or a re-inspection: resized, its hash
    kept, the capture time stamped on it; served only through a scoped view."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    reinspection = models.ForeignKey(
        Reinspection, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="inspections/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    # The id the phone gave this photo (its slot in the record): a photo
    # sent from the phone is kept once per record and id, never merged with
    # another photo of the same bytes. A photo added on the web has none.
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PhotoQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        # The same photo sent twice at once (a retry racing its original, two
        # tabs, a resumed upload) meets here: one row per record and the
        # phone's photo id; a photo added on the web, once per record and hash.
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "sha256"],
                condition=models.Q(inspection__isnull=False, client_id__isnull=True),
                name="inspection_photo_once",
            ),
            models.UniqueConstraint(
                fields=["inspection", "client_id"],
                condition=models.Q(inspection__isnull=False, client_id__isnull=False),
                name="inspection_photo_client_once",
            ),
        ]

    def __str__(self) -> str:
        return self.image.name or ""


class HandoverReason(models.TextChoices):
    NOT_RECTIFIED = "not_rectified", _("not rectified")
    REFUSED = "refused", _("refused inspection or rectification")
    SERIOUS = "serious", _("serious violation")


class HandoverStatus(models.TextChoices):
    SENT = "sent", _("handed over")
    INVESTIGATING = "investigating", _("under investigation")
    CLOSED = "closed", _("outcome recorded")


class HandoverQuerySet(ScopedQuerySet["Handover"]):
    def for_list(self) -> HandoverQuerySet:
        return self.select_related("unit", "area", "sent_by")


class Handover(BaseModel):
    """案件移交: a case passed to the county institute with its evidence. The
    institute writes its investigation and outcome; the township reads them."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection record"), null=True, blank=True, on_delete=models.PROTECT
    )
    opinion = models.ForeignKey(
        Opinion, verbose_name=_("supervision opinion"), null=True, blank=True, on_delete=models.PROTECT
    )
    reinspection = models.ForeignKey(
        Reinspection, verbose_name=_("re-inspection"), null=True, blank=True, on_delete=models.PROTECT
    )
    reason = models.CharField(_("reason"), max_length=20, choices=HandoverReason.choices)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.SENT)
    sent_at = models.DateTimeField(_("handed over at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handed over by"), on_delete=models.PROTECT, related_name="+"
    )
    investigation = models.TextField(_("investigation"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = HandoverQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_reason_display()}"


class MonthlyPlanQuerySet(ScopedQuerySet["MonthlyPlan"]):
    pass


class MonthlyPlan(BaseModel):
    """A township's units to visit in one month."""

    township = models.ForeignKey("areas.Area", verbose_name=_("township"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    units = models.ManyToManyField("units.Unit", through="MonthlyPlanItem", related_name="+")

    objects = MonthlyPlanQuerySet.as_manager()
    scope_lookup = "township__path"

    class Meta:
        verbose_name = _("monthly plan")
        verbose_name_plural = _("monthly plans")
        ordering = ["-year", "-month", "id"]
        constraints = [models.UniqueConstraint(fields=["township", "year", "month"], name="monthly_plan_once")]

    def __str__(self) -> str:
        return f"{self.township} {month_label(self.year, self.month)}"


class MonthlyPlanItem(models.Model):
    plan = models.ForeignKey(MonthlyPlan, on_delete=models.CASCADE, related_name="items")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="plan_unit_once")]

    def __str__(self) -> str:
        return str(self.unit)
