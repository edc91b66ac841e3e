"""The audit events of reminders, named for the audit-log page."""

from xieguan.core.audit import register_events

register_events(
    "待办与提醒",
    {
        "reminder_rule.save": "提醒规则已保存",
        "reminder_channel.save": "提醒渠道已保存",
        "reminder_channel.delete": "提醒渠道已删除",
    },
)
