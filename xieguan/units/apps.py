from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "xieguan.units"
    label = "units"

    def ready(self) -> None:
        from xieguan.units import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, indicators, archive)
        )
