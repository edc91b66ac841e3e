from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "xieguan.assessments"
    label = "assessments"
    verbose_name = "绩效考核与经费"

    def ready(self) -> None:
        from xieguan.assessments import (
            audit_events,  # noqa: F401 - names its audit events
            registrations,  # noqa: F401  (menu, indicator, due list, home panel, archive)
        )
