"""API: the field app's one read (SPEC §13). Its writes are the reports,
outreach and inspections endpoints, each idempotent on the phone's UUID and
each photo endpoint on the photo's sha256."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from xieguan.core.api import ErrorOut
from xieguan.field.schemas import BootstrapOut
from xieguan.field.selectors import field_bootstrap

router = Router(tags=["field"])


@router.get("/bootstrap", response={200: BootstrapOut, 304: None, 401: ErrorOut})
def bootstrap(request: HttpRequest) -> Any:
    """The caller's own scope for offline work: their areas and units, what
    is due this month, published checklists, report categories, publicity
    forms. The phone stores it and fetches it again whenever it is online;
    with ``If-None-Match`` set to the last ``ETag`` an unchanged scope
    answers 304 with no body (the browser's cache does this by itself)."""
    body = BootstrapOut.model_validate(field_bootstrap(request.user, today=timezone.localdate())).model_dump_json()
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response
