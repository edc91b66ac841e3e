"""Every write of reminders: permitted, scoped, audited."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xieguan.accounts.models import User
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.permissions import CONFIGURE_MONTHLY, can
from xieguan.core.scope import is_within
from xieguan.reminders.models import ChannelKind, Reminder, ReminderChannel, ReminderRule, default_sms_template

# Who configures a county's reminders: the people who configure its monthly report.
CONFIGURE_REMINDERS = CONFIGURE_MONTHLY
SIGNATURE_LIMIT = 20
TEMPLATE_LIMIT = 200


def _require_configure(actor: User, area: Area) -> None:
    if not is_within(actor, area.path):
        raise Http404
    if not can(actor, CONFIGURE_REMINDERS):
        raise PermissionDenied(_("Your role cannot configure reminders."))


def reminder_rule_save(*, actor: User, county: Area, **fields: Any) -> ReminderRule:
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Reminder rules are set per county.")})
    _require_configure(actor, county)
    kinds = fields.get("kinds") or []
    channels = [c for c in (fields.get("channels") or []) if c in ChannelKind.values]
    with transaction.atomic():
        found = ReminderRule.objects.select_for_update().filter(county=county).first()
        rule = found or ReminderRule(county=county)
        with audited(actor, "reminder_rule.save", found) as audit:
            audit.obj = rule
            for name in ("lead_days", "quiet_start", "quiet_end", "escalate_after_days", "expiry_days", "digest"):
                if name in fields and fields[name] is not None:
                    setattr(rule, name, fields[name])
            rule.kinds = list(kinds)
            rule.channels = channels
            rule.full_clean()
            rule.save()
    return rule


def reminder_channel_save(
    *,
    actor: User,
    area: Area,
    kind: str,
    url: str = "",
    secret: str | None = None,
    template: str = "",
    signature: str = "",
    enabled: bool = True,
    id: uuid.UUID | None = None,
) -> ReminderChannel:
    """Create or change the area's channel of ``kind``. ``secret`` None or
    empty keeps the one saved (it is never shown back, so a form cannot
    send it again)."""
    if area.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise ValidationError({"area": _("Reminder channels are set per county or township.")})
    _require_configure(actor, area)
    if kind not in (ChannelKind.SMS, ChannelKind.WECOM):
        raise ValidationError({"kind": _("The channel type must be SMS (sms) or WeCom group robot (wecom).")})
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Enter the web address.")})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError(
            {"url": _("The address must be a web address starting with http:// or https://.")}
        ) from exc
    if len(signature) > SIGNATURE_LIMIT:
        raise ValidationError(
            {
                "signature": ngettext(
                    "The SMS signature has at most %(limit)d character.",
                    "The SMS signature has at most %(limit)d characters.",
                    SIGNATURE_LIMIT,
                )
                % {"limit": SIGNATURE_LIMIT}
            }
        )
    if len(template) > TEMPLATE_LIMIT:
        raise ValidationError(
            {
                "template": ngettext(
                    "The SMS template has at most %(limit)d character.",
                    "The SMS template has at most %(limit)d characters.",
                    TEMPLATE_LIMIT,
                )
                % {"limit": TEMPLATE_LIMIT}
            }
        )
    with transaction.atomic():
        found = ReminderChannel.objects.select_for_update().filter(area=area, kind=kind).first()
        if found is None and id is not None and ReminderChannel.objects.filter(pk=id).exists():
            # The client's id names another area's or kind's channel: a new one cannot take it.
            raise ValidationError({"id": _("This id is already used by another channel.")})
        with audited(actor, "reminder_channel.save", found) as audit:
            channel = found or ReminderChannel(id=id or uuid.uuid4(), area=area, kind=kind)
            audit.obj = channel
            channel.url = url
            if secret:
                channel.secret = secret
            channel.template = template or channel.template or default_sms_template()
            channel.signature = signature
            channel.enabled = enabled
            channel.save()
    return channel


def reminders_mark_read(*, actor: User, ids: list[Any] | None = None, now: datetime.datetime | None = None) -> int:
    """Mark the actor's own inbox messages read (all of them without ``ids``)."""
    qs = Reminder.objects.filter(person=actor, channel=ChannelKind.INBOX, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())
