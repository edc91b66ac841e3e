"""The demo's clock: demo records happen in the past, never after the
moment they are loaded (issue 20 item 3: records stamped hours after the
present, when the demo was loaded in the morning and a record of today was
set at 16:30)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def past(at: datetime.datetime) -> datetime.datetime:
    """``at``, or now if ``at`` is later. Clamping each moment keeps their
    order (a record's steps stay in sequence), only squeezed up to now."""
    now = timezone.now()
    return at if at <= now else now
