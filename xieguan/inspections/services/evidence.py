"""The evidence of an inspection record (SPEC §4): its photos and the
signatures of its inspectors and of the unit's representative.

Each piece is kept once per record and purpose, never by what the image
looks like across people: a photo once per the phone's own id for it (its
slot in the record; a photo added on the web, once per record and hash), a
signature once per signer. A retry of the same send answers with what is
held and makes nothing twice."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import RECORD_INSPECTION, require
from xieguan.core.audit import audit_record
from xieguan.core.photos import MAX_PHOTO_BYTES, files_kept_on_success, prepare_signature
from xieguan.core.registry import ensure_open
from xieguan.core.validators import clean_text
from xieguan.inspections.models import Inspection, Photo, Signature, SignerRole
from xieguan.inspections.services.common import GpsFix, _require_draft, _save_photo, record_fix


def _upload_sha256(upload: Any) -> str | None:
    """The sha256 of an upload's bytes (the file is rewound after)."""
    try:
        upload.seek(0)
        digest = hashlib.sha256(upload.read(MAX_PHOTO_BYTES + 1)).hexdigest()
        upload.seek(0)
    except (AttributeError, OSError, ValueError):
        return None
    return digest


def inspection_photo_add(
    *,
    actor: User,
    inspection: Inspection,
    upload: Any,
    client_id: uuid.UUID | None = None,
    fix: GpsFix | None = None,
) -> tuple[Photo, bool]:
    """An evidence photo on a draft: resized, the hash of the bytes sent
    kept, stamped with the capture time, the unit's name and address and
    the GPS fix sent with the photo (``fix``, from the phone), else the
    record's own, else 无定位. Kept once per ``client_id`` (the phone's id of the photo, so two
    photos of the same bytes are two photos); without one (the web page),
    once per hash. A retry of a photo already kept answers with it, even
    once the record is submitted. Returns (photo, created)."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    if client_id is not None:
        found = inspection.photos.filter(client_id=client_id).first()
    else:
        digest = _upload_sha256(upload)
        found = inspection.photos.filter(sha256=digest).first() if digest else None
    if found is not None:
        return found, False
    _require_draft(inspection)
    ensure_open(inspection)
    return _save_photo(
        actor=actor,
        upload=upload,
        area=inspection.area,
        unit=inspection.unit,
        fix=fix or record_fix(inspection),
        key={"client_id": client_id} if client_id is not None else None,
        inspection=inspection,
    )


def decode_data_url(data_url: str, *, field: str = "signature") -> io.BytesIO:
    """A canvas's ``data:image/png;base64,...`` as a file."""
    head, _sep, payload = (data_url or "").partition(",")
    if not head.startswith("data:image/") or ";base64" not in head:
        raise ValidationError({field: _("The signature is empty; sign in the box first.")})
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({field: _("The signature is empty; sign in the box first.")}) from None
    return io.BytesIO(raw)


def _same_signature(held: Signature | None, digest: str | None, refused: bool) -> bool:
    """Whether ``held`` is what this send would store (a retry)."""
    if held is None:
        return False
    if refused:
        return held.refused
    return bool(digest) and not held.refused and held.sha256 == digest


def signature_add(
    *,
    actor: User,
    inspection: Inspection,
    role: str,
    user: User | None = None,
    name: str = "",
    upload: Any = None,
    refused: bool = False,
) -> Signature:
    """An inspector's signature, or the representative's (or their refusal):
    one per signer and record. Signing again replaces that signer's earlier
    signature; the same signature of the same signer sent again (a retry
    from the phone) is kept once and answers with the one held, even once
    the record is submitted. Two inspectors whose drawings are the same
    image both sign: one signer's signature never stands for another's."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    signer = user if role == SignerRole.INSPECTOR else None
    digest = _upload_sha256(upload) if upload is not None else None

    def held() -> Signature | None:
        if role not in SignerRole.values or (role == SignerRole.INSPECTOR and signer is None):
            return None
        return inspection.signatures.filter(role=role, user=signer).first()

    found = held()
    if _same_signature(found, digest, refused):
        return found  # type: ignore[return-value]
    _require_draft(inspection)
    ensure_open(inspection)
    if role not in SignerRole.values:
        raise ValidationError({"role": _("Choose who is signing.")})
    if role == SignerRole.INSPECTOR:
        if refused:
            raise ValidationError({"refused": _("An inspector cannot refuse to sign.")})
        if user is None or not inspection.inspector_links.filter(user=user).exists():
            raise ValidationError({"user": _("Only an inspector of this record can sign as inspector.")})
        name = user.full_name or user.username
    else:
        user = None
        name = clean_text(name, field="name", limit=50) or inspection.representative
        if not name and not refused:
            raise ValidationError({"name": _("Give the representative's name.")})
    if not refused and upload is None:
        raise ValidationError({"signature": _("The signature is empty; sign in the box first.")})
    prepared = prepare_signature(upload, field="signature") if upload is not None else None
    try:
        with files_kept_on_success() as files, transaction.atomic():
            old = inspection.signatures.filter(role=role, user=user)
            old_names = [str(s.image.name) for s in old if s.image]
            old.delete()
            signature = Signature(inspection=inspection, role=role, user=user, name=name, refused=refused)
            if prepared is not None:
                signature.sha256 = prepared.sha256
                files.save(signature.image, f"{prepared.sha256[:16]}.png", prepared.content)
            signature.save()
            if role == SignerRole.REPRESENTATIVE and name and not inspection.representative:
                inspection.representative = name
                inspection.save(update_fields=["representative", "updated_at"])
            audit_record(
                actor=actor,
                action="inspection.sign",
                obj=inspection,
                changes={"signature": [None, f"{signature.get_role_display()} {name}"]},
                note=_("refused to sign") if refused else "",
            )
            transaction.on_commit(lambda: _delete_files(signature.image.storage, old_names))
    except IntegrityError:
        # The same signer's send raced this one (a retry, a second tab): the
        # one that won is held; this one leaves nothing behind.
        found = held()
        if found is None:
            raise
        return found
    return signature


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)
