from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xieguan.core"
    label = "core"
    verbose_name = _("Audit and shared services")

    def ready(self) -> None:
        # login events → audit log; our own deploy checks
        from xieguan.core import (  # noqa: F401
            audit_events,
            audit_login,
            checks,
        )
        from xieguan.core.permissions import VIEW_AUDIT
        from xieguan.core.registry import MenuItem, register

        register(MenuItem(_("Home"), "core:home", 10), MenuItem(_("Audit log"), "core:audit", 140, VIEW_AUDIT))
