"""The audit events of assessments and funds, named for the audit-log page."""

from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_change_labels, register_events

register_events(
    _("Assessments and funds"),
    {
        "population.save": _("Population served saved"),
        "population.import": _("Population served imported"),
        "scheme.create": _("Assessment scheme created"),
        "scheme.update": _("Draft assessment scheme edited"),
        "scheme.publish": _("Assessment scheme put in use"),
        "scheme.revise": _("New version of an assessment scheme created"),
        "scheme_item.create": _("Assessment item added"),
        "scheme_item.update": _("Assessment item edited"),
        "scheme_item.delete": _("Assessment item deleted"),
        "assessment.create": _("Assessment launched"),
        "assessment.start": _("Assessment scoring started"),
        "assessment.compute": _("Automatic items computed"),
        "assessment.release": _("Assessment results released"),
        "assessment.finalise": _("Assessment results finalised"),
        "assessment.bulletin": _("Assessment bulletin saved"),
        "assessment.bulletin_publish": _("Assessment bulletin issued"),
        "assessment.allocate": _("Funds allocated"),
        "item_score.assign": _("Scorer assigned"),
        "item_score.score": _("Assessment item scored"),
        "deduction.create": _("Deduction or one-vote veto recorded"),
        "appeal.create": _("Appeal submitted"),
        "appeal.answer": _("Appeal answered"),
        "station_visit.create": _("Station visit recorded"),
    },
)
register_change_labels(
    {"rows": _("Rows"), "items": _("Assessment items"), "areas": _("Assessed areas"), "reviewers": _("Scorers")}
)
