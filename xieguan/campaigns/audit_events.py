"""The audit events of special campaigns and 双随机 draws, named for the
audit-log page. Imported by CampaignsConfig.ready()."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.core.audit import register_change_labels, register_events

register_events(
    _("Special campaigns and double-random draws"),
    {
        "campaign.create": _("Special campaign created"),
        "campaign.targets_add": _("Campaign targets added"),
        "campaign.targets_remove": _("Targets not yet inspected removed after a redraw"),
        "campaign.summary": _("Campaign summary saved"),
        "campaign.close": _("Special campaign closed"),
        "campaign.checklist_start": _("Campaign's own checklist started"),
        "campaign.checklist_publish": _("Campaign's own checklist published and put in use"),
        "campaign_target.record": _("Inspection recorded for a campaign target"),
        "draw.create": _("Double-random draw made"),
        "draw.publish": _("Double-random results published"),
        "draw_conflict.create": _("Conflict of interest declared"),
        "draw_conflict.remove": _("Conflict of interest withdrawn"),
        "campaign_material.add": _("Campaign material uploaded"),
        "campaign_settings.save": _("Double-random settings saved"),
    },
)
register_change_labels(
    {
        "targets": _("Targets"),
        "subtypes": pgettext_lazy("campaign", "Subtypes"),
        "assignees": _("Staff in charge"),
        "pool_size": _("Size of the pool of units"),
        "picked": _("Units drawn"),
    }
)
