from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "xieguan.risk"
    label = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from xieguan.risk import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, unit panel, risk order, indicator)
            signals,  # noqa: F401  (a new record recomputes its unit's score)
        )
