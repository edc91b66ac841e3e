from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "xieguan.campaigns"
    label = "campaigns"
    verbose_name = _("Special campaigns and double-random draws")

    def ready(self) -> None:
        from xieguan.campaigns import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, home panel, due list, archive)
            signals,  # noqa: F401  (an inspection of a target links itself to it)
        )
