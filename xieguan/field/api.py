"""API: the field app's one read (SPEC §13). Its writes are the reports,
outreach and inspections endpoints, each idempotent on the phone's UUID and
each photo endpoint on the photo's sha256."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from xieguan.core.api import ErrorOut
from xieguan.field.schemas import BootstrapOut
from xieguan.field.selectors import field_bootstrap

router = Router(tags=["field"])


@router.get("/bootstrap", response={200: BootstrapOut, 401: ErrorOut})
def bootstrap(request: HttpRequest) -> Any:
    """The caller's own scope for offline work: their areas and units, what
    is due this month, published checklists, report categories, publicity
    forms. The phone stores it and fetches it again whenever it is online."""
    return field_bootstrap(request.user, today=timezone.localdate())
