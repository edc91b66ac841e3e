from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "xieguan.reminders"
    label = "reminders"
    verbose_name = _("Due list and reminders")

    def ready(self) -> None:
        from xieguan.reminders import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (due list panel, expiring licences, training hours, menu)
        )
