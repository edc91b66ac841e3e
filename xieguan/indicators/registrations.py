"""The indicators of SPEC §8 that no single app owns, and the dashboard in
the menu. Each drills down to this app's page of the records behind it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Level
from xieguan.core.registry import Indicator, MenuItem, Period, register
from xieguan.indicators import tallies


def period_text(period: Period) -> str:
    """A period as the query string writes it (a Span's own text, else its month)."""
    return getattr(period, "text", None) or f"{period.year}-{period.month:02d}"


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
    MenuItem(_("Indicators and map"), "indicators:dashboard", 95),
    Indicator(
        code="quarterly",
        name="季度巡查率",
        formula="季度巡查率 = 本季度至少巡查一次的单位 ÷ 本季度存续的单位（期间所涉各季度合计）",
        tally=tallies.quarterly_tally,
        numerator="q_done",
        denominator="q_due",
        drill=quarter_drill,
        order=25,
    ),
    Indicator(
        code="publicity_done",
        name="宣传完成率",
        formula="宣传完成率 = 开展了宣传的乡镇季度 ÷ 应开展宣传的乡镇季度（每乡镇每季度至少一次；未结束的季度完成后才计入）",
        tally=tallies.publicity_done_tally,
        numerator="pub_done",
        denominator="pub_quarters",
        drill=_drill("publicity_done"),
        order=65,
    ),
    Indicator(
        code="village_trained",
        name="村级信息员培训完成率",
        formula="村级信息员培训完成率 = 当季参加过培训的信息员季度 ÷ 应培训的信息员季度",
        tally=tallies.village_tally,
        numerator="officer_trained",
        denominator="officer_quarters",
        drill=_drill("village_trained"),
        order=72,
    ),
    Indicator(
        code="comanager_hours",
        name="协管员培训达标率",
        formula="协管员培训达标率 = 近一年培训满20学时的协管员 ÷ 协管员",
        tally=tallies.comanager_tally,
        numerator="comanagers_trained",
        denominator="comanagers",
        drill=_drill("comanager_hours"),
        order=74,
    ),
    Indicator(
        code="licence",
        name="卫生许可证持证率",
        formula="卫生许可证持证率 = 期末（或停业之日）持有效卫生许可证的单位 ÷ 期间存续且登记有许可证的单位",
        tally=tallies.licence_tally,
        numerator="licence_valid",
        denominator="licensed",
        drill=_drill("licence"),
        order=82,
    ),
    Indicator(
        code="health_cert",
        name="健康证持证率",
        formula="健康证持证率 = 期末（或停业之日）未过期的从业人员健康证 ÷ 期间存续单位登记的从业人员健康证",
        tally=tallies.health_tally,
        numerator="health_valid",
        denominator="health",
        drill=_drill("health_cert"),
        order=84,
    ),
    Indicator(
        code="training_cert",
        name="培训合格证持证率",
        formula="培训合格证持证率 = 期末（或停业之日）未过期的卫生知识培训合格证 ÷ 期间存续单位登记的培训合格证",
        tally=tallies.training_cert_tally,
        numerator="trainingcert_valid",
        denominator="trainingcert",
        drill=_drill("training_cert"),
        order=86,
    ),
    Indicator(
        code="monthly_complete",
        name="月报完整率",
        formula="月报完整率 = 已上报（待审核或已通过）的乡镇月报 ÷ 已过报送截止日的应报乡镇月报（按当月存续的协管站计）",
        tally=tallies.monthly_tally,
        numerator="m_submitted",
        denominator="m_expected",
        drill=_drill("monthly_complete"),
        order=90,
    ),
    Indicator(
        code="monthly_timely",
        name="月报及时率",
        formula="月报及时率 = 截止日前上报的乡镇月报 ÷ 已过报送截止日的应报乡镇月报",
        tally=tallies.monthly_tally,
        numerator="m_on_time",
        denominator="m_expected",
        drill=_drill("monthly_complete"),
        order=92,
    ),
)
