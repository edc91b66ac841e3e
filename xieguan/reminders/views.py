"""Pages of reminders: the inbox, the whole due list, the county's settings and send log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.areas.models import Area, Level
from xieguan.core.pagination import page_for_request
from xieguan.core.permissions import can
from xieguan.reminders import services
from xieguan.reminders.due import due_list, is_leader, rollup
from xieguan.reminders.forms import ChannelForm, RuleForm
from xieguan.reminders.models import ReminderStatus
from xieguan.reminders.rules import county_of_person, rule_for
from xieguan.reminders.selectors import INBOX_ORDERING, LOG_ORDERING, channels_of, inbox_of, send_log
from xieguan.reminders.services import CONFIGURE_REMINDERS


def inbox(request: HttpRequest) -> HttpResponse:
    """The person's messages, newest first, unread marked."""
    page = page_for_request(request, inbox_of(request.user), ordering=INBOX_ORDERING)
    unread = inbox_of(request.user, unread=True).count()
    return render(request, "reminders/inbox.html", {"page": page, "unread": unread})


@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id") or None
    if ids is not None:
        from xieguan.core.pickers import as_uuid

        ids = [u for u in (as_uuid(i) for i in ids) if u is not None]
    services.reminders_mark_read(actor=request.user, ids=ids)
    return redirect("reminders:inbox")


def due_page(request: HttpRequest) -> HttpResponse:
    """The whole due list, and a leader's people rolled up."""
    now = timezone.now()
    entries = due_list(request.user, now)
    people = rollup(request.user, now) if is_leader(request.user) else []
    return render(request, "reminders/due.html", {"entries": entries, "people": people, "now": now})


def _county_for(request: HttpRequest) -> Area:
    user: Any = request.user
    if not can(user, CONFIGURE_REMINDERS):
        raise PermissionDenied(_("Your role cannot configure reminders."))
    institution = getattr(user, "institution", None)
    if institution is not None and institution.area.level == Level.COUNTY:
        return institution.area
    county = county_of_person(user)
    if county is None:
        raise Http404
    return county


def _areas(county: Area) -> list[Area]:
    return [county, *Area.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code", "name")]


def settings_page(request: HttpRequest) -> HttpResponse:
    """The county's reminder rule, its channels (secrets never shown) and the send log."""
    county = _county_for(request)
    rule = rule_for(county)
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                services.reminder_rule_save(actor=request.user, county=county, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Reminder rule saved."))
                return redirect("reminders:settings")
    else:
        form = RuleForm(
            initial={
                "kinds": rule.kinds,
                "channels": rule.channels,
                "lead_days": rule.lead_days,
                "quiet_start": rule.quiet_start,
                "quiet_end": rule.quiet_end,
                "escalate_after_days": rule.escalate_after_days,
                "expiry_days": rule.expiry_days,
                "digest": rule.digest,
            }
        )
    return _settings(request, county, form, ChannelForm(areas=_areas(county)))


def _settings(
    request: HttpRequest, county: Area, form: RuleForm, channel_form: ChannelForm, status: int = 200
) -> HttpResponse:
    log = page_for_request(request, send_log(request.user, status=request.GET.get("status", "")), ordering=LOG_ORDERING)
    return render(
        request,
        "reminders/settings.html",
        {
            "county": county,
            "form": form,
            "channel_form": channel_form,
            "channels": channels_of(request.user).filter(area__path__startswith=county.path),
            "log": log,
            "statuses": ReminderStatus.choices,
            "status": request.GET.get("status", ""),
        },
        status=status,
    )


@require_POST
def channel_save(request: HttpRequest) -> HttpResponse:
    county = _county_for(request)
    channel_form = ChannelForm(request.POST, areas=_areas(county))
    if channel_form.is_valid():
        data = channel_form.cleaned_data
        try:
            services.reminder_channel_save(
                actor=request.user,
                area=channel_form.areas[data["area"]],
                kind=data["kind"],
                url=data["url"],
                secret=data["secret"],
                template=data["template"],
                signature=data["signature"],
                enabled=data["enabled"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                channel_form.add_error(field if field in channel_form.fields else None, errors)
        else:
            messages.success(request, _("Reminder channel saved."))
            return redirect(reverse("reminders:settings") + "#channels")
    rule = rule_for(county)
    form = RuleForm(
        initial={
            "lead_days": rule.lead_days,
            "quiet_start": rule.quiet_start,
            "quiet_end": rule.quiet_end,
            "escalate_after_days": rule.escalate_after_days,
            "expiry_days": rule.expiry_days,
        }
    )
    return _settings(request, county, form, channel_form, status=422)
