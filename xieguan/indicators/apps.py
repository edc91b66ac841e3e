from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Every figure of SPEC §8 in one place: the indicators no single app owns
    (持证率, 季度巡查率, 月报完整率/及时率, 宣传/培训完成), their drill-down from
    an area to the records, the dashboards and the map."""

    name = "xieguan.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from xieguan.indicators import (  # noqa: F401
            audit_events,  # names its audit events
            registrations,  # indicators, menu
            rollups,  # the registry's tally reader
        )
