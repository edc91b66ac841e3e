from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "xieguan.inspections"
    label = "inspections"
    verbose_name = _("Patrols and inspections")

    def ready(self) -> None:
        from xieguan.inspections import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, month lock, indicators, what is due, home page, archive)
            unit_file,  # noqa: F401 - its sections of the unit file
        )
