from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xieguan.core"
    label = "core"
    verbose_name = _("Audit and shared services")

    def ready(self) -> None:
        # login events → audit log; our own deploy checks
        from xieguan.core import audit_login, checks  # noqa: F401
