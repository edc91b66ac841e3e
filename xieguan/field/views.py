"""The field app's pages (SPEC §13): one shell page under /m/ that works
offline, its service worker (served from /m/ so that its scope is /m/), its
manifest, and the bearer token the phone uses for the JSON API."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from xieguan.accounts.permissions import RECORD_INSPECTION, RECORD_STATION_VISIT, can
from xieguan.accounts.services import token_issue
from xieguan.assessments.models import VisitKind
from xieguan.inspections.models import Answer, OverallResult
from xieguan.outreach.models import OutreachForm

# The field app's ES modules, main.js first; the shell preloads them all so
# that a slow first load does not discover them one import at a time.
# core/geo.js and core/signature.js are shared with the desktop pages.
FIELD_MODULES = (
    "field/main.js",
    "field/shell.js",
    "field/outbox.js",
    "field/records.js",
    "field/sync.js",
    "field/photo.js",
    "field/forms.js",
    "field/inspection-form.js",
    "field/home.js",
    "core/geo.js",
    "core/signature.js",
)
# What the service worker keeps so that /m/ opens with no signal.
SHELL_STATIC = (*FIELD_MODULES, "field/field.css", "field/icon-192.png", "field/icon-512.png")


def shell(request: HttpRequest) -> HttpResponse:
    """The one page of the field app; the script fills it from IndexedDB."""
    return render(
        request,
        "field/shell.html",
        {
            "outreach_forms": OutreachForm.choices,
            # The same words as the web pages: one set for results and answers.
            "overall_results": OverallResult.choices,
            "answers": Answer.choices,
            "guidance": OutreachForm.GUIDANCE,
            # Village information officers report and educate; inspections
            # are the co-managers' (and supervisors') work.
            "may_inspect": can(request.user, RECORD_INSPECTION),
            # Station visits (督导): the institute's and the townships' staff.
            "may_visit": can(request.user, RECORD_STATION_VISIT),
            "visit_kinds": VisitKind.choices,
            "modules": FIELD_MODULES[1:],
        },
    )


def _read(name: str) -> bytes:
    found = finders.find(name)
    if not found:
        return b""
    return Path(str(found)).read_bytes()


@cache
def _worker_source(debug: bool) -> bytes:
    shell_urls = [reverse("field:shell"), reverse("field:manifest")] + [
        staticfiles_storage.url(name) for name in SHELL_STATIC
    ]
    body = _read("field/sw.js")
    digest = hashlib.sha256(body + json.dumps(shell_urls).encode())
    for name in SHELL_STATIC:
        digest.update(_read(name))
    head = f"const SHELL = {json.dumps(shell_urls)};\nconst VERSION = {json.dumps(digest.hexdigest()[:12])};\n"
    return head.encode() + body


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with the shell's (fingerprinted) addresses and a
    version that changes whenever one of those files does."""
    if settings.DEBUG:
        _worker_source.cache_clear()
    response = HttpResponse(_worker_source(settings.DEBUG), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:shell")
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installable, opens /m/ standalone."""
    start = reverse("field:shell")
    body = {
        "name": _("Health Supervision Co-management · Field"),
        "short_name": _("Field work"),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "lang": "zh-CN",
        "icons": [
            {"src": staticfiles_storage.url("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": staticfiles_storage.url("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8")


@login_not_required
@never_cache
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """A bearer token for the signed-in user (the phone keeps it to send
    when the page's session cannot be used: from the outbox, later)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in first.")}, status=401)
    issued, key = token_issue(user=request.user)  # type: ignore[arg-type]
    return JsonResponse({"token": key, "expires_at": timezone.localtime(issued.expires_at).isoformat()})
