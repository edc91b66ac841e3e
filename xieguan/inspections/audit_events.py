"""The audit events of patrols and inspections, named for the audit-log page.
Imported by InspectionsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_change_labels, register_events

register_events(
    _("Patrols and inspections"),
    {
        "checklist.draft": _("Checklist draft made"),
        "checklist.edit": _("Checklist draft edited"),
        "checklist.publish": _("Checklist published"),
        "frequency_rule.set": _("Inspection frequency set"),
        "frequency_rule.delete": _("Inspection frequency removed"),
        "phrase.add": _("Forbidden phrase added"),
        "phrase.delete": _("Forbidden phrase removed"),
        "inspection.create": _("Inspection started"),
        "inspection.save_draft": _("Inspection draft saved"),
        "inspection.submit": _("Inspection submitted and locked"),
        "inspection.correct": _("Inspection corrected as a new version"),
        "inspection.sign": _("Inspection record signed"),
        "opinion.issue": _("Supervision opinion issued"),
        "reinspection.record": _("Re-inspection recorded"),
        "handover.create": _("Case handed over"),
        "handover.record": _("Investigation of a handed-over case recorded"),
        "plan.make": _("Monthly inspection plan made"),
        "plan.add_unit": _("Unit added to the monthly plan"),
        "plan.remove_unit": _("Unit removed from the monthly plan"),
    },
)

register_change_labels({"signature": _("signature"), "units": _("Units")})
