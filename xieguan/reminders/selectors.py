"""Scoped reads of reminders: a person's inbox, a county's send log and channels."""

from __future__ import annotations

from typing import Any

from xieguan.reminders.models import ChannelKind, Reminder, ReminderChannel, ReminderQuerySet

INBOX_ORDERING = ["-created_at", "-id"]
LOG_ORDERING = ["-updated_at", "-id"]


def inbox_of(person: Any, *, unread: bool | None = None) -> ReminderQuerySet:
    """The person's own in-app messages (nobody reads another's inbox)."""
    qs = Reminder.objects.filter(person=person, channel=ChannelKind.INBOX)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def send_log(user: Any, *, status: str = "") -> ReminderQuerySet:
    """The messages that left (or tried to leave) by e-mail, SMS or WeCom in the user's area."""
    qs: Any = Reminder.objects.visible_to(user)
    qs = qs.exclude(channel=ChannelKind.INBOX).select_related("person", "area")
    if status:
        qs = qs.filter(status=status)
    return qs


def channels_of(user: Any) -> Any:
    qs: Any = ReminderChannel.objects.visible_to(user)
    return qs.select_related("area").order_by("area__path", "kind", "id")
