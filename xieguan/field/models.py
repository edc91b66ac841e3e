"""Resumable uploads (SPEC §13, issue 10): a photo or signature sent in
chunks over a weak signal, modelled on the tus protocol. The partial bytes
live in a private folder under MEDIA_ROOT (never web-served) until the last
chunk arrives, its size and sha256 are checked and the file is handed to
the record's own photo or signature service."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xieguan.core.models import BaseModel


class UploadTarget(models.TextChoices):
    INSPECTION_PHOTO = "inspection_photo", _("inspection photo")
    INSPECTION_SIGNATURE = "inspection_signature", _("inspection signature")
    REPORT_PHOTO = "report_photo", _("report photo")
    OUTREACH_PHOTO = "outreach_photo", _("publicity photo")


class UploadQuerySet(models.QuerySet["Upload"]):
    def of(self, user: object) -> UploadQuerySet:
        """An upload belongs to the one user who started it."""
        return self.filter(created_by=user)


class Upload(BaseModel):
    """One resumable upload; ``id`` is made on the phone (the photo's UUID)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=30, choices=UploadTarget.choices)
    record_id = models.UUIDField(_("record"))
    length = models.PositiveIntegerField(_("size in bytes"))
    offset = models.PositiveIntegerField(_("bytes received"), default=0)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    meta = models.JSONField(default=dict, blank=True)
    result_id = models.UUIDField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.target} {self.offset}/{self.length}"
