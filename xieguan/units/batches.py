"""An uploaded sheet of units through its life (SPEC §3): stored and checked
(a large sheet in the background), confirmed and imported, or cancelled.
The parsing and checking is imports.py; the background work tasks.py."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from xieguan.core.audit import audited
from xieguan.core.errors import StateConflict
from xieguan.core.permissions import MANAGE_UNITS, require
from xieguan.core.tabular import BadFile
from xieguan.units import imports, tasks
from xieguan.units.models import Category, ImportBatch, ImportStatus

if TYPE_CHECKING:
    from xieguan.accounts.models import User


def import_batch_create(*, actor: User, category: Category, upload: Any, id: uuid.UUID | None = None) -> ImportBatch:
    """Store an uploaded sheet of units and check it: a small sheet at once,
    a large one (more than BACKGROUND_ROWS rows) in the background, its
    progress saved on the batch. A file that is no readable sheet raises
    ValidationError on ``file`` and stores nothing. Idempotent on ``id``."""
    require(actor, MANAGE_UNITS)
    if not isinstance(category, Category):
        raise ValidationError({"category": [_("Choose the unit's category.")]})
    existing = None
    if id is not None:
        existing = ImportBatch.objects.visible_to(actor).filter(pk=id).first()
        if existing is None and ImportBatch.objects.filter(pk=id).exists():
            raise Http404
    if existing is not None:
        return existing
    name = str(getattr(upload, "name", "") or "")[:255]
    try:
        table = imports.read_rows(upload, name=name)
    except BadFile as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    upload.seek(0)
    rows = len(table)
    with transaction.atomic(), audited(actor, "unit_import.upload", fields=["original_name", "category"]) as audit:
        batch = audit.obj = ImportBatch(
            id=id or uuid.uuid4(),
            created_by=actor,
            area=imports.scope_area_of(actor),
            category=category,
            original_name=Path(name).name,
            total=rows,
        )
        # The stored name is the server's: the batch's id and the kind the
        # content was read as, never the sender's file name.
        upload.seek(0)
        suffix = ".xlsx" if upload.read(2) == b"PK" else ".csv"
        upload.seek(0)
        batch.file.save(f"{batch.pk}{suffix}", upload, save=False)
        batch.save()
        if rows > imports.BACKGROUND_ROWS:
            batch_id = str(batch.pk)
            transaction.on_commit(lambda: tasks.import_batch_check_task.enqueue(batch_id))
    if rows <= imports.BACKGROUND_ROWS:
        batch = imports.batch_check(batch)
    return batch


def import_batch_confirm(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Import a checked batch: every row or none. Confirming again, or while
    it runs, changes nothing (idempotent). A large batch runs in the
    background. Only a batch with no errors can be confirmed."""
    require(actor, MANAGE_UNITS, batch.area.path if batch.area else None)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("created_by", "category").get(pk=batch.pk)
        if batch.status in (ImportStatus.IMPORTED, ImportStatus.IMPORTING):
            return batch
        if batch.status != ImportStatus.READY:
            raise StateConflict({"batch": [_("Only a checked sheet without errors can be imported.")]})
        batch.status = ImportStatus.IMPORTING
        batch.done = 0
        batch.save(update_fields=["status", "done", "updated_at"])
        background = batch.total > imports.BACKGROUND_ROWS
        if background:
            batch_id = str(batch.pk)
            transaction.on_commit(lambda: tasks.import_batch_import_task.enqueue(batch_id))
    if not background:
        batch = imports.batch_import(batch, actor=actor)
    else:
        batch.refresh_from_db()
    return batch


def import_batch_cancel(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Drop a batch that was not imported; cancelling again changes nothing."""
    require(actor, MANAGE_UNITS, batch.area.path if batch.area else None)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportStatus.CANCELLED:
            return batch
        if batch.status in (ImportStatus.IMPORTED, ImportStatus.IMPORTING):
            raise ValidationError({"batch": [_("This sheet has already been imported; it cannot be cancelled.")]})
        with audited(actor, "unit_import.cancel", batch, fields=["status"]):
            batch.status = ImportStatus.CANCELLED
            batch.save(update_fields=["status", "updated_at"])
    return batch
