"""The demo county's special campaign and 双随机 draws (issue 21): the
county's 2026 swimming-pool campaign with targets in 城关镇 and 河东镇, about
half of them visited (their latest patrol in the campaign's period counts);
one draw whose results are published on the public page, one not yet. The
campaign keeps its basis, the county's notice, as a PDF."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xieguan.campaigns import services
from xieguan.campaigns.models import CampaignSettings
from xieguan.core.statistics import analysed
from xieguan.demo.archives import _demo_pdf
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.units.models import Category, Unit

CAMPAIGN_NAME = "2026 游泳场所专项检查"


@analysed
def load_campaigns(demo: Any) -> None:
    inst = demo.users["inst"]
    today = timezone.localdate()
    place = Category.objects.get(code="public_place")
    pools = place.subtypes.filter(name="游泳场所", county__isnull=True)
    CampaignSettings.objects.get_or_create(county=demo.county, defaults={"comanagers_drawn": True})
    both = demo.townships[:2]
    _grade_dates(demo, today)
    # A declared 回避关系: cg2 never drawn to inspect the first of 城关镇's pools.
    first_pool = Unit.objects.filter(area__path__startswith=both[0].path, subtype__in=pools).order_by("name").first()
    if first_pool is not None:
        services.conflict_declare(
            actor=inst, unit=first_pool, inspector=demo.users["cg2"], reason="亲属在该单位工作（示范数据）"
        )
    campaign = services.campaign_create(
        actor=inst,
        area=demo.county,
        name=CAMPAIGN_NAME,
        basis="示卫发〔2026〕8号《关于开展2026年游泳场所专项检查的通知》",
        # The notice itself, as the county received it: the campaign's basis document.
        basis_file=SimpleUploadedFile(
            "关于开展2026年游泳场所专项检查的通知.pdf", _demo_pdf("关于开展2026年游泳场所专项检查的通知")
        ),
        # Within this year, so the year's archive holds it.
        starts_on=max(today - datetime.timedelta(days=150), datetime.date(today.year, 1, 1)),
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
    targets = list(campaign.targets.select_related("unit").order_by("area__path", "unit__name"))
    latest: dict[Any, Inspection] = {}
    for inspection in Inspection.objects.filter(
        unit__in=[t.unit for t in targets],
        status=InspectionStatus.SUBMITTED,
        started_at__date__gte=campaign.starts_on,
    ).order_by("started_at"):
        latest[inspection.unit_id] = inspection
    # Half the targets at most, taken from those whose unit was patrolled in the
    # period (the demo's patrols are random, so which ones are is not fixed).
    visited = [t for t in targets if t.unit_id in latest][: len(targets) // 2]
    for target in visited:
        services.target_link(actor=inst, target=target, inspection=latest[target.unit_id])
    services.draw_publish(actor=inst, draw=drawn)
    services.material_add(actor=inst, campaign=campaign, upload=_briefing_picture(), title="专项检查动员部署会")
    services.draw_make(
        actor=inst,
        area=demo.county,
        title="2026 年第三季度公共场所双随机抽查",
        filters={"category": "public_place"},
        ratio=Decimal("5"),
    )


def _grade_dates(demo: Any, today: datetime.date) -> None:
    """The demo units' hygiene grades were given on a day of the past two
    years (a fixed day per unit), the date the public page shows."""
    graded = Unit.objects.filter(area__path__startswith=demo.county.path, hygiene_graded_on__isnull=True).exclude(
        hygiene_grade=""
    )
    units = list(graded.only("id"))
    for unit in units:
        unit.hygiene_graded_on = today - datetime.timedelta(days=30 + unit.pk.int % 700)
    Unit.objects.bulk_update(units, ["hygiene_graded_on"], batch_size=1000)


def _briefing_picture() -> Any:
    """A small picture standing for the briefing's photo (the demo's material)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (214, 234, 223))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 440, 260), outline=(16, 110, 78), width=6)
    draw.ellipse((200, 120, 280, 200), fill=(16, 110, 78))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("briefing.png", buffer.getvalue(), content_type="image/png")
