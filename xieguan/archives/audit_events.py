"""The audit events of the archives, named for the audit-log page."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_change_labels, register_events

register_events(
    _("Archives"),
    {
        "document.upload": _("Document uploaded"),
        "document.version": _("New version of a document uploaded"),
        "upper_document.issue": _("Document from above issued"),
        "upper_document.read": _("Document from above read"),
        "upper_document.acknowledge": _("Document from above acknowledged"),
        "year.close": _("Year closed and filed"),
        "year.reopen_request": _("Reopening of a year requested"),
        "year.reopen": _("Year reopened"),
        "year_package.start": _("Year package started"),
    },
)
register_change_labels({"version": _("version"), "recipients": _("receiving institutions")})
