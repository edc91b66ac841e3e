"""Every write of the archives: permitted, scoped, audited."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xieguan.accounts.models import Institution, InstitutionType
from xieguan.accounts.permissions import CLOSE_YEAR, EXPORT_ARCHIVE, ISSUE_DOCUMENTS, KEEP_DOCUMENTS, require
from xieguan.archives.files import checked_upload, display_name
from xieguan.archives.locks import county_of
from xieguan.archives.models import (
    Document,
    DocumentVersion,
    PackageStatus,
    UpperDocument,
    UpperDocumentReceipt,
    YearClose,
    YearPackage,
)
from xieguan.archives.owners import owner_for_user
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_once
from xieguan.core.scope import is_within
from xieguan.core.validators import clean_text

if TYPE_CHECKING:
    from xieguan.accounts.models import User

MAX_REOPEN_DAYS = 30
FIRST_YEAR = 2000


# ---------------------------------------------------------------- documents


def document_upload(
    *,
    actor: User,
    owner_kind: str,
    owner_id: Any,
    upload: Any,
    title: str = "",
    document: Document | None = None,
    id: uuid.UUID | None = None,
) -> Document:
    """A new document of a record, or (``document`` given) its next version.
    The file's type is read from its bytes; its stored name is ours."""
    if document is not None:
        require(actor, KEEP_DOCUMENTS, document.area.path)
        owner: Any = None
    else:
        owner = owner_for_user(owner_kind, owner_id, actor)
        require(actor, KEEP_DOCUMENTS, owner.area.path)
    kind, digest, size = checked_upload(upload)
    name = display_name(getattr(upload, "name", ""), kind)
    title = clean_text(title, field="title", limit=200) or name.rsplit(".", 1)[0]

    def add_version(doc: Document) -> DocumentVersion:
        number = (doc.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = DocumentVersion(
            document=doc, number=number, original_name=name, kind=kind, size=size, sha256=digest, uploaded_by=actor
        )
        version.file.save(f"upload.{kind}", upload, save=False)
        version.save()
        doc.current = version
        doc.save(update_fields=["current", "updated_at"])
        return version

    if document is not None:
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document.pk)
            with audited(actor, "document.version", document, fields=("title", "current")) as audit:
                version = add_version(document)
                audit.changes["version"] = [version.number - 1, version.number]
        return document

    def make() -> Document:
        with audited(actor, "document.upload", fields=("title", "area", "current")) as audit:
            doc = Document(
                id=id or uuid.uuid4(),
                owner_type=ContentType.objects.get_for_model(type(owner)),
                owner_id=owner.pk,
                area=owner.area,
                title=title,
                created_by=actor,
            )
            doc.save()
            add_version(doc)
            audit.obj = doc
        return doc

    doc, _created = create_once(Document, id, actor, make)
    return doc


# ---------------------------------------------------------------- documents from above


def _recipients(targets: list[Area]) -> list[Institution]:
    """The stations (one a township) of the target areas."""
    found: dict[Any, Institution] = {}
    for target in targets:
        for inst in Institution.objects.filter(
            area__path__startswith=target.path, type=InstitutionType.STATION, closed_on__isnull=True
        ).select_related("area"):
            found[inst.pk] = inst
    return sorted(found.values(), key=lambda i: (i.area.path, i.name))


def upper_document_issue(
    *,
    actor: User,
    title: str,
    targets: list[Area],
    number: str = "",
    body: str = "",
    upload: Any = None,
    ack_due: datetime.date | None = None,
    id: uuid.UUID | None = None,
) -> UpperDocument:
    """The bureau or institute issues a document to areas below it: each
    station there gets its copy to read and acknowledge."""
    require(actor, ISSUE_DOCUMENTS)
    institution = getattr(actor, "institution", None)
    if institution is None or institution.area.level > Level.COUNTY:
        raise ValidationError(
            _("Only a health bureau or health supervision institute at county level or above can issue documents.")
        )
    title = clean_text(title, field="title", limit=200, required=True)
    number = clean_text(number, field="number", limit=60)
    body = clean_text(body, field="body", limit=5000)
    if ack_due is not None and ack_due < timezone.localdate():
        raise ValidationError({"ack_due": _("The acknowledgement deadline cannot be before today.")})
    if not targets:
        raise ValidationError({"targets": _("Choose the areas to issue to.")})
    for target in targets:
        if not target.path.startswith(institution.area.path) or target.pk == institution.area.pk:
            raise ValidationError({"targets": _("Documents can be issued only to the areas below your institution.")})
    recipients = _recipients(targets)
    if not recipients:
        raise ValidationError({"targets": _("There is no receiving institution in the areas chosen.")})
    kind = digest = name = ""
    if upload is not None:
        kind, digest, _size = checked_upload(upload)
        name = display_name(getattr(upload, "name", ""), kind)

    def make() -> UpperDocument:
        with audited(
            actor, "upper_document.issue", fields=("title", "number", "area", "ack_due", "file_name")
        ) as audit:
            doc = UpperDocument(
                id=id or uuid.uuid4(),
                area=institution.area,
                issuer=institution,
                number=number,
                title=title,
                body=body,
                ack_due=ack_due,
                issued_at=timezone.now(),
                issued_by=actor,
                file_name=name,
                file_kind=kind,
                file_sha256=digest,
            )
            if upload is not None:
                doc.file.save(f"upload.{kind}", upload, save=False)
            doc.save()
            UpperDocumentReceipt.objects.bulk_create(
                UpperDocumentReceipt(document=doc, institution=inst, area=inst.area) for inst in recipients
            )
            audit.obj = doc
            audit.changes["recipients"] = [None, [i.name for i in recipients]]
        return doc

    doc, _created = create_once(UpperDocument, id, actor, make)
    return doc


def _own_receipt(actor: User, receipt: UpperDocumentReceipt) -> None:
    if not is_within(actor, receipt.area.path):
        raise Http404
    if getattr(actor, "institution_id", None) != receipt.institution_id:
        raise StateConflict(_("Only the staff of the receiving institution can read and acknowledge it."))


def receipt_read(*, actor: User, receipt: UpperDocumentReceipt) -> UpperDocumentReceipt:
    """A person of the receiving institution opened the document (once recorded)."""
    _own_receipt(actor, receipt)
    if receipt.read_at is not None:
        return receipt
    with transaction.atomic(), audited(actor, "upper_document.read", receipt):
        receipt.read_at = timezone.now()
        receipt.read_by = actor
        receipt.save(update_fields=["read_at", "read_by", "updated_at"])
    return receipt


def receipt_acknowledge(*, actor: User, receipt: UpperDocumentReceipt) -> UpperDocumentReceipt:
    """The receiving institution acknowledges the document (签收)."""
    _own_receipt(actor, receipt)
    if receipt.acknowledged_at is not None:
        return receipt
    with transaction.atomic(), audited(actor, "upper_document.acknowledge", receipt):
        now = timezone.now()
        if receipt.read_at is None:
            receipt.read_at, receipt.read_by = now, actor
        receipt.acknowledged_at = now
        receipt.acknowledged_by = actor
        receipt.save(update_fields=["read_at", "read_by", "acknowledged_at", "acknowledged_by", "updated_at"])
    return receipt


# ---------------------------------------------------------------- closing a year


def _check_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("The year is not valid.")}) from None
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("The year is not valid.")})
    return year


def _actor_county(actor: User) -> Area:
    institution = getattr(actor, "institution", None)
    county = county_of(institution.area) if institution is not None else None
    if county is None:
        raise ValidationError(_("Only the staff of a county can close and file years."))
    return county


def year_close(*, actor: User, year: Any) -> YearClose:
    """The county closes a year that is over: its records become read-only."""
    require(actor, CLOSE_YEAR)
    county = _actor_county(actor)
    if getattr(actor.institution, "area_id", None) != county.pk:
        raise ValidationError(_("Only the county health bureau or health supervision institute can close a year."))
    year = _check_year(year)
    if year >= timezone.localdate().year:
        raise StateConflict({"year": _("Only a year that is over can be closed.")})
    with transaction.atomic():
        existing = YearClose.objects.select_for_update().filter(county=county, year=year).first()
        if existing is not None:
            if existing.is_reopened(timezone.now()) or existing.reopen_pending:
                with audited(actor, "year.close", existing, note=_("Year %(year)s closed again") % {"year": year}):
                    existing.reopened_until = None
                    existing.reopen_requested_at = None
                    existing.reopen_reason = ""
                    existing.closed_at = timezone.now()
                    existing.closed_by = actor
                    existing.save()
                return existing
            raise StateConflict(_("The year %(year)s is already closed.") % {"year": year})
        with audited(actor, "year.close", note=_("Year %(year)s closed and filed") % {"year": year}) as audit:
            closed = YearClose.objects.create(county=county, year=year, closed_at=timezone.now(), closed_by=actor)
            audit.obj = closed
    return closed


def year_reopen_request(*, actor: User, closed: YearClose, reason: str) -> YearClose:
    """Someone of the county asks to reopen a closed year, saying why."""
    require(actor, KEEP_DOCUMENTS)
    if not (closed.county.path.startswith(_actor_county(actor).path)):
        raise Http404
    reason = clean_text(reason, field="reopen_reason", limit=1000, required=True)
    with transaction.atomic():
        closed = YearClose.objects.select_for_update().select_related("county").get(pk=closed.pk)
        if closed.is_reopened(timezone.now()):
            raise StateConflict(_("This year is already reopened."))
        with audited(actor, "year.reopen_request", closed, note=_("Reopening requested")):
            closed.reopen_reason = reason
            closed.reopen_requested_at = timezone.now()
            closed.reopen_requested_by = actor
            closed.reopened_until = None
            closed.save()
    return closed


def year_reopen_grant(*, actor: User, closed: YearClose, until: datetime.date) -> YearClose:
    """The county grants a requested reopening until the end of ``until`` (at most 30 days ahead)."""
    require(actor, CLOSE_YEAR)
    if _actor_county(actor).pk != closed.county_id or getattr(actor.institution, "area_id", None) != closed.county_id:
        raise Http404
    today = timezone.localdate()
    if not isinstance(until, datetime.date) or until < today:
        raise ValidationError({"until": _("The end of the reopening cannot be before today.")})
    if until > today + datetime.timedelta(days=MAX_REOPEN_DAYS):
        raise ValidationError(
            {
                "until": ngettext(
                    "A year can be reopened for at most %(days)d day.",
                    "A year can be reopened for at most %(days)d days.",
                    MAX_REOPEN_DAYS,
                )
                % {"days": MAX_REOPEN_DAYS}
            }
        )
    with transaction.atomic():
        closed = YearClose.objects.select_for_update().get(pk=closed.pk)
        if closed.reopen_requested_at is None or closed.reopened_until is not None:
            raise StateConflict(_("There is no request for reopening waiting for approval."))
        with audited(
            actor,
            "year.reopen",
            closed,
            note=_("Reopening granted until %(date)s") % {"date": until.isoformat()},
        ):
            closed.reopened_until = datetime.datetime.combine(
                until + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
            )
            closed.save()
    return closed


# ---------------------------------------------------------------- year packages


def package_start(*, actor: User, area: Area, year: Any, id: uuid.UUID | None = None) -> YearPackage:
    """Start building the zip of an area's year in the background."""
    require(actor, EXPORT_ARCHIVE, area.path)
    if area.level < Level.COUNTY:
        raise ValidationError({"area": _("Choose a county, township or village.")})
    year = _check_year(year)
    require(actor, EXPORT_ARCHIVE)

    def make() -> YearPackage:
        with audited(actor, "year_package.start") as audit:
            package = YearPackage.objects.create(
                id=id or uuid.uuid4(), area=area, year=year, created_by=actor, status=PackageStatus.QUEUED
            )
            audit.obj = package
        from xieguan.archives.tasks import build_year_package_task

        transaction.on_commit(lambda: build_year_package_task.enqueue(str(package.pk)))
        return package

    package, _created = create_once(YearPackage, id, actor, make)
    return package
