"""API: the field app's read and its resumable uploads (SPEC §13). Its
record writes are the reports, outreach and inspections endpoints, each
idempotent on the phone's UUID and each photo on the photo's sha256.

The uploads follow the tus 1.0 core protocol (https://tus.io): start an
upload, ask its offset (HEAD or GET), append chunks with ``PATCH`` and
``Upload-Offset``; a chunk at any other offset answers 409 with the offset
held, so a phone whose link was cut asks and continues from there."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from xieguan.core.api import ERRORS, ErrorOut
from xieguan.core.photos import MAX_PHOTO_BYTES
from xieguan.field.models import Upload
from xieguan.field.schemas import BootstrapOut, UploadIn, UploadOut
from xieguan.field.selectors import field_bootstrap
from xieguan.field.services import (
    Attached,
    OffsetMismatch,
    get_upload_for_user,
    upload_append,
    upload_result,
    upload_start,
)

router = Router(tags=["field"])
upload_router = Router(tags=["uploads"])
TUS_VERSION = "1.0.0"
CHUNK_TYPE = "application/offset+octet-stream"

BOOTSTRAP_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "the ETag of the copy the phone holds; an unchanged scope answers 304 with no body",
        }
    ],
    "responses": {
        200: {
            "description": "the caller's scope",
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "send it back as If-None-Match"},
                "Cache-Control": {"schema": {"type": "string"}, "description": "private, no-cache"},
            },
        },
        304: {
            "description": "Not modified: the copy the phone holds (If-None-Match) is current; no body",
            "headers": {"ETag": {"schema": {"type": "string"}, "description": "the same ETag"}},
        },
    },
}


@router.get("/bootstrap", response={200: BootstrapOut, 304: None, 401: ErrorOut}, openapi_extra=BOOTSTRAP_OPENAPI)
def bootstrap(request: HttpRequest) -> Any:
    """The caller's own scope for offline work: their areas and units (each
    with the checklist a new inspection of it uses), the colleagues they may
    inspect with, what is due this month, published checklists, report
    categories, publicity forms. The phone stores it and fetches it again
    whenever it is online; with ``If-None-Match`` set to the last ``ETag``
    an unchanged scope answers 304 with no body."""
    body = BootstrapOut.model_validate(field_bootstrap(request.user, today=timezone.localdate())).model_dump_json()
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response


# ---------------------------------------------------------------- uploads

_OFFSET_HEADERS = {
    "Upload-Offset": {"schema": {"type": "integer"}, "description": "bytes the server holds"},
    "Upload-Length": {"schema": {"type": "integer"}, "description": "the file's total size"},
    "Tus-Resumable": {"schema": {"type": "string"}, "description": TUS_VERSION},
}


def _out(upload: Upload, result: Attached | None = None) -> dict[str, Any]:
    return {
        "id": upload.pk,
        "target": upload.target,
        "record_id": upload.record_id,
        "length": upload.length,
        "offset": upload.offset,
        "complete": upload.completed_at is not None,
        "expires_at": upload.expires_at,
        "result": result.__dict__ if result is not None else None,
    }


def _headers(response: HttpResponse, upload: Upload) -> None:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"


@upload_router.post(
    "",
    response={200: UploadOut, 201: UploadOut, **ERRORS},
    openapi_extra={
        "responses": {
            201: {
                "description": "started (or finished at once: the record already holds these bytes)",
                "headers": _OFFSET_HEADERS,
            },
            200: {"description": "this id was started before: its state", "headers": _OFFSET_HEADERS},
        }
    },
)
def upload_create(request: HttpRequest, payload: UploadIn, response: HttpResponse) -> Any:
    """Start a resumable upload of a photo (or a signature) for a record in
    the caller's scope; idempotent on ``id``. A photo (an inspection's, a
    report's, a publicity record's) may carry the GPS fix it was taken at (stamped on it; 422 out of range). If the record already holds a
    photo with this sha256 the upload is complete at once (``result``)."""
    meta: dict[str, Any] = {}
    if payload.target == "inspection_signature":
        meta = {"role": payload.role, "user_id": str(payload.user_id) if payload.user_id else "", "name": payload.name}
    elif payload.target in ("inspection_photo", "report_photo", "outreach_photo"):
        meta = {"latitude": payload.latitude, "longitude": payload.longitude, "accuracy_m": payload.accuracy_m}
    upload, created = upload_start(
        actor=request.user,
        id=payload.id,
        target=payload.target,
        record_id=payload.record_id,
        length=payload.length,
        sha256=payload.sha256,
        content_type=payload.content_type,
        meta=meta,
    )

    result = upload_result(request.user, upload) if upload.completed_at else None
    _headers(response, upload)
    response["Location"] = f"{request.path.rstrip('/')}/{upload.pk}"
    return Status(201 if created else 200, _out(upload, result))


@upload_router.api_operation(
    ["HEAD"],
    "/{upload_id}",
    response={200: None, 401: None, 404: None},
    summary="Upload offset (tus HEAD)",
    openapi_extra={
        "responses": {200: {"description": "no body; the offset is in the headers", "headers": _OFFSET_HEADERS}}
    },
)
def upload_head(request: HttpRequest, upload_id: str) -> Any:
    """How many bytes of this upload the server holds (``Upload-Offset``),
    in headers only, as tus clients ask. Another user's upload is 404."""
    upload = get_upload_for_user(request.user, upload_id)
    response = HttpResponse(status=200)
    _headers(response, upload)
    return response


@upload_router.get(
    "/{upload_id}",
    response={200: UploadOut, **ERRORS},
    openapi_extra={"responses": {200: {"description": "the upload's state", "headers": _OFFSET_HEADERS}}},
)
def upload_get(request: HttpRequest, upload_id: str, response: HttpResponse) -> Any:
    """The upload's state as JSON, with the same headers as HEAD."""
    upload = get_upload_for_user(request.user, upload_id)

    _headers(response, upload)
    return _out(upload, upload_result(request.user, upload) if upload.completed_at else None)


PATCH_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "Upload-Offset",
            "in": "header",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
            "description": "where this chunk starts: must equal the offset the server holds",
        },
        {
            "name": "Tus-Resumable",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "example": TUS_VERSION},
        },
    ],
    "requestBody": {
        "required": True,
        "description": "the next bytes of the file (any size up to what is left; 64 KB from the field app)",
        "content": {CHUNK_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
    "responses": {
        200: {
            "description": "chunk kept; once the last byte is in, ``complete`` and ``result``",
            "headers": _OFFSET_HEADERS,
        },
        409: {
            "description": "Upload-Offset is not the offset held; ask it (HEAD) and continue from there",
            "headers": _OFFSET_HEADERS,
        },
        415: {"description": f"the body is not {CHUNK_TYPE}"},
    },
}


@upload_router.patch(
    "/{upload_id}",
    response={200: UploadOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut, **ERRORS},
    openapi_extra=PATCH_OPENAPI,
)
def upload_patch(request: HttpRequest, upload_id: str, response: HttpResponse) -> Any:
    """Append a chunk at ``Upload-Offset``. When the last byte arrives the
    file's size and sha256 are checked (a damaged file starts again from 0:
    422) and it becomes a photo or signature of its record, kept once per
    hash; repeating the last chunk answers the same result."""
    upload = get_upload_for_user(request.user, upload_id)
    _headers(response, upload)
    if request.content_type != CHUNK_TYPE:
        return Status(415, {"detail": _("Send the chunk as %(type)s.") % {"type": CHUNK_TYPE}})
    raw_offset = request.headers.get("Upload-Offset", "")
    if not raw_offset.isdigit():
        return Status(400, {"detail": _("Give the chunk's position in the Upload-Offset header.")})
    if int(request.headers.get("Content-Length") or 0) > MAX_PHOTO_BYTES:
        return Status(413, {"detail": _("The photo is larger than 20 MB.")})
    try:
        upload, result = upload_append(actor=request.user, upload=upload, offset=int(raw_offset), chunk=request.body)
    except OffsetMismatch as mismatch:
        response["Upload-Offset"] = str(mismatch.held)
        return Status(
            409,
            {
                "detail": _("The server holds %(held)d bytes of this file; continue from there.")
                % {"held": mismatch.held},
                "fields": {"offset": [str(mismatch.held)]},
            },
        )
    _headers(response, upload)
    return _out(upload, result)
