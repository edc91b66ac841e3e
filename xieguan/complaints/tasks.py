"""Background work of the complaints app (run by cron through
`manage.py prune_complaint_uploads`, like `prune_audit`)."""

from __future__ import annotations

import datetime

from django.core.files.storage import default_storage
from django.utils import timezone

from xieguan.complaints.services import PENDING_DIR


def pending_photos_prune(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete photos kept for a public form that was never sent again; after
    a day their token no longer loads them anyway. Returns how many."""
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    removed = 0
    for name in files:
        path = PENDING_DIR + name
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
