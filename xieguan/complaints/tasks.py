"""Background work of the complaints app, run periodically by the worker
(``xieguan.core.periodic``) and by hand with `manage.py prune_complaint_uploads`."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from xieguan.complaints.models import PendingUpload
from xieguan.complaints.services import PENDING_LIFETIME, pending_uploads_discard


def pending_photos_prune(*, older_than: datetime.timedelta = PENDING_LIFETIME) -> int:
    """Delete the photos kept for a complaint form that was never sent
    again (each through its record, audited); after a day the form no
    longer finds them anyway. Returns how many."""
    cutoff = timezone.now() - older_than
    note = _("kept photo never sent: removed after a day")
    removed = 0
    while True:
        # In batches rather than over one open cursor: the rows go as we walk.
        batch = list(PendingUpload.objects.filter(created_at__lt=cutoff).order_by("created_at", "id")[:500])
        if not batch:
            return removed
        removed += pending_uploads_discard(uploads=batch, note=note)


@task()
def pending_photos_prune_task() -> int:
    """``pending_photos_prune`` as the worker's periodic job."""
    return pending_photos_prune()
