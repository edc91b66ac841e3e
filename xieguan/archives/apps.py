from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "xieguan.archives"
    label = "archives"
    verbose_name = _("Archives")

    def ready(self) -> None:
        from xieguan.archives import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, due list, archive section, the year check)
        )
