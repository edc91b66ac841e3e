"""Checks of an uploaded file: its type is read from its bytes (never from
the name the client sends), its size bounded, its SHA-256 taken."""

from __future__ import annotations

import hashlib
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
PREVIEWABLE = {"pdf", "jpg", "png"}
ACCEPT = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx"


def sniff(head: bytes, data: Any, claimed_name: str) -> str | None:
    """The kind the bytes are (a key of CONTENT_TYPES), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(data) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return None
    if head.startswith(OLE):
        # An old Office file: the container is the same for both; the name tells which.
        return "xls" if claimed_name.lower().endswith(".xls") else "doc"
    return None


def checked_upload(upload: Any, *, field: str = "file") -> tuple[str, str, int]:
    """(kind, sha256, size) of an acceptable upload; ValidationError in the user's language otherwise."""
    if upload is None:
        raise ValidationError({field: _("Choose a file to upload.")})
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ValidationError({field: _("The file uploaded is empty.")})
    if size > MAX_BYTES:
        raise ValidationError({field: _("The file may be at most 20 MB.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head, upload, str(getattr(upload, "name", "") or ""))
    upload.seek(0)
    if kind is None:
        raise ValidationError({field: _("Only PDF, image (JPG, PNG), Word or Excel files can be uploaded.")})
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return kind, digest.hexdigest(), size


def display_name(name: str | None, kind: str) -> str:
    """The client's file name as text only: its last part, bounded, with the sniffed extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(c for c in stem if c.isprintable())[:150] or _("file")
    return f"{stem}.{kind}"
