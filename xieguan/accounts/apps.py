from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xieguan.accounts"
    label = "accounts"
    verbose_name = _("Institutions and people")

    def ready(self) -> None:
        from xieguan.accounts import audit_events, two_factor  # noqa: F401 - names its audit events; connects the sign-in receiver
