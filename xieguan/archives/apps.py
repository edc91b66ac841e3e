from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "xieguan.archives"
    label = "archives"
    verbose_name = _("Archives")

    def ready(self) -> None:
        from xieguan.archives import (
            attached,  # noqa: F401 - the documents on their records' pages and in the unit file
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, due list, archive section, the year check)
        )
