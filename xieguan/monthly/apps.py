from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonthlyConfig(AppConfig):
    name = "xieguan.monthly"
    label = "monthly"
    verbose_name = _("Monthly reports")

    def ready(self) -> None:
        from xieguan.monthly import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, the month lock's check, indicators, archive)
        )
