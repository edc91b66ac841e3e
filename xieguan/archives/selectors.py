"""Scoped reads of the archives."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from xieguan.archives.models import (
    Document,
    DocumentQuerySet,
    DocumentVersion,
    UpperDocument,
    UpperDocumentReceipt,
    YearClose,
    YearPackage,
)
from xieguan.archives.sections import archive_sections
from xieguan.areas.models import Area, Level
from xieguan.core.scope import NOTHING, get_object_for_user, is_within, scope_path_for

FIRST_ARCHIVE_YEAR = 2020
NO_INSTITUTION = "00000000-0000-0000-0000-000000000000"  # matches no receipt


# ---------------------------------------------------------------- documents


def documents_of(user: Any, owner: Any) -> DocumentQuerySet:
    """The documents kept with a record, as the user may see them."""
    return (
        Document.objects.for_list()
        .visible_to(user)
        .filter(owner_type=ContentType.objects.get_for_model(type(owner)), owner_id=owner.pk)
    )


def get_document_for_user(user: Any, pk: Any) -> Document:
    return get_object_for_user(Document.objects.for_list(), user, pk)


def get_version_for_user(user: Any, pk: Any) -> DocumentVersion:
    return get_object_for_user(DocumentVersion.objects.select_related("document", "uploaded_by"), user, pk)


# ---------------------------------------------------------------- documents from above


def upper_documents_for(user: Any) -> QuerySet[UpperDocument]:
    """Documents the user's area issued (or those below it did), and those it received."""
    path = scope_path_for(user)
    if path == NOTHING:
        return UpperDocument.objects.none()
    qs = UpperDocument.objects.all()
    if path:
        received = UpperDocumentReceipt.objects.filter(area__path__startswith=path).values("document_id")
        qs = qs.filter(Q(area__path__startswith=path) | Q(pk__in=received))
    own = UpperDocumentReceipt.objects.filter(
        document=OuterRef("pk"), institution_id=getattr(user, "institution_id", None) or NO_INSTITUTION
    )
    return qs.select_related("issuer", "issued_by").annotate(
        receipt_count=Count("receipts", distinct=True),
        read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False), distinct=True),
        own_receipt=Subquery(own.values("pk")[:1]),
        own_read_at=Subquery(own.values("read_at")[:1]),
        own_ack_at=Subquery(own.values("acknowledged_at")[:1]),
    )


def get_upper_for_user(user: Any, pk: Any) -> UpperDocument:
    try:
        return upper_documents_for(user).get(pk=pk)
    except (UpperDocument.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


def receipts_of(user: Any, document: UpperDocument) -> QuerySet[UpperDocumentReceipt]:
    """The copies of a document the user may see (an issuer: all of them)."""
    qs = UpperDocumentReceipt.objects.for_list().filter(document=document)
    if is_within(user, document.area.path) or scope_path_for(user) == "":
        return qs.order_by("area__path", "institution__name")
    return qs.visible_to(user).order_by("area__path", "institution__name")


def own_receipt(user: Any, document: UpperDocument) -> UpperDocumentReceipt | None:
    institution_id = getattr(user, "institution_id", None)
    if institution_id is None:
        return None
    return UpperDocumentReceipt.objects.for_list().filter(document=document, institution_id=institution_id).first()


def unread_receipts(user: Any) -> QuerySet[UpperDocumentReceipt]:
    """The documents the user's institution has still to read (or, with a deadline, to acknowledge)."""
    institution_id = getattr(user, "institution_id", None)
    if institution_id is None:
        return UpperDocumentReceipt.objects.none()
    return (
        UpperDocumentReceipt.objects.for_list()
        .filter(institution_id=institution_id)
        .filter(Q(read_at__isnull=True) | Q(document__ack_due__isnull=False, acknowledged_at__isnull=True))
        .order_by("document__issued_at", "pk")
    )


# ---------------------------------------------------------------- the archive


def county_of_user(user: Any) -> Area | None:
    institution = getattr(user, "institution", None)
    if institution is None or institution.area.level < Level.COUNTY:
        return None
    from xieguan.archives.locks import county_of

    return county_of(institution.area)


def years_for(user: Any) -> list[dict[str, Any]]:
    """The years of the user's county, newest first, with whether each is closed."""
    county = county_of_user(user)
    this_year = timezone.localdate().year
    closed = {c.year: c for c in YearClose.objects.filter(county=county)} if county else {}
    now = timezone.now()
    return [
        {
            "year": year,
            "closed": closed.get(year),
            "is_closed": year in closed and not closed[year].is_reopened(now),
        }
        for year in range(this_year, FIRST_ARCHIVE_YEAR - 1, -1)
    ]


def archive_root(user: Any) -> Area | None:
    """The area the user's archive starts at: their institution's (the county for those above it)."""
    institution = getattr(user, "institution", None)
    if institution is None:
        return None
    return institution.area


def archive_areas(user: Any, area: Area) -> list[Area]:
    """The areas one level below ``area`` that the user may browse."""
    if not is_within(user, area.path):
        raise Http404
    return list(Area.objects.filter(parent=area).order_by("code", "name"))


def section_counts(user: Any, area: Area, year: int) -> list[tuple[int, Any, int]]:
    """(index, section, number of records) for the area's year, in the archive order."""
    rows = []
    for index, section in enumerate(archive_sections(), start=1):
        qs = section.records(area, year)
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(user)
        rows.append((index, section, qs.count()))
    return rows


def section_records(user: Any, area: Area, year: int, index: int) -> tuple[Any, QuerySet[Any]]:
    sections = archive_sections()
    if not 1 <= index <= len(sections):
        raise Http404
    section = sections[index - 1]
    qs = section.records(area, year)
    if hasattr(qs, "visible_to"):
        qs = qs.visible_to(user)
    return section, qs


def packages_for(user: Any) -> QuerySet[YearPackage]:
    return YearPackage.objects.for_list().visible_to(user)


def get_package_for_user(user: Any, pk: Any) -> YearPackage:
    return get_object_for_user(YearPackage.objects.for_list(), user, pk)


def get_year_close(user: Any, year: int) -> YearClose | None:
    county = county_of_user(user)
    return YearClose.objects.filter(county=county, year=year).select_related("county").first() if county else None


def parse_year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not FIRST_ARCHIVE_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


def today() -> datetime.date:
    return timezone.localdate()
