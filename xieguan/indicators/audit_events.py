"""The audit events of the indicators app, named for the audit-log page."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(_("Indicators and map"), {"boundary.upload": _("Area boundary uploaded")})
