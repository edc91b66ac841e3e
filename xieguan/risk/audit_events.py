from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_change_labels, register_events

register_events(
    _("Risk-based targeting"),
    {
        "risk_settings.save": _("Risk weights saved"),
        "backtest.run": _("Risk backtest run"),
        "record_review.draw": _("Records drawn for review"),
        "record_review.review": _("Record reviewed"),
        "record_review.corrected": _("Reviewed record corrected"),
        "unit.risk_grade_sync": _("Unit risk grade set from its score"),
        "unit_risk_grade.sync": _("Units' risk grades synced from their scores"),
    },
)
register_change_labels(
    {"grades_changed": _("units whose grade changed"), "grade_transitions": _("from grade to grade")}
)
