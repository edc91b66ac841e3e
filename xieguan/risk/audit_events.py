from django.utils.translation import gettext_lazy as _

from xieguan.core.audit import register_events

register_events(
    _("Risk-based targeting"),
    {
        "risk_settings.save": _("Risk weights saved"),
        "backtest.run": _("Risk backtest run"),
        "record_review.draw": _("Records drawn for review"),
        "record_review.review": _("Record reviewed"),
        "record_review.corrected": _("Reviewed record corrected"),
    },
)
