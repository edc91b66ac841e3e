from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "xieguan.areas"
    label = "areas"
    verbose_name = _("Areas")

    def ready(self) -> None:
        from xieguan.areas import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, home page)
        )
