"""The audit events of the area tree, named for the audit-log page.
Imported by AreasConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Areas"),
    {
        "area.create": _("Area added"),
        "area.update": _("Area renamed or recoded"),
        "area.move": _("Area moved under another parent"),
        "area.retire": _("Area retired and merged"),
        "area.split": _("Area split in two"),
        "area.import": _("Area list imported"),
    },
)
