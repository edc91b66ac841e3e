"""专项完成率 on the month overview: the targets of the campaigns running in
the month, and of those the ones inspected, counted by hand on a small
campaign."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from xieguan.campaigns import services
from xieguan.campaigns.models import CampaignTarget
from xieguan.core.registry import Rate, registry
from xieguan.inspections.tests.factories import draft, submitted
from xieguan.monthly.periods import reporting_period
from xieguan.units.models import Category


def _indicator() -> Any:
    return next(i for i in registry.indicators if i.code == "campaign")


def test_the_completion_rate_counts_the_months_campaign_targets_inspected(
    demo: Any, login: Any, campaign: Any, pools: Any
) -> None:
    inst, cg1, cg2 = demo.users["inst"], demo.users["cg1"], demo.users["cg2"]
    county, cg, dh = demo.county, demo.townships[0], demo.townships[1]
    services.campaign_targets_from_filter(actor=inst, campaign=campaign)  # 5 in 城关镇, 4 in 河东镇
    # A campaign of last year: its targets are not this month's.
    old = services.campaign_create(
        actor=inst,
        area=county,
        name="去年的专项",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        category=Category.objects.get(code="public_place"),
    )
    services.campaign_targets_from_filter(actor=inst, campaign=old, township=cg)
    # Two 城关镇 targets inspected (submitted), a third only begun (a draft).
    submitted(cg1, pools["cg"][0], inspectors=[cg1, cg2])
    submitted(cg1, pools["cg"][1], inspectors=[cg1, cg2])
    draft(cg1, pools["cg"][2], inspectors=[cg1, cg2])
    current = CampaignTarget.objects.filter(campaign=campaign)
    assert current.filter(inspection__isnull=False).count() == 3  # the records linked themselves

    today = timezone.localdate()
    period = reporting_period(cg, today.year, today.month)
    indicator = _indicator()
    bureau = demo.users["bureau"]

    def value(user: Any, area: Any) -> Rate:
        return indicator.value(user, area=area, period=period, today=today)

    assert value(bureau, county) == Rate(2, 9)
    assert value(bureau, cg) == Rate(2, 5) and value(bureau, cg).percent == 40
    assert value(bureau, dh) == Rate(0, 4)
    # Beside: 河东镇's co-manager counts only 河东镇's targets, even for the county.
    assert value(demo.users["dh1"], county) == Rate(0, 4)
    # A month before the campaign began counts last year's campaign only.
    last_year = reporting_period(cg, 2025, 6)
    assert indicator.value(bureau, area=county, period=last_year, today=today) == Rate(0, 5)

    page = login(bureau).get(f"/monthly/overview/?year={today.year}&month={today.month}").content.decode()
    assert "专项完成率" in page
    assert login(bureau).get(indicator.drill(cg, period)).status_code == 200
