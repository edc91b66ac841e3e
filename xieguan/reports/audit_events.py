"""The audit events of information reports, named for the audit-log page.
Imported by ReportsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Information reports"),
    {
        "report.file": _("Report filed"),
        "report.verify": _("Report verified"),
        "report.forward": _("Report forwarded to the county"),
        "report.close_unforwarded": _("Report closed without forwarding"),
        "report.handle": _("Report handled"),
        "report.feedback": _("Result of a report fed back"),
        "report.close": _("Report closed"),
        "report.link": _("Report tied to its unit or inspection"),
        "zero_report.make": _("Zero report made"),
        "report_category.create": _("Report category added"),
        "report_category.update": _("Report category changed"),
        "exposed_person.register": _("Exposed person registered"),
    },
)
