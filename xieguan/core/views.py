"""Pages that belong to no domain: home, the audit log, health check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import audit_events_filtered, event_choices, with_change_rows
from xieguan.core.forms import DateInput
from xieguan.core.pagination import page_for_request
from xieguan.core.permissions import VIEW_AUDIT, require
from xieguan.core.registry import registry
from xieguan.core.scope import scope_path_for


def home(request: HttpRequest) -> HttpResponse:
    """The user's place in the tree and the panels the apps registered
    (what is due, the areas below)."""
    user: Any = request.user
    institution = user.institution
    now = timezone.now()
    panels = []
    for panel in registry.home:
        context = panel.context(user, now)
        if context is not None:
            panels.append({"template": panel.template, **context})
    return render(
        request,
        "core/home.html",
        {"institution": institution, "area": institution.area if institution else None, "panels": panels},
    )


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("User or record"), required=False, max_length=100)
    # The codes apps registered, grouped by app; read when the form is made,
    # after every app's ready().
    action = forms.ChoiceField(
        label=_("Event"), required=False, choices=lambda: [("", _("All events")), *event_choices()]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())


# Shown in red: a sign-in refused, an account locked (and the same rows
# written before events had codes).
DANGER_EVENTS = ("session.login_failed", "session.locked_out", "login_failed", "locked_out")


def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit log, scoped like every list (SPEC §12)."""
    require(request.user, VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    events = audit_events_filtered(
        request.user,
        q=data.get("q") or "",
        action=data.get("action") or "",
        since=data.get("since"),
        until=data.get("until"),
    )
    page = page_for_request(request, events, ordering=["-id"])
    with_change_rows(page.items)
    template = "core/_audit_rows.html" if request.htmx else "core/audit.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "scope_path": scope_path_for(request.user),
            "danger_events": DANGER_EVENTS,
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "time": timezone.localtime().isoformat()})
