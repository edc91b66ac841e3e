from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "xieguan.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from xieguan.complaints import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, archive)
            unit_file,  # noqa: F401 - its section of the unit file
        )
