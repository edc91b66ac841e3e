"""The audit events of institutions, people, transfers and API tokens, named
for the audit-log page. Imported by AccountsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_change_labels, register_events

register_events(
    _("Institutions and people"),
    {
        "institution.create": _("Institution added"),
        "institution.update": _("Institution changed"),
        "institution.assign_supervisor": _("Responsible supervisor named"),
        "user.create": _("Account added"),
        "user.update": _("Account changed"),
        "user.activate": _("Account reactivated"),
        "user.deactivate": _("Account deactivated"),
        "user.password_reset": _("Password reset by an administrator"),
        "user.password_change": _("Own password changed"),
        "user.move": _("Person moved to another institution"),
        "transfer.request": _("Transfer requested"),
        "transfer.approve": _("Transfer approved"),
        "transfer.refuse": _("Transfer refused"),
        "token.issue": _("API token issued"),
        "token.revoke": _("API token revoked"),
        "two_factor.on": _("Two-step sign-in turned on"),
        "two_factor.off": _("Two-step sign-in turned off"),
        "two_factor.backup_codes": _("New backup codes made"),
        "signin.locked": _("Sign-in locked"),
        "signin.released": _("Sign-in lock released"),
    },
)

register_change_labels({"two_factor": _("Two-step sign-in")})
