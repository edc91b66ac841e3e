"""API: documents kept with records, documents from above with their read
state, the archive by year (and closing it), and year packages."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from xieguan.accounts.permissions import ISSUE_DOCUMENTS, require
from xieguan.archives import selectors, services
from xieguan.archives.files import CONTENT_TYPES
from xieguan.archives.models import Document, PackageStatus, UpperDocument, YearPackage
from xieguan.archives.owners import owner_for_user, owner_kind_of
from xieguan.archives.schemas import (
    ArchiveDocumentIn,
    ArchiveDocumentOut,
    ArchiveYearOut,
    UpperDocumentDetailOut,
    UpperDocumentIn,
    UpperDocumentOut,
    YearPackageIn,
    YearPackageOut,
    YearReopenGrantIn,
    YearReopenRequestIn,
)
from xieguan.areas.models import Area
from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ErrorOut, ListOut, file_download
from xieguan.core.documents import download_header, download_name
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_page
from xieguan.core.photos import open_stored

documents_router = Router(tags=["archives"])
versions_router = Router(tags=["archives"])
upper_router = Router(tags=["archives"])
archive_router = Router(tags=["archives"])
packages_router = Router(tags=["archives"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _version_out(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "id": v.pk, "number": v.number, "original_name": v.original_name, "kind": v.kind, "size": v.size,
        "sha256": v.sha256, "uploaded_by": str(v.uploaded_by), "uploaded_at": v.created_at,
    }  # fmt: skip


def _document_out(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk, "owner_type": owner_kind_of(d.owner_type), "owner_id": d.owner_id, "area_id": d.area_id,
        "title": d.title, "current": _version_out(d.current), "created_by": str(d.created_by),
        "created_at": d.created_at,
    }  # fmt: skip


# ---------------------------------------------------------------- documents


@documents_router.get("", response={200: ListOut[ArchiveDocumentOut], **ERRORS})
def document_list(
    request: HttpRequest,
    owner_type: str | None = None,
    owner_id: uuid.UUID | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Documents the caller may see, newest first; with ``owner_type`` and ``owner_id`` those of one record."""
    if owner_type and owner_id:
        qs = selectors.documents_of(request.user, owner_for_user(owner_type, owner_id, request.user))
    else:
        qs = Document.objects.for_list().visible_to(request.user)
    page = keyset_page(
        qs.select_related("current__uploaded_by"), ordering=["-created_at", "-id"], cursor=after, size=limit
    )
    return {"items": [_document_out(d) for d in page.items], "next": page.next_cursor}


@documents_router.post("", response={200: ArchiveDocumentOut, 201: ArchiveDocumentOut, **ERRORS})
def document_create(request: HttpRequest, payload: Form[ArchiveDocumentIn], file: File[UploadedFile]) -> Any:
    """Upload a document of a record (multipart): PDF, JPG, PNG, Word or Excel up to 20 MB, its type read
    from its bytes. A retry with the same ``id`` answers 200 with the document made."""
    existing = existing_for_retry(Document, payload.id, request.user)
    if existing is not None:
        return Status(200, _document_out(selectors.get_document_for_user(request.user, existing.pk)))
    doc = services.document_upload(
        actor=request.user, owner_kind=payload.owner_type, owner_id=payload.owner_id, upload=file,
        title=payload.title, id=payload.id,
    )  # fmt: skip
    return Status(201, _document_out(selectors.get_document_for_user(request.user, doc.pk)))


@documents_router.get("/{document_id}", response={200: ArchiveDocumentOut, **ERRORS})
def document_get(request: HttpRequest, document_id: str) -> Any:
    return _document_out(selectors.get_document_for_user(request.user, document_id))


@documents_router.post("/{document_id}/versions", response={201: ArchiveDocumentOut, **ERRORS})
def document_version_add(request: HttpRequest, document_id: str, file: File[UploadedFile]) -> Any:
    """A new version of the document (multipart); earlier ones are kept."""
    doc = selectors.get_document_for_user(request.user, document_id)
    services.document_upload(actor=request.user, owner_kind="", owner_id=None, upload=file, document=doc)
    return Status(201, _document_out(selectors.get_document_for_user(request.user, doc.pk)))


@versions_router.get(
    "/{version_id}/file",
    response={**ERRORS},
    openapi_extra=file_download(dict.fromkeys(CONTENT_TYPES.values()), "The version's file as uploaded"),
)
def version_file(request: HttpRequest, version_id: str) -> Any:
    version = selectors.get_version_for_user(request.user, version_id)
    response = FileResponse(open_stored(version.file), content_type=CONTENT_TYPES[version.kind])
    response["Content-Disposition"] = download_header(version.original_name)
    return response


# ---------------------------------------------------------------- documents from above


def _upper_out(d: UpperDocument, *, detail: bool = False, user: Any = None) -> dict[str, Any]:
    out = {
        "id": d.pk, "number": d.number, "title": d.title, "body": d.body, "issuer_name": d.issuer.name,
        "issued_at": d.issued_at, "ack_due": d.ack_due, "has_file": bool(d.file),
        "receipts": getattr(d, "receipt_count", 0), "read": getattr(d, "read_count", 0),
        "my_read_at": getattr(d, "own_read_at", None), "my_acknowledged_at": getattr(d, "own_ack_at", None),
    }  # fmt: skip
    if detail:
        out["recipients"] = [
            {
                "id": r.pk,
                "institution_id": r.institution_id,
                "institution_name": r.institution.name,
                "area_id": r.area_id,
                "area_name": r.area.name,
                "read_at": r.read_at,
                "acknowledged_at": r.acknowledged_at,
            }
            for r in selectors.receipts_of(user, d)
        ]
    return out


@upper_router.get("", response={200: ListOut[UpperDocumentOut], **ERRORS})
def upper_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """Documents from above the caller received or its area issued, newest first, with the caller's read
    state (``my_read_at``) and, for an issuer, how many of the recipients have read it."""
    page = keyset_page(
        selectors.upper_documents_for(request.user), ordering=["-issued_at", "-id"], cursor=after, size=limit
    )
    return {"items": [_upper_out(d) for d in page.items], "next": page.next_cursor}


@upper_router.post("", response={200: UpperDocumentDetailOut, 201: UpperDocumentDetailOut, **ERRORS})
def upper_issue(request: HttpRequest, payload: UpperDocumentIn) -> Any:
    """Issue a document to areas below the caller's (bureau or institute); each station there gets a copy."""
    require(request.user, ISSUE_DOCUMENTS)  # first: one without the right learns nothing of ids (its own or targets)
    existing = existing_for_retry(UpperDocument, payload.id, request.user)
    if existing is not None:
        return Status(
            200, _upper_out(selectors.get_upper_for_user(request.user, existing.pk), detail=True, user=request.user)
        )
    targets = [get_area_for_user(request.user, pk) for pk in payload.target_ids]
    doc = services.upper_document_issue(
        actor=request.user, title=payload.title, number=payload.number, body=payload.body, targets=targets,
        ack_due=payload.ack_due, id=payload.id,
    )  # fmt: skip
    return Status(201, _upper_out(selectors.get_upper_for_user(request.user, doc.pk), detail=True, user=request.user))


@upper_router.get("/{document_id}", response={200: UpperDocumentDetailOut, **ERRORS})
def upper_get(request: HttpRequest, document_id: str) -> Any:
    """The document and the recipients the caller may see, each with its reading and acknowledgement."""
    return _upper_out(selectors.get_upper_for_user(request.user, document_id), detail=True, user=request.user)


def _own(request: HttpRequest, document_id: str) -> Any:
    doc = selectors.get_upper_for_user(request.user, document_id)
    receipt = selectors.own_receipt(request.user, doc)
    if receipt is None:
        # The caller sees the document (its issuer, or above): not being one
        # of its recipients is a role limit, and saying so reveals nothing.
        raise PermissionDenied(_("Only the institutions the document was sent to can read or acknowledge it."))
    return doc, receipt


@upper_router.post("/{document_id}/read", response={200: UpperDocumentDetailOut, **ERRORS})
def upper_read(request: HttpRequest, document_id: str) -> Any:
    """The caller's institution has read the document (recorded once)."""
    doc, receipt = _own(request, document_id)
    services.receipt_read(actor=request.user, receipt=receipt)
    return _upper_out(selectors.get_upper_for_user(request.user, doc.pk), detail=True, user=request.user)


@upper_router.post("/{document_id}/acknowledge", response={200: UpperDocumentDetailOut, **ERRORS})
def upper_acknowledge(request: HttpRequest, document_id: str) -> Any:
    """The caller's institution acknowledges the document (签收)."""
    doc, receipt = _own(request, document_id)
    services.receipt_acknowledge(actor=request.user, receipt=receipt)
    return _upper_out(selectors.get_upper_for_user(request.user, doc.pk), detail=True, user=request.user)


@upper_router.get(
    "/{document_id}/file",
    response={**ERRORS},
    openapi_extra=file_download(dict.fromkeys(CONTENT_TYPES.values()), "The issued file"),
)
def upper_file(request: HttpRequest, document_id: str) -> Any:
    doc = selectors.get_upper_for_user(request.user, document_id)
    if not doc.file:
        raise Http404
    response = FileResponse(open_stored(doc.file), content_type=CONTENT_TYPES.get(doc.file_kind, "application/pdf"))
    response["Content-Disposition"] = download_header(doc.file_name or _("file.pdf"))
    return response


# ---------------------------------------------------------------- the archive by year


@archive_router.get("/{year}", response={200: ArchiveYearOut, **ERRORS})
def archive_year(request: HttpRequest, year: int, area_id: uuid.UUID | None = None) -> Any:
    """An area's year (the caller's own area by default): closed or not, the areas below it, and the
    number of records in each section of the archive, in the archive order."""
    year = selectors.parse_year(year)
    root = selectors.archive_root(request.user)
    area: Area | None = get_area_for_user(request.user, area_id) if area_id else root
    if area is None:
        raise Http404
    closed = selectors.get_year_close(request.user, year)
    return {
        "year": year,
        "area": {"id": area.pk, "name": area.name},
        "closed": closed is not None and closed.reopened_until is None,
        "closed_at": closed.closed_at if closed else None,
        "reopened_until": closed.reopened_until if closed else None,
        "reopen_requested": bool(closed and closed.reopen_pending),
        "children": [{"id": a.pk, "name": a.name} for a in selectors.archive_areas(request.user, area)],
        "sections": [
            {"index": i, "name": str(s.name), "count": n}
            for i, s, n in selectors.section_counts(request.user, area, year)
        ],
    }


@archive_router.post("/{year}/close", response={200: ArchiveYearOut, **ERRORS})
def archive_close(request: HttpRequest, year: int) -> Any:
    """The county closes a year that is over: its records become read-only.
    409 for a year not over yet or already closed."""
    services.year_close(actor=request.user, year=year)
    return archive_year(request, year)


@archive_router.post("/{year}/reopen-request", response={200: ArchiveYearOut, **ERRORS})
def archive_reopen_request(request: HttpRequest, year: int, payload: YearReopenRequestIn) -> Any:
    closed = selectors.get_year_close(request.user, selectors.parse_year(year))
    if closed is None:
        raise Http404
    services.year_reopen_request(actor=request.user, closed=closed, reason=payload.reason)
    return archive_year(request, year)


@archive_router.post("/{year}/reopen-grant", response={200: ArchiveYearOut, **ERRORS})
def archive_reopen_grant(request: HttpRequest, year: int, payload: YearReopenGrantIn) -> Any:
    closed = selectors.get_year_close(request.user, selectors.parse_year(year))
    if closed is None:
        raise Http404
    services.year_reopen_grant(actor=request.user, closed=closed, until=payload.until)
    return archive_year(request, year)


# ---------------------------------------------------------------- year packages


def _package_out(p: YearPackage) -> dict[str, Any]:
    return {
        "id": p.pk, "area_id": p.area_id, "area_name": p.area.name, "year": p.year, "status": p.status,
        "done": p.done, "total": p.total, "percent": p.percent, "size": p.size, "sha256": p.sha256,
        "finished_at": p.finished_at,
    }  # fmt: skip


@packages_router.get("", response={200: ListOut[YearPackageOut], **ERRORS})
def package_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    page = keyset_page(selectors.packages_for(request.user), ordering=["-created_at", "-id"], cursor=after, size=limit)
    return {"items": [_package_out(p) for p in page.items], "next": page.next_cursor}


@packages_router.post("", response={200: YearPackageOut, 201: YearPackageOut, **ERRORS})
def package_start(request: HttpRequest, payload: YearPackageIn) -> Any:
    """Start building the zip of an area's year in the background; poll it, then download it."""
    existing = existing_for_retry(YearPackage, payload.id, request.user)
    if existing is not None:
        return Status(200, _package_out(selectors.get_package_for_user(request.user, existing.pk)))
    area = get_area_for_user(request.user, payload.area_id)
    package = services.package_start(actor=request.user, area=area, year=payload.year, id=payload.id)
    return Status(201, _package_out(selectors.get_package_for_user(request.user, package.pk)))


@packages_router.get("/{package_id}", response={200: YearPackageOut, **ERRORS})
def package_get(request: HttpRequest, package_id: str) -> Any:
    """The package's progress; ``status`` is ``done`` once it can be downloaded."""
    return _package_out(selectors.get_package_for_user(request.user, package_id))


@packages_router.get(
    "/{package_id}/download", response={**ERRORS}, openapi_extra=file_download("application/zip", "The year package")
)
def package_download(request: HttpRequest, package_id: str) -> Any:
    """The zip once built; 409 while it is queued or being built (a state
    that passes: ask GET /api/archive-packages/{package_id} for the progress)."""
    package = selectors.get_package_for_user(request.user, package_id)
    if package.status != PackageStatus.DONE or not package.file:
        raise StateConflict(_("The package is not built yet; its progress shows when it can be downloaded."))
    response = FileResponse(open_stored(package.file), content_type="application/zip")
    response["Content-Disposition"] = download_header(
        download_name(_("Year archive"), package.area.name, _("Year %(year)s") % {"year": package.year}, ext="zip")
    )
    return response
