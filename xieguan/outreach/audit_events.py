"""The audit events of publicity and training, named for the audit-log page.
Imported by OutreachConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Publicity and training"),
    {
        "outreach.create": _("Publicity recorded"),
        "outreach.update": _("Publicity record corrected"),
        "outreach.delete": _("Publicity record deleted"),
        "training.create": _("Training recorded"),
        "training.update": _("Training corrected"),
        "training.delete": _("Training deleted"),
        "attendance.register": _("Attendance registered by the trainer"),
        "attendance.sign_in": _("Signed in to a training"),
    },
)
