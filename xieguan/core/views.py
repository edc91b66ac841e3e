"""Pages that belong to no domain: home, the audit log, health check."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.permissions import VIEW_AUDIT, require
from xieguan.areas.models import Area
from xieguan.core.audit import change_rows
from xieguan.core.forms import DateInput
from xieguan.core.models import AuditEvent
from xieguan.core.pagination import page_for_request
from xieguan.core.scope import scope_path_for


def home(request: HttpRequest) -> HttpResponse:
    """The user's place in the tree and what lies directly below it."""
    user = request.user
    institution = user.institution
    area = institution.area if institution else None
    children = (
        Area.objects.visible_to(user).filter(parent=area).active().order_by("code", "name")
        if area is not None
        else Area.objects.filter(parent__isnull=True).order_by("name")
    )
    return render(request, "core/home.html", {"institution": institution, "area": area, "children": children})


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("User or record"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditEvent.Action.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())


def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit log, scoped like every list (SPEC §12)."""
    require(request.user, VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.visible_to(request.user).select_related(None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            from django.db.models import Q

            events = events.filter(Q(actor_username__icontains=data["q"]) | Q(object_repr__icontains=data["q"]))
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
    page = page_for_request(request, events, ordering=["-id"])
    for event in page.items:
        event.change_rows = change_rows(event)
    template = "core/_audit_rows.html" if request.htmx else "core/audit.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "scope_path": scope_path_for(request.user),
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "time": datetime.datetime.now(datetime.UTC).isoformat()})
