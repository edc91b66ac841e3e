"""Pages for publicity records (SPEC §7): list, record, read, what is due."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xieguan.accounts.permissions import RECORD_OUTREACH, can, require
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import BadCursor, keyset_page
from xieguan.outreach import services
from xieguan.outreach.forms import OutreachRecordForm
from xieguan.outreach.models import Outreach
from xieguan.outreach.selectors import get_outreach_for_user, publicity_due

ORDERING = ["-date", "-id"]


@login_required
def outreach_list(request: HttpRequest) -> HttpResponse:
    """Publicity records in the user's area, newest first."""
    qs = Outreach.objects.visible_to(request.user).for_list()
    try:
        page = keyset_page(qs, ordering=ORDERING, cursor=request.GET.get("after"))
    except BadCursor:
        page = keyset_page(qs, ordering=ORDERING)
    return render(request, "outreach/list.html", {"page": page, "can_record": can(request.user, RECORD_OUTREACH)})


@login_required
@require_http_methods(["GET", "POST"])
def outreach_create(request: HttpRequest) -> HttpResponse:
    require(request.user, RECORD_OUTREACH)
    form = OutreachRecordForm(request.POST or None, user=request.user, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.outreach_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Publicity record saved."))
            return redirect("outreach:detail", pk=record.pk)
    return render(request, "outreach/form.html", {"form": form})


@login_required
def outreach_detail(request: HttpRequest, pk: str) -> HttpResponse:
    record = get_outreach_for_user(request.user, pk)
    return render(request, "outreach/detail.html", {"record": record})


@login_required
def outreach_due(request: HttpRequest) -> HttpResponse:
    """Each township's publicity per quarter: done, due or overdue."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = max(2000, min(year, today.year + 1))
    rows = publicity_due(request.user, year=year, today=today)
    return render(request, "outreach/due.html", {"rows": rows, "year": year, "quarters": [1, 2, 3, 4]})
