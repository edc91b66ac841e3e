from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "xieguan.risk"
    label = "risk"
    verbose_name = "风险分级"

    def ready(self) -> None:
        from xieguan.risk import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, unit panel, risk order, indicator)
            signals,  # noqa: F401  (a new record recomputes its unit's score)
        )
