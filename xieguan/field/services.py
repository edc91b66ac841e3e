"""Resumable uploads (SPEC §13, issue 10; modelled on tus 1.0): start one,
ask how much arrived, append a chunk at that offset, and when the last byte
is in, check the size and sha256 and hand the file to the record's own photo
or signature service (which keeps an inspection's photo once per record and
the phone's id of it, a signature once per signer, a report's or publicity
record's photo once per record and hash).

Partial bytes live in the file store (the local disk or the bucket, issue
26: xieguan/core/storage.py), never served: one object per chunk,
``uploads-partial/<upload id>/<offset>.part``, named by the offset the
server held when it came, so a chunk repeated after a cut overwrites rather
than appends, and any app server can take the next chunk. When the last
byte is in, the chunks are read back in order as one stream (hashed, then
handed to the record's service) and deleted: memory stays at one read
buffer whatever the size, and nothing is on one server's disk."""

from __future__ import annotations

import datetime
import hashlib
import posixpath
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.permissions import FILE_REPORT, RECORD_INSPECTION, RECORD_OUTREACH, require
from xieguan.core.photos import MAX_PHOTO_BYTES
from xieguan.core.storage import Reader, delete_prefix, names_under, open_stream, put_exact
from xieguan.field.models import Upload, UploadTarget

if TYPE_CHECKING:
    from xieguan.accounts.models import User

UPLOAD_LIFETIME = datetime.timedelta(days=2)
# Who may add what an upload becomes (the attaching services ask the same).
WRITES_TO: dict[str, str] = {
    UploadTarget.INSPECTION_PHOTO: RECORD_INSPECTION,
    UploadTarget.INSPECTION_SIGNATURE: RECORD_INSPECTION,
    UploadTarget.REPORT_PHOTO: FILE_REPORT,
    UploadTarget.OUTREACH_PHOTO: RECORD_OUTREACH,
}
PARTIAL_DIR = "uploads-partial"
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")


class OffsetMismatch(Exception):
    """The chunk's ``Upload-Offset`` is not the offset the server holds."""

    def __init__(self, held: int) -> None:
        super().__init__(held)
        self.held = held


@dataclass(frozen=True)
class Attached:
    """What a finished upload became: a photo or a signature."""

    id: uuid.UUID
    sha256: str
    width: int
    height: int


def partial_folder(upload: Upload | uuid.UUID | str) -> str:
    """The store folder holding an upload's chunks."""
    return f"{PARTIAL_DIR}/{getattr(upload, 'pk', upload)}"


def _legacy_name(upload: Upload) -> str:
    """Where an upload started before issue 26 kept its bytes: one file."""
    return f"{PARTIAL_DIR}/{upload.pk}.part"


def partial_chunks(upload: Upload) -> list[tuple[int, str]]:
    """(offset, store name) of each chunk kept so far, in order."""
    found = []
    if default_storage.exists(_legacy_name(upload)):
        found.append((0, _legacy_name(upload)))
    for name in names_under(partial_folder(upload)):
        stem = posixpath.basename(name).removesuffix(".part")
        if stem.isdigit():
            found.append((int(stem), name))
    return sorted(found)


def partial_size(upload: Upload) -> int:
    """How many bytes of the upload the store holds."""
    return sum(default_storage.size(name) for _offset, name in partial_chunks(upload))


def _drop_partial(upload: Upload) -> None:
    delete_prefix(partial_folder(upload))
    if default_storage.exists(_legacy_name(upload)):
        default_storage.delete(_legacy_name(upload))


class _Chunks(Reader):
    """An upload's chunks read back in order as one read-only stream."""

    def __init__(self, names: list[str], size: int) -> None:
        self._names = list(names)
        self._current: Any = None
        self.size = size

    def read(self, n: int | None = -1) -> bytes:
        want = self.size if n is None or n < 0 else n
        out = bytearray()
        while len(out) < want:
            if self._current is None:
                if not self._names:
                    break
                self._current = open_stream(self._names.pop(0))
            piece = self._current.read(want - len(out))
            if not piece:
                self._current.close()
                self._current = None
                continue
            out += piece
        return bytes(out)

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        super().close()


def _record(user: User, target: str, record_id: Any) -> Any:
    """The record a photo goes to, found through scope (404 outside it)."""
    if target in (UploadTarget.INSPECTION_PHOTO, UploadTarget.INSPECTION_SIGNATURE):
        from xieguan.inspections.selectors import get_inspection_for_user

        return get_inspection_for_user(user, record_id)
    if target == UploadTarget.REPORT_PHOTO:
        from xieguan.reports.selectors import get_report_for_user

        return get_report_for_user(user, record_id)
    from xieguan.outreach.selectors import get_outreach_for_user

    return get_outreach_for_user(user, record_id)


def _held(record: Any, upload: Upload) -> Any:
    """What this upload would make, already on the record: an inspection's
    photo of this upload's id (the phone's id of the photo), this signer's
    signature of these bytes, or another record's photo of these bytes.
    Never another signer's signature, nor another photo of the same bytes
    on an inspection: two inspectors whose drawings are the same image both
    sign, and two photos are two photos."""
    if upload.target == UploadTarget.INSPECTION_SIGNATURE:
        role = upload.meta.get("role", "")
        signer = upload.meta.get("user_id") if role == "inspector" else None
        if role == "inspector" and not signer:
            return None
        return record.signatures.filter(sha256=upload.sha256, role=role, user=signer, refused=False).first()
    if upload.target == UploadTarget.INSPECTION_PHOTO:
        return record.photos.filter(client_id=upload.pk).first()
    return record.photos.filter(sha256=upload.sha256).first()


def _signer(meta: dict[str, Any]) -> tuple[str, str]:
    """Who a signature upload is for: (role, user id)."""
    return (str(meta.get("role") or ""), str(meta.get("user_id") or ""))


def _attached(found: Any) -> Attached:
    return Attached(
        id=found.pk,
        sha256=found.sha256,
        width=getattr(found, "width", 0) or 0,
        height=getattr(found, "height", 0) or 0,
    )


def upload_start(
    *,
    actor: User,
    id: uuid.UUID,
    target: str,
    record_id: uuid.UUID,
    length: int,
    sha256: str,
    content_type: str,
    meta: dict[str, Any] | None = None,
) -> tuple[Upload, bool]:
    """Start an upload for a record in the actor's scope, or answer the one
    already started with this id (returns (upload, created)). The same id
    with another size, hash or record is refused. If the record already
    holds a photo of these bytes, the upload is finished at once."""
    if target not in UploadTarget.values:
        raise ValidationError({"target": _("Choose what the file is for from the list.")})
    sha = (sha256 or "").lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValidationError({"sha256": _("Give the file's SHA-256 as 64 hexadecimal digits.")})
    if length <= 0:
        raise ValidationError({"length": _("The file is empty.")})
    if length > MAX_PHOTO_BYTES:
        raise ValidationError({"length": _("The photo is larger than 20 MB.")})
    if content_type not in CONTENT_TYPES:
        raise ValidationError({"content_type": _("Only JPEG, PNG or WebP photos can be sent.")})
    meta = dict(meta or {})
    existing = Upload.objects.filter(pk=id).first()
    if existing is not None:
        if existing.created_by_id != actor.pk:
            from django.http import Http404

            raise Http404
        if (existing.target, str(existing.record_id), existing.length, existing.sha256, _signer(existing.meta)) != (
            target,
            str(record_id),
            length,
            sha,
            _signer(meta),
        ):
            raise ValidationError(_("This upload was started with another file; start a new one."))
        return existing, False
    record = _record(actor, target, record_id)
    # The right the photo or signature service will ask for when the last
    # byte is in, asked now: someone who may only read the record (the
    # prefecture, the county leader) must not store 20 MB on the server first.
    require(actor, WRITES_TO[target], record.area.path)
    # The fields that go together, after the role (403 whatever was sent)
    # and before a byte is sent: a bad fix is not refused 20 MB later.
    if target == UploadTarget.INSPECTION_SIGNATURE and meta.get("role") not in ("inspector", "representative"):
        raise ValidationError({"role": _("Choose who is signing.")})
    if target != UploadTarget.INSPECTION_SIGNATURE:
        from xieguan.core.photos import gps_fix_checked

        gps_fix_checked(meta.get("latitude"), meta.get("longitude"), meta.get("accuracy_m"))
    upload = Upload(
        id=id,
        created_by=actor,
        target=target,
        record_id=record.pk,
        length=length,
        sha256=sha,
        content_type=content_type,
        meta=meta,
        expires_at=timezone.now() + UPLOAD_LIFETIME,
    )
    found = _held(record, upload)
    if found is not None:
        upload.offset = length
        upload.result_id = found.pk
        upload.completed_at = timezone.now()
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            upload.save(force_insert=True)
    except IntegrityError:
        # Two tabs started the same upload at once: both continue the one.
        return Upload.objects.get(pk=id, created_by=actor), False
    return upload, True


def get_upload_for_user(user: User, upload_id: Any) -> Upload:
    """An upload of the caller's own; anyone else's answers 404."""
    from django.shortcuts import get_object_or_404

    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        from django.http import Http404

        raise Http404 from None
    return get_object_or_404(Upload.objects.of(user), pk=key)


def upload_append(*, actor: User, upload: Upload, offset: int, chunk: bytes) -> tuple[Upload, Attached | None]:
    """Write ``chunk`` at ``offset`` (which must be the offset held, else
    ``OffsetMismatch``); when the upload is complete, check it and attach
    it. An empty chunk at the end finishes an upload whose attach failed
    earlier. Returns the upload and, once finished, what it became."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk, created_by=actor)
        if upload.completed_at is not None:
            return upload, upload_result(actor, upload)
        if offset != upload.offset:
            raise OffsetMismatch(upload.offset)
        if upload.offset + len(chunk) > upload.length:
            raise ValidationError(_("The chunk goes past the size given when the upload started."))
        if chunk:
            # Named by the offset held: a chunk repeated after a cut (its
            # answer lost before the offset moved) replaces its first try.
            put_exact(f"{partial_folder(upload)}/{upload.offset:012d}.part", chunk)
            upload.offset += len(chunk)
            upload.save(update_fields=["offset", "updated_at"])
    if upload.offset < upload.length:
        return upload, None
    return _finish(actor=actor, upload=upload)


def _checked_chunks(upload: Upload) -> list[str] | None:
    """The chunk names when they run without gap or overlap from 0 to the
    upload's length and their bytes hash to its sha256, else None."""
    names, at, digest = [], 0, hashlib.sha256()
    for offset, name in partial_chunks(upload):
        if offset != at:
            return None
        with open_stream(name) as handle:
            while piece := handle.read(1024 * 1024):
                digest.update(piece)
                at += len(piece)
        names.append(name)
    if at != upload.length or digest.hexdigest() != upload.sha256:
        return None
    return names


def _finish(*, actor: User, upload: Upload) -> tuple[Upload, Attached]:
    names = _checked_chunks(upload)
    if names is None:
        # Damaged on the way: start again from zero rather than keep it.
        _drop_partial(upload)
        Upload.objects.filter(pk=upload.pk).update(offset=0)
        upload.offset = 0
        raise ValidationError(_("The file arrived damaged (its checksum does not match); it will be sent again."))
    record = _record(actor, upload.target, upload.record_id)
    with _Chunks(names, upload.length) as stream:
        found = _attach(actor=actor, upload=upload, record=record, file=File(stream, name=f"{upload.pk}.part"))  # type: ignore[arg-type]
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(result_id=found.pk, completed_at=timezone.now())
    _drop_partial(upload)
    upload.refresh_from_db()
    return upload, _attached(found)


def _attach(*, actor: User, upload: Upload, record: Any, file: File) -> Any:
    from xieguan.core.photos import gps_fix_checked

    # A photo carries the fix it was taken at, stamped on it with the time and place.
    fix = gps_fix_checked(upload.meta.get("latitude"), upload.meta.get("longitude"), upload.meta.get("accuracy_m"))
    if upload.target == UploadTarget.INSPECTION_PHOTO:
        from xieguan.inspections.services.evidence import inspection_photo_add

        # The upload's id is the phone's id of the photo: its slot in the record.
        return inspection_photo_add(actor=actor, inspection=record, upload=file, client_id=upload.pk, fix=fix)[0]
    if upload.target == UploadTarget.INSPECTION_SIGNATURE:
        from xieguan.accounts.models import User
        from xieguan.inspections.services.evidence import signature_add

        signer = None
        if upload.meta.get("user_id"):
            signer = User.objects.filter(pk=upload.meta["user_id"]).first()
        return signature_add(
            actor=actor,
            inspection=record,
            role=upload.meta.get("role", ""),
            user=signer,
            name=upload.meta.get("name", ""),
            upload=file,
        )
    if upload.target == UploadTarget.REPORT_PHOTO:
        from xieguan.reports.services import report_photo_add

        return report_photo_add(actor=actor, report=record, upload=file, fix=fix)[0]
    from xieguan.outreach.services import outreach_photo_add

    return outreach_photo_add(actor=actor, outreach=record, upload=file, fix=fix)[0]


def upload_result(actor: User, upload: Upload) -> Attached | None:
    record = _record(actor, upload.target, upload.record_id)
    model = record.signatures if upload.target == UploadTarget.INSPECTION_SIGNATURE else record.photos
    found = model.filter(pk=upload.result_id).first()
    return _attached(found) if found is not None else None


def uploads_prune(*, now: datetime.datetime | None = None) -> int:
    """Remove expired uploads and their partial bytes, and any partial
    chunks no unfinished upload owns. Returns the number of uploads removed."""
    now = now or timezone.now()
    expired = list(Upload.objects.filter(expires_at__lt=now))
    for upload in expired:
        _drop_partial(upload)
    Upload.objects.filter(pk__in=[u.pk for u in expired]).delete()
    try:
        folders, files = default_storage.listdir(PARTIAL_DIR)
    except FileNotFoundError:
        return len(expired)
    live = {str(pk) for pk in Upload.objects.filter(completed_at__isnull=True).values_list("pk", flat=True)}
    for folder in folders:
        if folder not in live:
            delete_prefix(f"{PARTIAL_DIR}/{folder}")
    for leftover in files:
        if leftover.removesuffix(".part") not in live:
            default_storage.delete(f"{PARTIAL_DIR}/{leftover}")
    return len(expired)
