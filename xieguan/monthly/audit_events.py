"""The audit events of monthly reports, named for the audit-log page.
Imported by MonthlyConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Monthly reports"),
    {
        "month.submit": _("Monthly report submitted"),
        "month.return": _("Monthly report returned"),
        "month.approve": _("Monthly report approved, month locked"),
        "month.unlock_request": _("Unlock of a month requested"),
        "month.unlock": _("Month unlocked"),
        "month_rules.set": _("Monthly report rules changed"),
        "period_rule.set": _("First day of the reporting month changed"),
    },
)
