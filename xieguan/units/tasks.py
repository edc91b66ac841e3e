"""Background work of the registry (run by `manage.py db_worker`): checking
and importing large Excel sheets, with progress saved on the batch."""

from __future__ import annotations

from django_tasks import task


@task()
def import_batch_check_task(batch_id: str) -> None:
    """Check a large uploaded sheet (see xieguan.units.imports.batch_check)."""
    from xieguan.units.imports import batch_check
    from xieguan.units.models import ImportBatch, ImportStatus

    batch = ImportBatch.objects.select_related("created_by", "category").filter(pk=batch_id).first()
    if batch is not None and batch.status == ImportStatus.PARSING:
        batch_check(batch)


@task()
def import_batch_import_task(batch_id: str) -> None:
    """Import a large confirmed sheet (see xieguan.units.imports.batch_import)."""
    from xieguan.units.imports import batch_import
    from xieguan.units.models import ImportBatch, ImportStatus

    batch = ImportBatch.objects.select_related("created_by", "category").filter(pk=batch_id).first()
    if batch is not None and batch.status == ImportStatus.IMPORTING:
        batch_import(batch)
