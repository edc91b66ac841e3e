from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "xieguan.outreach"
    label = "outreach"
    verbose_name = _("Publicity and training")

    def ready(self) -> None:
        from xieguan.outreach import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, month lock, indicators, archive)
            unit_file,  # noqa: F401 - its section of the unit file
        )
