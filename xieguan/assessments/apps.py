from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "xieguan.assessments"
    label = "assessments"
    verbose_name = _("Assessments and funds")

    def ready(self) -> None:
        from xieguan.assessments import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, indicator, due list, home panel, archive)
        )
