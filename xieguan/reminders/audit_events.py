"""The audit events of reminders, named for the audit-log page."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Due list and reminders"),
    {
        "reminder_rule.save": _("Reminder rule saved"),
        "reminder_channel.save": _("Reminder channel saved"),
    },
)
