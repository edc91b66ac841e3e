"""Pages of the archives: documents kept with records, documents from
above, the archive by year, closing a year and the year package."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts.permissions import CLOSE_YEAR, EXPORT_ARCHIVE, ISSUE_DOCUMENTS, KEEP_DOCUMENTS, can, require
from xieguan.archives import selectors, services
from xieguan.archives.files import CONTENT_TYPES, PREVIEWABLE
from xieguan.archives.forms import (
    DocumentUploadForm,
    ReopenGrantForm,
    ReopenRequestForm,
    UpperDocumentForm,
    VersionUploadForm,
)
from xieguan.archives.models import PackageStatus
from xieguan.archives.owners import owner_for_user, owner_label
from xieguan.areas.models import Area
from xieguan.core.documents import download_header, download_name
from xieguan.core.form_pages import service_action, service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import open_stored
from xieguan.core.scope import get_object_for_user, is_within


def _file_response(stored: Any, *, kind: str, name: str, inline: bool) -> FileResponse:
    response = FileResponse(open_stored(stored), content_type=CONTENT_TYPES.get(kind, "application/octet-stream"))
    response["Content-Disposition"] = download_header(name, inline=inline)
    response["Cache-Control"] = "private, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- documents


def _upload(request: HttpRequest, form: Any, owner: Any, message: str, **arguments: Any) -> HttpResponse | None:
    """A POST of a document or version upload form: the file kept (with the
    form's title) and back to the page; else None, the refusal on the form."""
    require(request.user, KEEP_DOCUMENTS, owner.area.path)
    assert form is not None
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.document_upload(actor=request.user, upload=data.pop("file"), **data, **arguments)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(request.path)
    return None


def documents(request: HttpRequest, kind: str, owner_id: str) -> HttpResponse:
    """The documents kept with a record, and the form to add one."""
    owner = owner_for_user(kind, owner_id, request.user) if kind else None
    if owner is None:
        raise Http404
    qs = selectors.documents_of(request.user, owner)
    allowed = can(request.user, KEEP_DOCUMENTS) and is_within(request.user, owner.area.path)
    form = DocumentUploadForm(request.POST or None, request.FILES or None) if allowed else None
    if request.method == "POST":
        message = _("The document has been uploaded.")
        if uploaded := _upload(request, form, owner, message, owner_kind=kind, owner_id=owner.pk):
            return uploaded
    return render(
        request,
        "archives/documents.html",
        {
            "owner": owner,
            "kind": kind,
            "kind_label": owner_label(kind),
            "form": form,
            "page": page_for_request(request, qs, ordering=["-created_at", "-id"]),
        },
        status=422 if form is not None and form.errors else 200,
    )


def document_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """A document's versions (newest first), a preview of the current one, and a new version."""
    document = selectors.get_document_for_user(request.user, pk)
    versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
    allowed = can(request.user, KEEP_DOCUMENTS) and is_within(request.user, document.area.path)
    form = VersionUploadForm(request.POST or None, request.FILES or None) if allowed else None
    if request.method == "POST":
        message = _("The new version has been uploaded.")
        if uploaded := _upload(request, form, document, message, owner_kind="", owner_id=None, document=document):
            return uploaded
    current = document.current
    return render(
        request,
        "archives/document.html",
        {
            "document": document,
            "versions": versions,
            "form": form,
            "current": current,
            "preview": current is not None and current.kind in PREVIEWABLE,
        },
        status=422 if form is not None and form.errors else 200,
    )


def version_file(request: HttpRequest, pk: str) -> FileResponse:
    """A version's file: shown in the browser (PDF, images) or downloaded (Word, Excel)."""
    version = selectors.get_version_for_user(request.user, pk)
    inline = version.kind in PREVIEWABLE and request.GET.get("download") != "1"
    return _file_response(version.file, kind=version.kind, name=version.original_name, inline=inline)


# ---------------------------------------------------------------- documents from above


def upper_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.upper_documents_for(request.user)
    return render(
        request,
        "archives/upper_list.html",
        {
            "page": page_for_request(request, qs, ordering=["-issued_at", "-id"]),
            "can_issue": can(request.user, ISSUE_DOCUMENTS),
        },
    )


def upper_create(request: HttpRequest) -> HttpResponse:
    require(request.user, ISSUE_DOCUMENTS)
    return service_form_page(
        request,
        form_class=UpperDocumentForm,
        form_kwargs={"user": request.user},
        service=lambda form: services.upper_document_issue(
            actor=request.user,
            title=form.cleaned_data["title"],
            number=form.cleaned_data["number"],
            body=form.cleaned_data["body"],
            targets=list(form.cleaned_data["targets"]),
            ack_due=form.cleaned_data["ack_due"],
            upload=form.cleaned_data["upload"],
        ),
        success_url=lambda doc: reverse("archives:upper_detail", args=[doc.pk]),
        message=_("The document has been issued."),
        title=_("Issue a document"),
        cancel_url=reverse("archives:upper_list"),
    )


def upper_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The document; a reader of a receiving institution is recorded as having read it;
    the issuer sees every institution's reading and acknowledgement."""
    document = selectors.get_upper_for_user(request.user, pk)
    receipt = selectors.own_receipt(request.user, document)
    if receipt is not None and receipt.read_at is None:
        receipt = services.receipt_read(actor=request.user, receipt=receipt)
    receipts = list(selectors.receipts_of(request.user, document))
    return render(
        request,
        "archives/upper_detail.html",
        {
            "document": document,
            "receipt": receipt,
            "receipts": receipts,
            "unread": [r for r in receipts if r.read_at is None],
            "is_issuer": is_within(request.user, document.area.path),
        },
    )


@require_POST
def upper_acknowledge(request: HttpRequest, pk: str) -> HttpResponse:
    document = selectors.get_upper_for_user(request.user, pk)
    receipt = selectors.own_receipt(request.user, document)
    if receipt is None:
        raise Http404
    service_action(request, services.receipt_acknowledge, _("Acknowledged."), receipt=receipt)
    return redirect("archives:upper_detail", pk=document.pk)


def upper_file(request: HttpRequest, pk: str) -> FileResponse:
    document = selectors.get_upper_for_user(request.user, pk)
    if not document.file:
        raise Http404
    inline = document.file_kind in PREVIEWABLE
    return _file_response(document.file, kind=document.file_kind, name=document.file_name or _("file"), inline=inline)


# ---------------------------------------------------------------- the archive by year


def archive_index(request: HttpRequest) -> HttpResponse:
    """The years of the county, closed or not, with closing and reopening."""
    return render(
        request,
        "archives/index.html",
        {
            "years": selectors.years_for(request.user),
            "root": selectors.archive_root(request.user),
            "can_close": can(request.user, CLOSE_YEAR),
            "can_request": can(request.user, KEEP_DOCUMENTS),
            "packages": list(selectors.packages_for(request.user).order_by("-created_at", "-id")[:10]),
        },
    )


def _area_for(request: HttpRequest, area_id: str | None) -> Area:
    root = selectors.archive_root(request.user)
    if area_id is None:
        if root is None:
            raise Http404
        return root
    return get_object_for_user(Area.objects.all(), request.user, area_id)


def archive_year(request: HttpRequest, year: int, area_id: str | None = None) -> HttpResponse:
    """An area's year: the areas below it to open, and its sections with their counts."""
    year = selectors.parse_year(year)
    area = _area_for(request, area_id)
    closed = selectors.get_year_close(request.user, year)
    return render(
        request,
        "archives/year.html",
        {
            "year": year,
            "area": area,
            "closed": closed,
            "children": selectors.archive_areas(request.user, area),
            "sections": selectors.section_counts(request.user, area, year),
            "can_export": can(request.user, EXPORT_ARCHIVE),
            "request_form": ReopenRequestForm(),
            "grant_form": ReopenGrantForm(),
            "can_close": can(request.user, CLOSE_YEAR),
            "can_request": can(request.user, KEEP_DOCUMENTS),
        },
    )


def archive_section(request: HttpRequest, year: int, area_id: str, index: int) -> HttpResponse:
    year = selectors.parse_year(year)
    area = _area_for(request, area_id)
    section, qs = selectors.section_records(request.user, area, year, index)
    page = page_for_request(request, qs, ordering=["-created_at", "-id"])
    from xieguan.archives.sections import record_date, record_label

    rows = [
        (record_label(r), record_date(r), r.get_absolute_url() if hasattr(r, "get_absolute_url") else "")
        for r in page.items
    ]
    return render(
        request,
        "archives/section.html",
        {"year": year, "area": area, "section": section, "page": page, "rows": rows, "index": index},
    )


@require_POST
def year_close(request: HttpRequest, year: int) -> HttpResponse:
    message = _("The year %(year)s is closed and filed: its records are read-only.") % {"year": year}
    service_action(request, services.year_close, message, year=year)
    return redirect("archives:index")


@require_POST
def year_reopen_request(request: HttpRequest, year: int) -> HttpResponse:
    closed = selectors.get_year_close(request.user, selectors.parse_year(year))
    if closed is None:
        raise Http404
    form = ReopenRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening."))
    else:
        message = _("Reopening requested; waiting for the county's approval.")
        service_action(
            request, services.year_reopen_request, message, closed=closed, reason=form.cleaned_data["reason"]
        )
    return redirect("archives:year", year=closed.year)


@require_POST
def year_reopen_grant(request: HttpRequest, year: int) -> HttpResponse:
    closed = selectors.get_year_close(request.user, selectors.parse_year(year))
    if closed is None:
        raise Http404
    form = ReopenGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date until which the year is open."))
    else:
        service_action(
            request,
            services.year_reopen_grant,
            _("Reopening approved."),
            closed=closed,
            until=form.cleaned_data["until"],
        )
    return redirect("archives:year", year=closed.year)


# ---------------------------------------------------------------- year packages


@require_POST
def package_start(request: HttpRequest, year: int, area_id: str) -> HttpResponse:
    area = _area_for(request, area_id)
    package = service_action(request, services.package_start, area=area, year=selectors.parse_year(year))
    if package is None:
        return redirect("archives:year_area", year=year, area_id=area.pk)
    return redirect("archives:package", pk=package.pk)


def package_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The package's progress (polled by htmx while it is built) and its download."""
    package = selectors.get_package_for_user(request.user, pk)
    running = package.status in (PackageStatus.QUEUED, PackageStatus.RUNNING)
    template = "archives/_package_progress.html" if request.htmx else "archives/package.html"  # type: ignore[attr-defined]
    return render(request, template, {"package": package, "running": running})


def package_download(request: HttpRequest, pk: str) -> FileResponse:
    package = selectors.get_package_for_user(request.user, pk)
    if package.status != PackageStatus.DONE or not package.file:
        raise Http404
    response = FileResponse(open_stored(package.file), content_type="application/zip")
    name = download_name(_("Year archive"), package.area.name, _("Year %(year)s") % {"year": package.year}, ext="zip")
    response["Content-Disposition"] = download_header(name)
    response["Content-Length"] = str(package.size)
    return response
