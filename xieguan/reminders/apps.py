from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "xieguan.reminders"
    label = "reminders"
    verbose_name = "待办与提醒"

    def ready(self) -> None:
        from xieguan.reminders import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (due list panel, expiring licences, training hours, menu)
        )
