from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "xieguan.reports"
    label = "reports"
    verbose_name = _("Information reports")

    def ready(self) -> None:
        from xieguan.reports import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, month lock, indicators, what is due, home page, archive)
            unit_file,  # noqa: F401 - its section of the unit file
        )
