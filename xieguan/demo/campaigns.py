"""The demo county's special campaign and 双随机 draws (issue 21): the
county's 2026 swimming-pool campaign with targets in 城关镇 and 河东镇, about
half of them visited (their latest patrol in the campaign's period counts);
one draw whose results are published on the public page, one not yet."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from xieguan.campaigns import services
from xieguan.campaigns.models import CampaignSettings
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.units.models import Category

CAMPAIGN_NAME = "2026 游泳场所专项检查"


def load_campaigns(demo: Any) -> None:
    inst = demo.users["inst"]
    today = timezone.localdate()
    place = Category.objects.get(code="public_place")
    pools = place.subtypes.filter(name="游泳场所", county__isnull=True)
    CampaignSettings.objects.get_or_create(county=demo.county, defaults={"comanagers_drawn": True})
    both = demo.townships[:2]
    campaign = services.campaign_create(
        actor=inst,
        area=demo.county,
        name=CAMPAIGN_NAME,
        basis="示卫发〔2026〕8号《关于开展2026年游泳场所专项检查的通知》",
        # Within this year, so the year's archive holds it.
        starts_on=max(today - datetime.timedelta(days=75), datetime.date(today.year, 1, 1)),
        ends_on=today + datetime.timedelta(days=30),
        category=place,
        subtypes=list(pools),
        assignees=[inst, demo.users["inst2"]],
    )
    drawn = services.draw_make(
        actor=inst,
        campaign=campaign,
        title="2026 游泳场所双随机抽查",
        filters={"townships": [str(t.pk) for t in both], "subtypes": [s.pk for s in pools]},
        ratio=Decimal("50"),
    )
    for township in both:
        services.campaign_targets_from_filter(actor=inst, campaign=campaign, township=township)
    # About half visited: every other target whose unit was patrolled in the period.
    targets = list(campaign.targets.select_related("unit").order_by("area__path", "unit__name"))
    latest: dict[Any, Inspection] = {}
    for inspection in Inspection.objects.filter(
        unit__in=[t.unit for t in targets],
        status=InspectionStatus.SUBMITTED,
        started_at__date__gte=campaign.starts_on,
    ).order_by("started_at"):
        latest[inspection.unit_id] = inspection
    for n, target in enumerate(targets):
        if n % 2 == 0 and target.unit_id in latest:
            services.target_link(actor=inst, target=target, inspection=latest[target.unit_id])
    services.draw_publish(actor=inst, draw=drawn)
    services.draw_make(
        actor=inst,
        area=demo.county,
        title="2026 年第三季度公共场所双随机抽查",
        filters={"category": "public_place"},
        ratio=Decimal("5"),
    )
