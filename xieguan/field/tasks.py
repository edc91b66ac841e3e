"""Background work of the field app, run periodically by the worker
(``settings.PERIODIC_TASKS``, ``manage.py run_periodic``)."""

from __future__ import annotations

from django_tasks import task

from xieguan.field.services import uploads_prune


@task()
def uploads_prune_task() -> int:
    """Remove expired resumable uploads and their partial bytes
    (``uploads_prune``); returns how many."""
    return uploads_prune()
