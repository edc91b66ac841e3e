"""API: the caller's due list, their inbox, and the county's reminder channels."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from xieguan.areas.models import Area
from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.pagination import keyset_list, keyset_page
from xieguan.core.scope import get_object_for_user, is_within
from xieguan.reminders import services
from xieguan.reminders.due import due_list, entry_json
from xieguan.reminders.models import ReminderChannel
from xieguan.reminders.rules import county_of_person, rule_for
from xieguan.reminders.schemas import (
    DueOut,
    ReadIn,
    ReadOut,
    ReminderChannelIn,
    ReminderChannelOut,
    ReminderOut,
    ReminderRuleIn,
    ReminderRuleOut,
    SendLogOut,
)
from xieguan.reminders.selectors import INBOX_ORDERING, LOG_ORDERING, channels_of, inbox_of, send_log

due_router = Router(tags=["reminders"])
router = Router(tags=["reminders"])
channel_router = Router(tags=["reminders"])
rule_router = Router(tags=["reminders"])
log_router = Router(tags=["reminders"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@due_router.get("", response={200: list[DueOut], **ERRORS})
def due(request: HttpRequest) -> Any:
    """Everything due for the caller from every app, soonest first, each with its due time
    on the county's working-day calendar, the person responsible and a link."""
    return [entry_json(e) for e in due_list(request.user, timezone.now())]


@router.get("", response={200: ListOut[ReminderOut], **ERRORS})
def reminder_list(
    request: HttpRequest, unread: bool | None = None, after: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> Any:
    """The caller's in-app messages, newest first; ``unread`` filters by read state."""
    return keyset_list(inbox_of(request.user, unread=unread), ordering=INBOX_ORDERING, cursor=after, size=limit)


@router.post("/read", response={200: ReadOut, **ERRORS})
def reminder_read(request: HttpRequest, payload: ReadIn) -> Any:
    """Mark the caller's messages read (idempotent: read ones stay read)."""
    return {"marked": services.reminders_mark_read(actor=request.user, ids=payload.ids)}


def _channel_out(c: ReminderChannel) -> dict[str, Any]:
    return {
        "id": c.pk,
        "area_id": c.area_id,
        "area": c.area.name,
        "kind": c.kind,
        "url": c.url,
        "has_secret": c.has_secret,
        "template": c.template,
        "signature": c.signature,
        "enabled": c.enabled,
    }


@channel_router.get("", response={200: ListOut[ReminderChannelOut], **ERRORS})
def channel_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """The reminder channels of the caller's area; secrets are never returned."""
    page = keyset_page(channels_of(request.user), ordering=["area__path", "kind", "id"], cursor=after, size=limit)
    return {"items": [_channel_out(c) for c in page.items], "next": page.next_cursor}


@channel_router.post("", response={200: ReminderChannelOut, **ERRORS})
def channel_save(request: HttpRequest, payload: ReminderChannelIn) -> Any:
    """Create or change the channel of ``kind`` of a county or township (one per area and kind);
    a secret sent is stored and never shown back."""
    area = get_object_for_user(Area, request.user, payload.area_id)
    channel = services.reminder_channel_save(actor=request.user, **payload.dict(exclude={"area_id"}), area=area)
    return _channel_out(channel)


def _rule_out(rule: Any) -> dict[str, Any]:
    return {
        "county_id": rule.county_id,
        "kinds": rule.kinds or [],
        "channels": rule.channels or [],
        "lead_days": rule.lead_days,
        "quiet_start": rule.quiet_start,
        "quiet_end": rule.quiet_end,
        "escalate_after_days": rule.escalate_after_days,
        "expiry_days": rule.expiry_days,
        "digest": rule.digest,
    }


def _county(request: HttpRequest) -> Area:
    county = county_of_person(request.user)
    if county is None:
        from django.http import Http404

        raise Http404
    return county


@rule_router.get("", response={200: ReminderRuleOut, **ERRORS})
def rule_get(request: HttpRequest) -> Any:
    """The reminder rule of the caller's county (the defaults until it saves one)."""
    return _rule_out(rule_for(_county(request)))


@rule_router.put("", response={200: ReminderRuleOut, **ERRORS})
def rule_put(request: HttpRequest, payload: ReminderRuleIn) -> Any:
    """Save the reminder rule of the caller's county: its bureau or
    institute (403 for a caller whose area lies within the county)."""
    county = _county(request)
    if not is_within(request.user, county.path):
        raise PermissionDenied(_("The reminder rule is the county's; it is set by the county, not from within it."))
    return _rule_out(services.reminder_rule_save(actor=request.user, county=county, **payload.dict()))


@log_router.get("", response={200: ListOut[SendLogOut], **ERRORS})
def log_list(
    request: HttpRequest, status: str = "", after: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> Any:
    """The send log of the caller's area: every e-mail, SMS and WeCom message with its status, newest first."""
    page = keyset_page(send_log(request.user, status=status), ordering=LOG_ORDERING, cursor=after, size=limit)
    return {
        "items": [
            {
                "id": r.pk,
                "person": r.person.full_name or r.person.username,
                "channel": r.channel,
                "stage": r.stage,
                "label": r.label,
                "status": r.status,
                "attempts": r.attempts,
                "next_try": r.next_try,
                "sent_at": r.sent_at,
                "last_error": r.last_error,
                "updated_at": r.updated_at,
            }
            for r in page.items
        ],
        "next": page.next_cursor,
    }
