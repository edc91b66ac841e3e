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
        "contenttypes.ContentType", verbose_name="所属类型", on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.UUIDField("所属记录")
    area = models.ForeignKey("areas.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=200)
    current = models.ForeignKey(
        "DocumentVersion", verbose_name="当前版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    objects = DocumentQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "附件资料"
        verbose_name_plural = "附件资料"
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return self.title


class DocumentVersionQuerySet(ScopedQuerySet["DocumentVersion"]):
    pass


class DocumentVersion(BaseModel):
    """One upload of a document; earlier versions are kept."""

    document = models.ForeignKey(Document, verbose_name="资料", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    file = models.FileField("文件", upload_to=version_upload_to, max_length=255)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("文件校验值", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    objects = DocumentVersionQuerySet.as_manager()
    scope_lookup = "document__area__path"

    class Meta:
        verbose_name = "资料版本"
        verbose_name_plural = "资料版本"
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="archives_version_number")]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"


class UpperDocumentQuerySet(ScopedQuerySet["UpperDocument"]):
    pass


class UpperDocument(BaseModel):
    """上级文件: a document the bureau or institute issues to the areas below it."""

    area = models.ForeignKey("areas.Area", verbose_name="发文单位所在区域", on_delete=models.PROTECT, related_name="+")
    issuer = models.ForeignKey(
        "accounts.Institution", verbose_name="发文单位", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField("文号", max_length=60, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容摘要", blank=True)
    file = models.FileField("文件", upload_to=upper_upload_to, max_length=255, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    file_kind = models.CharField("文件类型", max_length=10, blank=True)
    file_sha256 = models.CharField("文件校验值", max_length=64, blank=True)
    ack_due = models.DateField("签收期限", null=True, blank=True)
    issued_at = models.DateTimeField("发文时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发文人", on_delete=models.PROTECT, related_name="+"
    )

    objects = UpperDocumentQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "上级文件"
        verbose_name_plural = "上级文件"

    def __str__(self) -> str:
        return self.title


class ReceiptQuerySet(ScopedQuerySet["UpperDocumentReceipt"]):
    def for_list(self) -> ReceiptQuerySet:
        return self.select_related("document", "document__issuer", "institution", "area", "read_by")


class UpperDocumentReceipt(BaseModel):
    """One receiving institution's copy of an upper document: read and acknowledged when."""

    document = models.ForeignKey(
        UpperDocument, verbose_name="上级文件", on_delete=models.CASCADE, related_name="receipts"
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name="接收单位", on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey("areas.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="阅读人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ReceiptQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "上级文件签收"
        verbose_name_plural = "上级文件签收"
        constraints = [models.UniqueConstraint(fields=["document", "institution"], name="archives_receipt_once")]

    def __str__(self) -> str:
        return f"{self.document} → {self.institution}"


class YearCloseQuerySet(ScopedQuerySet["YearClose"]):
    pass


class YearClose(BaseModel):
    """A county's closed year: its records are read-only, unless reopened
    (requested with a reason, granted until an expiry)."""

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    closed_at = models.DateTimeField("归档时间")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="归档人", on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField("重新开放理由", blank=True)
    reopen_requested_at = models.DateTimeField("申请重新开放时间", null=True, blank=True)
    reopen_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopened_until = models.DateTimeField("重新开放至", null=True, blank=True)

    objects = YearCloseQuerySet.as_manager()
    scope_lookup = "county__path"

    class Meta:
        verbose_name = "年度归档"
        verbose_name_plural = "年度归档"
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="archives_year_once")]

    def __str__(self) -> str:
        return f"{self.year}"

    def is_reopened(self, now: object) -> bool:
        return self.reopened_until is not None and self.reopened_until > now  # type: ignore[operator]

    @property
    def reopen_pending(self) -> bool:
        return self.reopen_requested_at is not None and self.reopened_until is None


class PackageStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class YearPackageQuerySet(ScopedQuerySet["YearPackage"]):
    def for_list(self) -> YearPackageQuerySet:
        return self.select_related("area", "created_by")


class YearPackage(BaseModel):
    """A zip of an area's year: table of contents, PDFs and original files."""

    area = models.ForeignKey("areas.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    file = models.FileField("文件", upload_to=package_upload_to, max_length=255, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("文件校验值", max_length=64, blank=True)
    error = models.CharField("错误", max_length=200, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="+"
    )

    objects = YearPackageQuerySet.as_manager()
    scope_lookup = "area__path"

    class Meta:
        verbose_name = "年度档案包"
        verbose_name_plural = "年度档案包"

    def __str__(self) -> str:
        return f"{self.area} {self.year}"

    @property
    def percent(self) -> int:
        if self.status == PackageStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
