"""Documents attached to records, documents from above (上级文件), closed
years and year packages (SPEC §3 一户一档, §11 档案; issue 25).

A document belongs to one record of another app (its owner: a unit, a
campaign, an inspection, a complaint, a training, an assessment), named by
content type and id, and lies in the owner's area, so it is scoped like it.
Every upload is a new version; none is overwritten."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.core.models import BaseModel
from xieguan.core.scope import ScopedQuerySet


def version_upload_to(instance: DocumentVersion, filename: str) -> str:
    """A stored name of the server's making; the client's name is kept only as text."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"archives/documents/{uuid.uuid4().hex}.{ext}"


def upper_upload_to(instance: UpperDocument, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"archives/upper/{uuid.uuid4().hex}.{ext}"


def package_upload_to(instance: YearPackage, filename: str) -> str:
    return f"archives/packages/{uuid.uuid4().hex}.zip"


class DocumentQuerySet(ScopedQuerySet["Document"]):
    def for_list(self) -> DocumentQuerySet:
        return self.select_related("area", "created_by", "owner_type", "current")


class Document(BaseModel):
    """A file kept with a record (its owner), in the owner's area."""

    owner_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("owner type"), on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.UUIDField(_("owner record"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("archives", "area"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    current = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = DocumentQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return self.title


class DocumentVersionQuerySet(ScopedQuerySet["DocumentVersion"]):
    pass


class DocumentVersion(BaseModel):
    """One upload of a document; earlier versions are kept."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=200)
    kind = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("file checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = DocumentVersionQuerySet.as_manager()
    scope_lookup = "document__area__path"

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="archives_version_number")]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"


class UpperDocumentQuerySet(ScopedQuerySet["UpperDocument"]):
    pass


class UpperDocument(BaseModel):
    """上级文件: a document the bureau or institute issues to the areas below it."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area of the issuing institution"), on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey(
        "accounts.Institution", verbose_name=_("issuing institution"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("document number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("summary of the content"), blank=True)
    file = models.FileField(_("file"), upload_to=upper_upload_to, max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_kind = models.CharField(_("file type"), max_length=10, blank=True)
    file_sha256 = models.CharField(_("file checksum"), max_length=64, blank=True)
    ack_due = models.DateField(_("acknowledge by"), null=True, blank=True)
    issued_at = models.DateTimeField(pgettext_lazy("archives", "issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("archives", "issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = UpperDocumentQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("document from above")
        verbose_name_plural = _("documents from above")

    def __str__(self) -> str:
        return self.title


class ReceiptQuerySet(ScopedQuerySet["UpperDocumentReceipt"]):
    def for_list(self) -> ReceiptQuerySet:
        return self.select_related("document", "document__issuer", "institution", "area", "read_by")


class UpperDocumentReceipt(BaseModel):
    """One receiving institution's copy of an upper document: read and acknowledged when."""

    document = models.ForeignKey(
        UpperDocument, verbose_name=_("document from above"), on_delete=models.CASCADE, related_name="receipts"
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("receiving institution"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("archives", "area"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ReceiptQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("receipt of a document from above")
        verbose_name_plural = _("receipts of documents from above")
        constraints = [models.UniqueConstraint(fields=["document", "institution"], name="archives_receipt_once")]

    def __str__(self) -> str:
        return f"{self.document} → {self.institution}"


class YearCloseQuerySet(ScopedQuerySet["YearClose"]):
    pass


class YearClose(BaseModel):
    """A county's closed year: its records are read-only, unless reopened
    (requested with a reason, granted until an expiry)."""

    county = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("archives", "county"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(pgettext_lazy("archives", "year"))
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    reopen_requested_at = models.DateTimeField(_("reopening requested at"), null=True, blank=True)
    reopen_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopened_until = models.DateTimeField(_("reopened until"), null=True, blank=True)

    objects = YearCloseQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = _("closed year")
        verbose_name_plural = _("closed years")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="archives_year_once")]

    def __str__(self) -> str:
        return f"{self.year}"

    def is_reopened(self, now: object) -> bool:
        return self.reopened_until is not None and self.reopened_until > now  # type: ignore[operator]

    @property
    def reopen_pending(self) -> bool:
        return self.reopen_requested_at is not None and self.reopened_until is None


class PackageStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("year package status", "queued")
    RUNNING = "running", pgettext_lazy("year package status", "being built")
    DONE = "done", pgettext_lazy("year package status", "done")
    FAILED = "failed", pgettext_lazy("year package status", "failed")


class YearPackageQuerySet(ScopedQuerySet["YearPackage"]):
    def for_list(self) -> YearPackageQuerySet:
        return self.select_related("area", "created_by")


class YearPackage(BaseModel):
    """A zip of an area's year: table of contents, PDFs and original files."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=pgettext_lazy("archives", "area"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(pgettext_lazy("archives", "year"))
    status = models.CharField(
        pgettext_lazy("archives", "status"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("items done"), default=0)
    total = models.PositiveIntegerField(_("items in all"), default=0)
    file = models.FileField(_("file"), upload_to=package_upload_to, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("file checksum"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = YearPackageQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = _("year package")
        verbose_name_plural = _("year packages")

    def __str__(self) -> str:
        return f"{self.area} {self.year}"

    @property
    def percent(self) -> int:
        if self.status == PackageStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
