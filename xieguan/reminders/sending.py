"""Turning what is due into reminders, and sending them (``manage.py
send_reminders``, the worker's periodic task): never inside a web request.

``plan`` writes one ``Reminder`` per due item, stage, person and channel;
the unique constraint makes a second run (or a restart) write nothing new.
``deliver`` sends the pending ones whose time has come, on the county's
working days outside its quiet hours (the in-app inbox at once), each once:
a row is claimed under a row lock, sent, and marked sent in the same
transaction; a failure is retried with backoff (``BACKOFF``) and shown on
the county's send log."""

from __future__ import annotations

import datetime
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xieguan.accounts.models import RoleCode, User
from xieguan.areas.models import Level
from xieguan.complaints.calendar import WorkCalendar
from xieguan.reminders.due import DueEntry, due_list
from xieguan.reminders.models import (
    ChannelKind,
    Reminder,
    ReminderRule,
    ReminderStatus,
    Stage,
    default_sms_template,
    message_language,
)
from xieguan.reminders.rules import channel_for, county_of_area, rule_for

log = logging.getLogger(__name__)

# Minutes to wait after the n-th failure; after the last, give up.
BACKOFF = [1, 5, 15, 60, 240]
SMS_LIMIT = 70  # characters of one SMS segment (Chinese text), the signature included
HTTP_TIMEOUT = 10
# Items overdue longer than this are no longer reminded (they stay on the due list).
MAX_OVERDUE_DAYS = 30


class SendError(Exception):
    """A channel refused or could not be reached; the reminder is retried."""


class Undeliverable(SendError):
    """Nothing to retry: the person has no e-mail address or phone, the channel is not configured."""


# ---------------------------------------------------------------- when


def remind_from(entry: DueEntry, rule: ReminderRule, cal: WorkCalendar) -> datetime.date:
    """The first day the reminder before the due time goes out: ``lead_days``
    working days before the due day on the county's calendar (a due day off
    work counts from the working day before it)."""
    day = timezone.localdate(entry.due_at)
    while not cal.is_workday(day):
        day -= datetime.timedelta(days=1)
    back = 0
    while back < rule.lead_days:
        day -= datetime.timedelta(days=1)
        if cal.is_workday(day):
            back += 1
    return day


def stages_due(entry: DueEntry, rule: ReminderRule, cal: WorkCalendar, now: datetime.datetime) -> list[str]:
    """The stages of ``entry`` whose time has come."""
    today = timezone.localdate(now)
    if entry.due_at < now or entry.overdue:
        if entry.due_at < now - datetime.timedelta(days=MAX_OVERDUE_DAYS):
            return []
        stages = [Stage.OVERDUE]
        late = cal.working_days_between(timezone.localdate(entry.due_at), today)
        if rule.escalate_after_days and late >= rule.escalate_after_days:
            stages.append(Stage.SUPERVISOR)
        if rule.escalate_after_days and late >= 2 * rule.escalate_after_days:
            stages.append(Stage.LEADER)
        return stages
    if today >= remind_from(entry, rule, cal):
        return [Stage.BEFORE]
    return []


def in_quiet_hours(rule: ReminderRule, now: datetime.datetime) -> bool:
    t = timezone.localtime(now).time()
    start, end = rule.quiet_start, rule.quiet_end
    if isinstance(start, str):
        start = datetime.time.fromisoformat(start)
    if isinstance(end, str):
        end = datetime.time.fromisoformat(end)
    if start <= end:
        return start <= t < end
    return t >= start or t < end


# ---------------------------------------------------------------- plan


@dataclass
class County:
    rule: ReminderRule
    cal: WorkCalendar
    leaders: list[Any] = field(default_factory=list)


def _supervisor_of(person: Any) -> Any:
    institution = getattr(person, "institution", None)
    return getattr(institution, "responsible_supervisor", None) if institution is not None else None


def plan(now: datetime.datetime | None = None) -> int:
    """Write the reminders whose time has come; returns how many are new.
    Their labels are stored and sent as written, so they are written in the
    language messages go out in, not the one the calling thread has active."""
    with translation.override(message_language()):
        return _plan(now or timezone.now())


def _plan(now: datetime.datetime) -> int:
    counties: dict[Any, County] = {}
    people = (
        User.objects.filter(is_active=True, institution__isnull=False)
        .select_related("institution__area", "institution__responsible_supervisor")
        .order_by("id")
    )
    made = 0
    for person in people:
        county = county_of_area(person.institution.area)
        if county is None:
            continue
        if county.pk not in counties:
            leaders = list(
                User.objects.filter(is_active=True, institution__area=county).with_role(RoleCode.COUNTY_LEADER)
            )
            counties[county.pk] = County(rule_for(county), WorkCalendar(county), leaders)
        c = counties[county.pk]
        kinds = set(c.rule.kinds) if c.rule.kinds else None
        rows: list[Reminder] = []
        digest: list[DueEntry] = []
        for entry in due_list(person, now, kinds):
            for stage in stages_due(entry, c.rule, c.cal, now):
                if stage == Stage.SUPERVISOR:
                    targets = [s for s in [_supervisor_of(person)] if s is not None]
                elif stage == Stage.LEADER:
                    targets = c.leaders
                else:
                    targets = [person]
                for target in targets:
                    rows.extend(_rows(entry, stage, target, person, c.rule, digest if target is person else None))
        if digest and c.rule.digest:
            day = timezone.localdate(now)
            text = ngettext(
                "%(count)d item due today; the earliest: %(item)s",
                "%(count)d items due today; the earliest: %(item)s",
                len(digest),
            ) % {"count": len(digest), "item": digest[0].label}
            for channel in _outside_channels(c.rule):
                rows.append(
                    Reminder(
                        item_key=f"digest:{day:%Y%m%d}",
                        kind="digest",
                        stage=Stage.DIGEST,
                        person=person,
                        area=person.institution.area,
                        channel=channel,
                        label=text[:300],
                        url="/",
                        due=digest[0].due_at,
                    )
                )
        if rows:
            before = Reminder.objects.filter(person__in={r.person_id for r in rows}).count()
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            made += Reminder.objects.filter(person__in={r.person_id for r in rows}).count() - before
    return made


def _outside_channels(rule: ReminderRule) -> list[str]:
    return [c for c in (rule.channels or []) if c in ChannelKind.values and c != ChannelKind.INBOX]


def _rows(
    entry: DueEntry, stage: str, target: Any, owner: Any, rule: ReminderRule, digest: list[DueEntry] | None
) -> list[Reminder]:
    label = entry.label
    if target is not owner:
        label = _("%(person)s: %(item)s") % {"person": owner.full_name or owner.username, "item": label}
    if stage != Stage.BEFORE:
        label = _("[%(stage)s] %(item)s") % {"stage": Stage(stage).label, "item": label}
    channels = [ChannelKind.INBOX.value]
    if rule.digest and digest is not None:
        digest.append(entry)
    else:
        channels += _outside_channels(rule)
    area = entry.area or owner.institution.area
    return [
        Reminder(
            item_key=entry.key,
            kind=entry.kind,
            stage=stage,
            person=target,
            area=area if getattr(area, "level", 0) >= Level.COUNTY else owner.institution.area,
            channel=channel,
            label=label[:300],
            url=entry.url[:300],
            due=entry.due_at,
        )
        for channel in channels
    ]


# ---------------------------------------------------------------- deliver


def deliver(now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the pending reminders whose time has come, each once."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0, "held": 0}
    # The in-app inbox needs no transport: its rows are the messages.
    counts["sent"] += Reminder.objects.filter(channel=ChannelKind.INBOX, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.SENT, sent_at=now, attempts=1
    )
    ids = list(
        Reminder.objects.filter(status__in=[ReminderStatus.PENDING, ReminderStatus.FAILED])
        .exclude(channel=ChannelKind.INBOX)
        .filter(Q(next_try__isnull=True) | Q(next_try__lte=now))
        .order_by("due", "id")
        .values_list("id", flat=True)[:limit]
    )
    rules: dict[Any, tuple[ReminderRule, WorkCalendar]] = {}
    for pk in ids:
        with transaction.atomic():
            row = (
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("person__institution__area", "area")
                .filter(pk=pk, status__in=[ReminderStatus.PENDING, ReminderStatus.FAILED])
                .first()
            )
            if row is None:
                continue  # another run has it, or sent it
            if row.channel != ChannelKind.INBOX:
                county = county_of_area(row.area)
                key = county.pk if county else None
                if key not in rules:
                    rules[key] = (rule_for(county), WorkCalendar(county))
                rule, cal = rules[key]
                if not cal.is_workday(timezone.localdate(now)) or in_quiet_hours(rule, now):
                    counts["held"] += 1
                    continue
            try:
                with translation.override(message_language(row.person)):
                    send(row)
            except SendError as exc:
                row.attempts += 1
                row.last_error = str(exc)[:300]
                if isinstance(exc, Undeliverable) or row.attempts > len(BACKOFF):
                    row.status = ReminderStatus.GAVE_UP
                    row.next_try = None
                else:
                    row.status = ReminderStatus.FAILED
                    row.next_try = now + datetime.timedelta(minutes=BACKOFF[row.attempts - 1])
                row.save(update_fields=["attempts", "last_error", "status", "next_try", "updated_at"])
                counts["failed"] += 1
                log.warning("reminder %s by %s failed: %s", row.pk, row.channel, exc)
                continue
            row.attempts += 1
            row.status = ReminderStatus.SENT
            row.sent_at = now
            row.next_try = None
            row.last_error = ""
            row.save(update_fields=["attempts", "status", "sent_at", "next_try", "last_error", "updated_at"])
            counts["sent"] += 1
    return counts


def send_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """What ``send_reminders`` does: plan, then deliver."""
    now = now or timezone.now()
    made = plan(now)
    return {"planned": made, **deliver(now)}


# ---------------------------------------------------------------- channels


def _due_text(row: Reminder) -> str:
    return timezone.localtime(row.due).strftime("%m-%d %H:%M")


def _link(row: Reminder) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{row.url}" if row.url else base


def send(row: Reminder) -> None:
    """Send one reminder by its channel; SendError when it did not go."""
    if row.channel == ChannelKind.INBOX:
        return  # the row is the message
    if row.channel == ChannelKind.EMAIL:
        send_email(row)
    elif row.channel == ChannelKind.SMS:
        send_sms(row)
    elif row.channel == ChannelKind.WECOM:
        send_wecom(row)
    else:
        raise Undeliverable(f"unknown channel {row.channel}")


def send_email(row: Reminder) -> None:
    if not row.person.email:
        raise Undeliverable(_("The person to remind has no e-mail address"))
    body = _("%(item)s\nDue: %(due)s\n%(link)s\n\n— Health supervision co-management information system") % {
        "item": row.label,
        "due": _due_text(row),
        "link": _link(row),
    }
    subject = _("[Reminder] %(item)s") % {"item": row.label}
    try:
        send_mail(subject[:150], body, None, [row.person.email], fail_silently=False)
    except Exception as exc:  # smtplib and socket errors alike
        raise SendError(_("The e-mail could not be sent: %(error)s") % {"error": exc}) from exc


def sms_text(template: str, signature: str, *, label: str, due: str) -> str:
    """The SMS text, kept within one segment (``SMS_LIMIT`` characters with
    the signature): the item's label is shortened, never the deadline."""
    sign = f"【{signature}】" if signature else ""  # i18n: data — carriers in China take the SMS signature in 【】
    template = template or default_sms_template()

    def render(text: str) -> str:
        return sign + template.replace("{label}", text).replace("{due}", due)

    full = render(label)
    if len(full) <= SMS_LIMIT:
        return full
    room = SMS_LIMIT - len(render("")) - 1
    return render(label[: max(room, 0)] + "…")[:SMS_LIMIT]


def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise Undeliverable(_("The address must start with http:// or https://"))
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - a configured https/http URL
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}") from exc
    except (OSError, ValueError) as exc:  # refused, reset, timed out, bad URL
        raise SendError(_("Could not connect: %(error)s") % {"error": exc}) from exc
    try:
        answer = json.loads(body or b"{}")
    except ValueError as exc:
        raise SendError(_("The answer is not JSON")) from exc
    return answer if isinstance(answer, dict) else {}


def send_sms(row: Reminder) -> None:
    """The generic HTTP SMS gateway: POST JSON {phone, text, signature}
    with the key in ``X-Api-Key``; answers {"code": 0} when accepted."""
    channel = channel_for(row.person.institution.area if row.person.institution_id else row.area, ChannelKind.SMS)
    if channel is None or not channel.url:
        raise Undeliverable(_("No SMS gateway is configured"))
    if not row.person.phone:
        raise Undeliverable(_("The person to remind has no mobile number"))
    text = sms_text(channel.template, channel.signature, label=row.label, due=_due_text(row))
    answer = _post_json(
        channel.url,
        {"phone": row.person.phone, "text": text, "signature": channel.signature, "id": str(row.pk)},
        {"X-Api-Key": channel.secret} if channel.secret else None,
    )
    if answer.get("code", 0) not in (0, "0"):
        raise SendError(
            _("The SMS gateway refused: %(reason)s") % {"reason": answer.get("message", answer.get("code"))}
        )


def wecom_url(url: str, secret: str) -> str:
    if not secret:
        return url
    return f"{url}{'&' if '?' in url else '?'}key={secret}"


def send_wecom(row: Reminder) -> None:
    """The township's WeCom group robot: markdown naming the person."""
    area = row.person.institution.area if row.person.institution_id else row.area
    channel = channel_for(area, ChannelKind.WECOM)
    if channel is None or not channel.url:
        raise Undeliverable(_("No WeCom group robot is configured"))
    name = row.person.full_name or row.person.username
    content = _(
        '**Reminder** <font color="warning">%(item)s</font>\n'
        "> Responsible: %(person)s\n> Due: %(due)s\n> [Open](%(link)s)"
    ) % {"item": row.label, "person": name, "due": _due_text(row), "link": _link(row)}
    answer = _post_json(
        wecom_url(channel.url, channel.secret), {"msgtype": "markdown", "markdown": {"content": content}}
    )
    if answer.get("errcode", 0) not in (0, "0"):
        raise SendError(_("WeCom refused: %(reason)s") % {"reason": answer.get("errmsg", answer.get("errcode"))})
