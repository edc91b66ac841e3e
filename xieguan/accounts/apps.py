from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xieguan.accounts"
    label = "accounts"
    verbose_name = _("Institutions and people")

    def ready(self) -> None:
        from xieguan.accounts import (
            audit_events,  # noqa: F401 - names its audit events
            two_factor,  # noqa: F401 - connects the sign-in receiver
        )
        from xieguan.accounts.permissions import APPROVE_TRANSFERS, CAPABILITIES, VIEW_PEOPLE
        from xieguan.core.registry import MenuItem, register, registry

        registry.capabilities.update(CAPABILITIES)
        register(
            MenuItem(_("Institutions"), "accounts:institution_list", 110),
            MenuItem(_("People"), "accounts:person_list", 120, VIEW_PEOPLE),
            MenuItem(_("Transfers"), "accounts:transfer_list", 130, APPROVE_TRANSFERS),
        )
