"""The registry of supervised units (SPEC §3, 监督对象台账, 一户一档).

Categories, their subtypes and their own fields are data a county can extend;
the six categories and the fields of SPEC §3 are seeded by a data migration
(the national rows, without a county). A county adds subtypes and fields of
its own (``county`` set), which apply to its units only. A unit's category
fields live in ``Unit.extra`` keyed by ``CategoryField.key``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin
from simple_history.models import HistoricalRecords

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet

_Row = TypeVar("_Row", bound=models.Model)


def name_initials_of(name: str) -> str:
    """Pinyin initials for search: 红星酒店 → "hxjd"; letters and digits kept."""
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())[:100]


def name_initials_match(q: str) -> Q:
    """Units whose pinyin initials contain ``q`` (letters and digits only,
    else nothing): a name is found from any of its words, not only its
    first — ``fskcd`` and ``cgfskcd`` both find 城关丰收快餐店, whose place
    prefix (城关, 河东) a user rarely types. One letter matches from the
    start only, so it does not list every name with that sound. On
    PostgreSQL a trigram index serves the substring (migration 0007)."""
    q = (q or "").strip().lower()
    if not (q.isascii() and q.isalnum()):
        return Q(pk__in=[])
    if len(q) == 1:
        return Q(name_initials__startswith=q)
    return Q(name_initials__contains=q)


def search_grams_of(name: str, address: str = "", initials: str = "") -> str:
    """The unit's search column: every character and every pair of adjacent
    characters of its name and address (lower case, per word), and the pairs
    of its pinyin initials, space-separated. A search of one or two
    characters (饭店, 王记, 店) asks for the one token it is, which a GIN index
    on PostgreSQL serves (migration 0010) where a trigram index cannot: a
    two-character term has no trigram. Pairs stay within a word, so a pair
    met across name and address, or across a space, is not a token."""
    grams: set[str] = set()
    for text in (name, address):
        for word in (text or "").lower().split():
            grams.update(word)
            grams.update(word[i : i + 2] for i in range(len(word) - 1))
    initials = (initials or "").lower()
    grams.update(initials[i : i + 2] for i in range(len(initials) - 1))
    return " ".join(sorted(grams))


# Terms up to this long are searched through ``search_grams``; longer ones
# through the trigram indexes of migrations 0005 and 0007.
GRAM_TERM_MAX = 2


def short_term_match(q: str) -> Q | None:
    """Units whose name, address or pinyin initials contain the one- or
    two-character term ``q`` (``None`` for a longer term or one with a
    space), through the indexed search column."""
    q = (q or "").strip()
    if not q or len(q) > GRAM_TERM_MAX or any(ch.isspace() for ch in q):
        return None
    has_gram = Q(search_grams__has_gram=q.lower())
    if q.isascii() or q.lower() == q.upper():
        # Chinese, digits, ASCII: the token is there exactly when the text
        # holds the term (initials pairs only for two letters or digits, as
        # ``name_initials_match``). A re-check would only mislead
        # PostgreSQL's estimate of how many units match.
        return has_gram
    # A letter with a case beyond ASCII (Ａ, é): the database's upper case
    # decides, as for any other search.
    return has_gram & (Q(name__icontains=q) | Q(address__icontains=q))


class HasGram(models.Lookup):
    """``search_grams__has_gram="饭店"``: the space-separated column holds the
    token. On PostgreSQL the form the GIN index of migration 0010 is built
    on (``string_to_array(search_grams, ' ')``); elsewhere a plain test."""

    lookup_name = "has_gram"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            return f"string_to_array({lhs}, ' ') @> ARRAY[({rhs})::text]", params
        return f"instr(' ' || {lhs} || ' ', ' ' || {rhs} || ' ') > 0", params


class SearchGramsField(models.TextField):
    """A text column of space-separated search tokens (``search_grams_of``)."""


SearchGramsField.register_lookup(HasGram)


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class CountyRowsQuerySet(models.QuerySet[_Row]):
    """Rows national (no county) or a county's own, which it may switch off:
    the subtypes and the category fields."""

    def for_county(self, county_id: Any) -> Self:
        """The national rows and, given a county, the county's own, switched off ones too."""
        condition = Q(county__isnull=True)
        if county_id is not None:
            condition |= Q(county_id=county_id)
        return self.filter(condition)

    def in_force(self, county_id: Any) -> Self:
        """What a unit of the county may be given or carries: the national
        rows and the county's own that are in use."""
        return self.for_county(county_id).filter(is_active=True)


class Subtype(models.Model):
    """A subtype of a category (细类). Rows without a county are the national
    ones, shared by every county; a county may add its own (``county``), which
    apply to its units only, and switch them off again."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="subtypes"
    )
    county = models.ForeignKey(
        "areas.Area",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the national subtypes every county uses."),
    )
    name = models.CharField(_("name"), max_length=50)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CountyRowsQuerySet["Subtype"].as_manager()

    class Meta:
        verbose_name = _("subtype")
        verbose_name_plural = _("subtypes")
        ordering = ["category__sort", "sort", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "county", "name"], name="subtype_unique_name_in_county"),
            models.UniqueConstraint(
                fields=["category", "name"], condition=Q(county__isnull=True), name="subtype_unique_national_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    INT = "int", _("whole number")
    DECIMAL = "decimal", _("decimal number")
    BOOL = "bool", _("yes / no")
    DATE = "date", _("date")
    CHOICE = "choice", _("choice")


class CategoryField(models.Model):
    """One field a category's units carry besides the common ones. The
    required ones define a complete file (建档完整). Rows without a county are
    the national ones; a county may add its own, which its units alone carry,
    and switch them off again (the values stay in the units' ``extra``)."""

    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="fields")
    county = models.ForeignKey(
        "areas.Area",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the national fields every county uses."),
    )
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CountyRowsQuerySet["CategoryField"].as_manager()

    class Meta:
        verbose_name = _("category field")
        verbose_name_plural = _("category fields")
        ordering = ["category", "sort", "key"]
        constraints = [
            models.UniqueConstraint(fields=["category", "county", "key"], name="category_field_unique_key_in_county"),
            models.UniqueConstraint(
                fields=["category", "key"], condition=Q(county__isnull=True), name="category_field_unique_national_key"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class UnitStatus(models.TextChoices):
    OPEN = "open", _("open")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("closed")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class RiskGrade(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


def county_id_of(area: Any) -> uuid.UUID | None:
    """The id of the county an area lies in, read off its path (no query):
    the third segment of province/prefecture/county/…"""
    segments = [s for s in (getattr(area, "path", "") or "").split("/") if s]
    return uuid.UUID(hex=segments[2]) if len(segments) >= 3 else None


class UnitQuerySet(ScopedQuerySet["Unit"]):
    def existing(self) -> UnitQuerySet:
        """Units that count in the registry's denominators: not closed and
        not merged into another."""
        return self.exclude(status=UnitStatus.CLOSED).filter(merged_into__isnull=True)

    def for_list(self) -> UnitQuerySet:
        return self.select_related("area", "category", "subtype")

    def current(self) -> UnitQuerySet:
        """Units not merged into another: what lists, search, exports and the
        filing rate count. A merged unit stays only for its history."""
        return self.filter(merged_into__isnull=True)


class Unit(BaseModel):
    name = models.CharField(_("name"), max_length=200)
    name_initials = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    # Derived from name, address and initials by save() and by every bulk
    # path (``fill_derived``): what a one- or two-character search reads.
    search_grams = SearchGramsField(blank=True, default="", editable=False)
    # NULL, not "", for "has none" (a village clinic, a household eatery): the
    # registry tells "no code" apart from a code not yet typed in an import.
    credit_code = models.CharField(  # noqa: DJ001
        _("unified social credit code"), max_length=18, null=True, blank=True
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="units")
    # The county the area lies in, kept by save() from the area's path: the
    # database holds a credit code unique within a county (SPEC §3) with it.
    county = models.ForeignKey(
        "areas.Area", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="units")
    subtype = models.ForeignKey(
        Subtype, verbose_name=_("subtype"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    status = models.CharField(_("status"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.OPEN)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_key_unit = models.BooleanField(_("key unit"), default=False)
    risk_grade = models.CharField(_("risk grade"), max_length=10, choices=RiskGrade.choices, blank=True)
    hygiene_grade = models.CharField(_("hygiene grade"), max_length=1, choices=Grade.choices, blank=True)
    hygiene_graded_on = models.DateField(_("hygiene grade date"), null=True, blank=True)
    extra = models.JSONField(_("category fields"), default=dict, blank=True)
    # Kept by the services from missing_fields(); the list filter and the
    # filing rate read it without loading every unit's category fields.
    is_complete = models.BooleanField(_("complete file"), default=False)
    # Set when a duplicate was merged into another unit (the survivor); the
    # merged unit keeps its history and its address redirects there.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_units",
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "name_initials", "search_grams", "county"])
    objects = UnitQuerySet.as_manager()
    scope_lookup = "area__path"
    # Derived from other fields; the audit log names what a user changed.
    audit_exclude = ("county", "name_initials", "search_grams")
    audit_mask = {"phone": "phone"}

    @classmethod
    def audit_labels(cls, names: Iterable[str]) -> dict[str, str]:
        """The names of a category's own fields (``extra.seats`` → 餐位数) as
        the audit log and the unit file show their changes; one query."""
        keys = {name.removeprefix("extra.") for name in names if name.startswith("extra.")}
        if not keys:
            return {}
        rows = CategoryField.objects.filter(key__in=keys).order_by("key", "id").values_list("key", "label")
        return {f"extra.{key}": label for key, label in reversed(rows)}

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["area", "name"], name="unit_area_name_idx"),
            models.Index(fields=["category", "status"], name="unit_category_status_idx"),
            models.Index(fields=["status", "is_complete"], name="unit_status_complete_idx"),
            models.Index(fields=["credit_code"], name="unit_credit_code_idx"),
            # The whole-registry list (a province user) pages by name, and the
            # "recently changed" sort by updated_at, each ending in the key.
            models.Index(fields=["name", "id"], name="unit_name_id_idx"),
            models.Index(fields=["county", "name", "id"], name="unit_county_name_idx"),
            models.Index(fields=["-updated_at", "-id"], name="unit_updated_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "credit_code"],
                condition=Q(credit_code__isnull=False) & ~Q(credit_code=""),
                name="unit_credit_code_unique_in_county",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def fill_derived(self) -> None:
        """Set the fields derived from the name and address; ``save()`` does
        it, and so must every path that skips it (bulk_create, COPY)."""
        self.name_initials = name_initials_of(self.name)
        self.search_grams = search_grams_of(self.name, self.address, self.name_initials)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        county_id = county_id_of(self.area) if self.area_id is not None else None
        if county_id is not None:
            self.county_id = county_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "address"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_initials", "search_grams"}
        if update_fields is not None and "area" in update_fields:
            kwargs["update_fields"] = {*kwargs["update_fields"], "county"}
        super().save(*args, **kwargs)


class UnitFiling(models.Model):
    """Whether a unit's file was complete (``complete``) from the day
    ``since`` until its next row: the history of ``Unit.is_complete``, so
    the filing rate of a past period is judged as the registry stood then.

    Rows of changes, not intervals: a unit's state on a day is its latest
    row with ``since`` on or before it — one backward probe of the unique
    index (unit, since) per unit, inside the one aggregate the filing rate
    is. Writes only ever append (or, for a second change on the same day,
    overwrite that day's row), so the bulk paths stay one bulk insert. A
    unit without a row by a day had no file by then: it counts as
    incomplete. Written only by ``units.services.record_filing`` (and the
    registry-wide ``record_filing_baseline``)."""

    id = models.BigAutoField(primary_key=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="filings")
    since = models.DateField(_("since"))
    complete = models.BooleanField(_("complete file"))

    class Meta:
        verbose_name = _("file completeness")
        verbose_name_plural = _("file completeness history")
        ordering = ["unit", "since"]
        constraints = [models.UniqueConstraint(fields=["unit", "since"], name="unit_filing_one_a_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.since} {self.complete}"


class LicenceQuerySet(ScopedQuerySet["Licence"]):
    pass


class Licence(BaseModel):
    """A licence the unit holds (卫生许可证, 医疗机构执业许可证, 食品经营许可证 …)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(_("kind"), max_length=50)
    number = models.CharField(_("number"), max_length=60)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    scope = models.CharField(_("scope"), max_length=200, blank=True)

    objects = LicenceQuerySet.as_manager()
    scope_lookup = "unit__area__path"

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["unit", "expires_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class CertificateKind(models.TextChoices):
    HEALTH = "health_certificate", _("health certificate")
    TRAINING = "training_certificate", _("hygiene training certificate")


class StaffCertificateQuerySet(ScopedQuerySet["StaffCertificate"]):
    pass


class StaffCertificate(BaseModel):
    """A certificate one of the unit's staff holds (健康证, 培训合格证)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="certificates")
    person_name = models.CharField(_("person"), max_length=50)
    kind = models.CharField(_("kind"), max_length=30, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)

    objects = StaffCertificateQuerySet.as_manager()
    scope_lookup = "unit__area__path"

    class Meta:
        verbose_name = _("staff certificate")
        verbose_name_plural = _("staff certificates")
        ordering = ["unit", "person_name", "id"]

    def __str__(self) -> str:
        return f"{self.person_name} {self.get_kind_display()}"


class ImportStatus(models.TextChoices):
    PARSING = "parsing", _("checking")
    READY = "ready", _("ready to import")
    FAILED = "failed", _("has errors")
    IMPORTING = "importing", _("importing")
    IMPORTED = "imported", _("imported")
    CANCELLED = "cancelled", _("cancelled")


class ImportBatchQuerySet(ScopedQuerySet["ImportBatch"]):
    pass


class ImportBatch(BaseModel):
    """One uploaded sheet of units (SPEC §3, Excel import): checked row by row,
    shown as a preview, imported only when every row is good and the user
    confirms. ``errors`` is [{row, column, reason}] with the column's header
    as written in the sheet; ``duplicates`` is [{row, name, reason, unit_id?,
    other_row?}]."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    # The uploader's area: who else may see the batch (scope).
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="imports/units/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PARSING)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    duplicates = models.JSONField(_("possible duplicates"), default=list, blank=True)
    # The first rows as they will be stored ({"columns": [...], "rows": [[row, value, ...]]}),
    # for the user to see the dates, areas and numbers as read before confirming.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    incomplete_count = models.PositiveIntegerField(_("rows with an incomplete file"), default=0)
    created_count = models.PositiveIntegerField(_("units created"), default=0)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name or str(self.pk)

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.PARSING, ImportStatus.IMPORTING)
