"""The documents kept with a record, where the record is read: the unit
file's section (一户一档, last in the archive order) and the panel on the
pages of a campaign, an inspection, a complaint, a training and an
assessment (``{% attached_documents record %}``), each with the link to add
one for those who may."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from xieguan.archives.owners import owner_kind_of
from xieguan.archives.selectors import documents_of
from xieguan.core.permissions import KEEP_DOCUMENTS, can
from xieguan.core.registry import UnitFileSection, register, registry
from xieguan.core.scope import is_within

LIMIT = 100  # the panel's newest; the documents page lists them all, page by page


def documents_panel(user: Any, owner: Any) -> dict[str, Any] | None:
    """The record's documents the user may see (newest first, in one query),
    the page listing them and, for those who keep documents in the record's
    area, where to add one; None for a record documents cannot be kept with."""
    kind = owner_kind_of(ContentType.objects.get_for_model(type(owner)))
    if not kind or user is None:
        return None
    documents = list(documents_of(user, owner).order_by("-created_at", "-id")[: LIMIT + 1])
    return {
        "documents": documents[:LIMIT],
        "more": len(documents) > LIMIT,
        "kind": kind,
        "owner": owner,
        "may_add": can(user, KEEP_DOCUMENTS) and is_within(user, owner.area.path),
    }


def attached_documents(user: Any, owner: Any) -> tuple[str, dict[str, Any]] | None:
    found = documents_panel(user, owner)
    return None if found is None else ("archives/_attached.html", found)


def unit_file_context(user: Any, unit: Any, pdf: bool) -> dict[str, Any] | None:
    return documents_panel(user, unit)


registry.attached_documents = attached_documents
register(UnitFileSection("archives/_attached.html", 100, unit_file_context))
