"""Issue 21's journey: inst starts a campaign and draws 10 % of 城关镇's and
河东镇's public places with inspector pairs; cg1 sees the targets on the home
page and in the field app and records one; the progress moves; inst
publishes the results; an anonymous visitor reads the public page, and the
draw is recomputed here from the page's seed with hashlib."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from django.utils import timezone

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.campaigns.models import Campaign, CampaignTarget, RandomDraw
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.units import load_units
from xieguan.inspections.models import Answer, SignerRole
from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
from xieguan.inspections.services.records import inspection_save_draft, inspection_submit
from xieguan.inspections.tests.factories import jpeg, png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_campaign_draw_targets_record_publish_and_public_page(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_units(demo)
    today = timezone.localdate()
    town, beside = demo.townships[0], demo.townships[1]

    inst = journey(DESKTOP, "inst")
    inst.login("inst", DEMO_PASSWORD)
    inst.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    inst.goto("/campaigns/new/")
    inst.page.select_option("#id_area", label="示范县")
    inst.page.fill("#id_name", "2026 游泳场所专项检查")
    inst.page.fill("#id_basis", "示卫发〔2026〕8号")
    inst.page.fill("#id_starts_on", today.replace(day=1).isoformat())
    inst.page.fill("#id_ends_on", today.replace(month=12, day=31).isoformat())
    inst.page.select_option("#id_category", label="公共场所")
    inst.shot("inst-campaign-form")
    inst.submit()
    campaign = Campaign.objects.get()
    assert "专项检查已创建" in inst.page.inner_text("body")
    inst.page.click("text=双随机抽取")
    inst.page.check(f"input[name=townships][value='{town.pk}']")
    inst.page.check(f"input[name=townships][value='{beside.pk}']")
    inst.page.fill("#id_ratio", "10")
    inst.shot("inst-draw-form")
    inst.submit()
    draw = RandomDraw.objects.get()
    body = inst.page.inner_text("main")
    assert draw.seed in body and "SHA-256" in body
    assert len(draw.pool) > 10 and draw.count == -(-len(draw.pool) // 10)
    assert all(len(set(p["inspector_ids"])) == 2 for p in draw.picks)
    inst.shot("inst-draw-detail")

    mine = CampaignTarget.objects.filter(campaign=campaign, area=town).select_related("unit")
    assert mine.exists(), "the draw picked nothing in 城关镇: the ratio per township is too small"
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    home = cg1.page.inner_text("main")
    assert "专项检查对象待检查" in home
    assert all(t.unit.name in home for t in mine[:10])
    cg1.shot("cg1-home-targets")
    cg1.goto("/m/")
    cg1.page.wait_for_selector("#field[data-ready]")
    cg1.page.wait_for_selector("#due .badge.campaign")
    assert "2026 游泳场所专项检查" in cg1.page.inner_text("#due")
    cg1.shot("cg1-field-due")

    target = mine.first()
    cg1.goto("/")
    cg1.page.click(f"#campaign-targets a:has-text('{target.unit.name}')")
    cg1.shot("cg1-target")
    cg1.submit("main form button[type=submit]")
    target.refresh_from_db()
    assert target.inspection is not None and f"/inspections/{target.inspection_id}/" in cg1.page.url
    cg1.shot("cg1-inspection-started")
    # The record is an ordinary inspection; it is completed as any other.
    inspection = target.inspection
    cg2 = demo.users["cg2"]
    inspection_save_draft(
        actor=demo.users["cg1"],
        inspection=inspection,
        answers={a.item_id: (Answer.CONFORMS, "") for a in inspection.answers.all()},
        inspectors=[demo.users["cg1"], cg2],
        overall_result="conforming",
        representative="负责人",
    )
    for _n in range(inspection.template.photos_required):
        inspection_photo_add(
            actor=demo.users["cg1"], inspection=inspection, upload=jpeg(size=(64, 48)), client_id=uuid.uuid4()
        )
    for person in (demo.users["cg1"], cg2):
        signature_add(
            actor=demo.users["cg1"], inspection=inspection, role=SignerRole.INSPECTOR, user=person, upload=png()
        )
    signature_add(actor=demo.users["cg1"], inspection=inspection, role=SignerRole.REPRESENTATIVE, refused=True)
    inspection_submit(actor=demo.users["cg1"], inspection=inspection)

    inst.goto(f"/campaigns/{campaign.pk}/")
    progress = inst.page.inner_text("#progress")
    done_in_town = CampaignTarget.objects.filter(campaign=campaign, area=town, inspection__status="submitted").count()
    assert done_in_town == 1
    rate = f"{100 * 1 / mine.count():.1f}%"
    assert rate in progress
    inst.shot("inst-progress-moved")
    inst.goto(f"/draws/{draw.pk}/")
    inst.submit("main form button[type=submit]")
    draw.refresh_from_db()
    assert draw.published_at is not None
    inst.shot("inst-published")

    visitor = journey(PHONE, "public")
    visitor.goto(f"/public/{demo.county.code}/")
    page = visitor.page.content()
    visitor.shot("public-page")
    assert "合格" in page and visitor.page.locator("script").count() == 0
    for person in demo.users.values():  # no people's names, no phones
        assert person.full_name not in page and (not person.phone or person.phone not in page)
    section = visitor.page.locator(f"#draw-{draw.pk}")
    seed = section.locator("code.seed").inner_text()
    pool = [c.text_content() for c in section.locator("ol.pool code").all()]  # inside a closed <details>
    picks = [r.get_attribute("data-unit") for r in section.locator("tr.pick").all()]
    ranked = sorted(pool, key=lambda unit: hashlib.sha256(f"{seed}:{unit}".encode()).hexdigest())
    assert picks == ranked[: int(section.locator(".count").inner_text())]
    assert re.fullmatch(r"[0-9a-f]{64}", seed)
