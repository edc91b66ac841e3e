"""The indicators of SPEC §8 that no single app owns, and the dashboard in
the menu. Each drills down to this app's page of the records behind it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Level
from xieguan.core.registry import Indicator, MenuItem, Period, period_text, register
from xieguan.indicators import tallies


def records_url(code: str, area: Any, period: Period) -> str:
    return f"{reverse('indicators:records', args=[code])}?{urlencode({'area': area.pk, 'period': period_text(period)})}"


def quarter_drill(area: Any, period: Period) -> str:
    """The patrol list of the quarter the period ends in (the township's, for a township)."""
    query: dict[str, Any] = {"year": period.year, "quarter": (period.month - 1) // 3 + 1}
    if area.level == Level.TOWNSHIP:
        query["township"] = area.pk
    return f"{reverse('inspections:due')}?{urlencode(query)}"


def _drill(code: str) -> Any:
    return lambda area, period: records_url(code, area, period)


register(
    MenuItem(_("Indicator dashboard"), "indicators:dashboard", 95),
    Indicator(
        code="quarterly",
        name=_("Quarterly patrol rate"),
        formula=_(
            "Quarterly patrol rate = units patrolled at least once in the quarter ÷ units that existed in the quarter "
            "(summed over every quarter the period touches)"
        ),
        tally=tallies.quarterly_tally,
        numerator="q_done",
        denominator="q_due",
        drill=quarter_drill,
        order=25,
    ),
    Indicator(
        code="publicity_done",
        name=_("Publicity completion rate"),
        formula=_(
            "Publicity completion rate = township-quarters with publicity held ÷ township-quarters that called for it "
            "(at least once per township and quarter; a quarter still running counts only once it is done)"
        ),
        tally=tallies.publicity_done_tally,
        numerator="pub_done",
        denominator="pub_quarters",
        drill=_drill("publicity_done"),
        order=65,
    ),
    Indicator(
        code="village_trained",
        name=_("Village information officer training rate"),
        formula=_(
            "Village information officer training rate = officer-quarters with a training attended in the quarter "
            "÷ officer-quarters that called for training"
        ),
        tally=tallies.village_tally,
        numerator="officer_trained",
        denominator="officer_quarters",
        drill=_drill("village_trained"),
        order=72,
    ),
    Indicator(
        code="comanager_hours",
        name=_("Co-manager training attainment rate"),
        formula=_(
            "Co-manager training attainment rate = co-managers with 20 hours of training in the past year ÷ co-managers"
        ),
        tally=tallies.comanager_tally,
        numerator="comanagers_trained",
        denominator="comanagers",
        drill=_drill("comanager_hours"),
        order=74,
    ),
    Indicator(
        code="licence",
        name=_("Hygiene licence holding rate"),
        formula=_(
            "Hygiene licence holding rate = units holding a valid hygiene licence at the end of the period "
            "(or on the day they closed) ÷ units that existed in the period with a licence on record"
        ),
        tally=tallies.licence_tally,
        numerator="licence_valid",
        denominator="licensed",
        drill=_drill("licence"),
        order=82,
    ),
    Indicator(
        code="health_cert",
        name=_("Health certificate holding rate"),
        formula=_(
            "Health certificate holding rate = staff health certificates unexpired at the end of the period "
            "(or on the day the unit closed) ÷ staff health certificates on record at units that existed in the period"
        ),
        tally=tallies.health_tally,
        numerator="health_valid",
        denominator="health",
        drill=_drill("health_cert"),
        order=84,
    ),
    Indicator(
        code="training_cert",
        name=_("Training certificate holding rate"),
        formula=_(
            "Training certificate holding rate = hygiene-training certificates unexpired at the end of the period "
            "(or on the day the unit closed) ÷ training certificates on record at units that existed in the period"
        ),
        tally=tallies.training_cert_tally,
        numerator="trainingcert_valid",
        denominator="trainingcert",
        drill=_drill("training_cert"),
        order=86,
    ),
    Indicator(
        code="monthly_complete",
        name=_("Monthly report completeness"),
        formula=_(
            "Monthly report completeness = township monthly reports submitted (awaiting review or approved) "
            "÷ township monthly reports due whose deadline has passed (counted by the stations that existed in the month)"
        ),
        tally=tallies.monthly_tally,
        numerator="m_submitted",
        denominator="m_expected",
        drill=_drill("monthly_complete"),
        order=90,
    ),
    Indicator(
        code="monthly_timely",
        name=_("Monthly report timeliness"),
        formula=_(
            "Monthly report timeliness = township monthly reports submitted by the deadline "
            "÷ township monthly reports due whose deadline has passed"
        ),
        tally=tallies.monthly_tally,
        numerator="m_on_time",
        denominator="m_expected",
        drill=_drill("monthly_complete"),
        order=92,
    ),
)
