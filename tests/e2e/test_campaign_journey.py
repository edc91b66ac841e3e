"""Issue 21's journey: inst starts a campaign and draws 10 % of 城关镇's and
河东镇's public places with inspector pairs; cg1 sees the targets on the home
page and in the field app and records one; the progress moves; inst
publishes the results; an anonymous visitor reads the public page, and the
draw is recomputed here from the page's seed with hashlib."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.utils import timezone
from PIL import Image

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.accounts.models import RoleCode
from xieguan.campaigns.models import Campaign, CampaignTarget, RandomDraw
from xieguan.demo.county import DEMO_PASSWORD, add_demo_user, load_county
from xieguan.demo.units import load_units
from xieguan.inspections.models import ChecklistStatus, Inspection
from xieguan.units.models import Category, Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The campaign's own checklist: what its visits are asked, not the category's.
SPECIAL_ITEMS = ["池水游离性余氯符合标准", "浸脚消毒池设置并正常使用", "救生员持证上岗"]


def _draw(page, canvas) -> None:
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 22, y + (18 if step % 2 else -18), steps=3)
    page.mouse.up()


def test_campaign_draw_targets_record_publish_and_public_page(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_units(demo)
    today = timezone.localdate()
    town, beside = demo.townships[0], demo.townships[1]
    place = Category.objects.get(code="public_place")

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
    # The campaign's own checklist, written and published from its page.
    inst.page.click("#campaign-checklist")
    inst.page.fill("#id_title", "游泳场所专项检查表")
    inst.page.fill("#id_items", "\n".join(f"{n} | {text}" for n, text in enumerate(SPECIAL_ITEMS, start=1)))
    inst.page.check("#id_publish")
    inst.shot("inst-campaign-checklist-form")
    inst.submit()
    assert "专项检查表已发布并启用" in inst.page.inner_text("body")
    assert all(text in inst.page.inner_text("#in-use") for text in SPECIAL_ITEMS)
    campaign.refresh_from_db()
    assert campaign.template.title == "游泳场所专项检查表" and campaign.template.status == ChecklistStatus.PUBLISHED
    inst.shot("inst-campaign-checklist-published")
    # A 回避关系 declared on its page first: the draw never sends that supervisor there.
    avoided = (
        Unit.objects.filter(area__path__startswith=town.path, category=place).exclude(status="closed").order_by("name")
    ).first()
    kin = demo.users["inst2"]
    # The demo institute has two supervisors: with inst2 avoiding a unit, that
    # unit could not get a pair, and the draw (its seed is random) would be
    # refused whenever it picked that unit. A third supervisor makes the
    # journey the same on every run.
    add_demo_user("inst3", "王立新", demo.institute, [RoleCode.SUPERVISOR], title="医师")
    inst.goto("/campaigns/conflicts/new/")
    box = inst.page.locator("#id_unit_q")
    box.click()
    box.press_sequentially(avoided.name, delay=40)
    option = inst.page.locator(f"#id_unit_results input[value='{avoided.pk}']")
    option.wait_for()
    option.check()
    inst.page.select_option("#id_inspector", str(kin.pk))
    inst.page.fill("#id_reason", "亲属在该单位工作")
    inst.shot("inst-conflict-form")
    inst.submit()
    assert "回避关系已申报" in inst.page.inner_text("body") and avoided.name in inst.page.inner_text("#conflicts")
    inst.shot("inst-conflicts")
    inst.goto(f"/campaigns/{campaign.pk}/")
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
    assert not any(p["unit_id"] == str(avoided.pk) and str(kin.pk) in p["inspector_ids"] for p in draw.picks)
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
    # The visit's form is the campaign's own checklist, not the category's.
    cg1.page.wait_for_selector("#draft-form")
    form_text = cg1.page.inner_text("#draft-form")
    assert all(text in form_text for text in SPECIAL_ITEMS)
    radios = cg1.page.locator("#draft-form .answer")
    assert radios.count() == len(SPECIAL_ITEMS)
    cg1.shot("cg1-campaign-checklist")
    # The record is an ordinary inspection; cg1 completes it on the web as any other.
    for n in range(len(SPECIAL_ITEMS)):
        radios.nth(n).locator(f"input[value={'fails' if n == 0 else 'conforms'}]").check()
    cg1.page.locator("#draft-form input[name^=n_]").nth(0).fill("池水余氯 0.1 mg/L，低于标准")
    cg1.page.check(f"#draft-form input[name=inspectors][value='{demo.users['cg2'].pk}']")
    cg1.page.fill("#id_problems", "池水余氯偏低")
    cg1.page.select_option("#id_overall_result", "rectify")
    cg1.page.fill("#id_representative", "负责人")
    cg1.page.click("#draft-form button[value=save]")
    assert "草稿已保存" in cg1.page.inner_text("body")
    photo = tmp_path / "pool.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    inspection = Inspection.objects.get(pk=target.inspection_id)
    for n in range(max(1, inspection.template.photos_required)):
        Image.new("RGB", (800, 600), ("teal", "olive", "navy")[n % 3]).save(photo, format="JPEG")
        cg1.page.set_input_files("#photo-form input[type=file]", str(photo))
        cg1.page.click("#photo-form button[type=submit]")
        assert "照片已上传" in cg1.page.inner_text("body")
    for index in range(3):
        sign = cg1.page.locator("form.sign-form").nth(index)
        _draw(cg1.page, sign.locator("canvas"))
        sign.locator("button[type=submit]").click()
        assert "签名已保存" in cg1.page.inner_text("body")
    cg1.page.on("dialog", lambda dialog: dialog.accept())
    cg1.page.click("#draft-form button[value=submit]")
    assert "已提交并锁定" in cg1.page.inner_text("body")
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and inspection.template.title == "游泳场所专项检查表"
    assert inspection.answers.filter(result="fails", item__text=SPECIAL_ITEMS[0]).exists()
    record_text = cg1.page.inner_text("main")
    assert SPECIAL_ITEMS[0] in record_text and "池水余氯 0.1 mg/L" in record_text
    cg1.shot("cg1-campaign-record-submitted")

    inst.goto(f"/campaigns/{campaign.pk}/")
    progress = inst.page.inner_text("#progress")
    done_in_town = CampaignTarget.objects.filter(campaign=campaign, area=town, inspection__status="submitted").count()
    assert done_in_town == 1
    rate = f"{100 * 1 / mine.count():.1f}%"
    assert rate in progress
    inst.shot("inst-progress-moved")
    inst.goto(f"/campaigns/{campaign.pk}/materials/")
    minutes = tmp_path / "动员会纪要.pdf"
    minutes.write_bytes(b"%PDF-1.4 minutes")
    inst.page.fill("#id_title", "专项检查动员会纪要")
    inst.page.set_input_files("#id_file", str(minutes))
    inst.submit()
    assert "材料已上传" in inst.page.inner_text("body")
    summary = inst.page.inner_text("main")
    assert "专项检查动员会纪要" in summary and target.unit.name in inst.page.inner_text("#photos")
    assert inst.page.locator("#photos img").count() >= 1
    assert f"{SPECIAL_ITEMS[0]}\t0\t1" in inst.page.inner_text("#items")
    # Every photo loads (a loaded but broken image has no width); under load they may still be on their way.
    # (Not wait_for_function: its predicate is eval'd in the page, which the CSP refuses.)
    inst.page.locator("#photos img").evaluate_all(
        "(imgs) => Promise.all(imgs.map((i) => i.complete || new Promise((done) => {"
        " i.addEventListener('load', done); i.addEventListener('error', done); })))"
    )
    assert inst.page.evaluate("[...document.querySelectorAll('#photos img')].every(i => i.naturalWidth > 0)")
    inst.shot("inst-summary-materials-photos")
    inst.goto(f"/draws/{draw.pk}/")
    inst.submit("main form button[type=submit]")
    draw.refresh_from_db()
    assert draw.published_at is not None
    inst.shot("inst-published")

    visitor = journey(PHONE, "public")
    visitor.goto(f"/public/{demo.county.code}/")
    page = visitor.page.content()
    visitor.shot("public-page")
    assert visitor.page.locator("script").count() == 0
    assert f"检查日期 {timezone.localdate(inspection.started_at):%Y-%m-%d}" in visitor.page.inner_text(
        f"#draw-{draw.pk}"
    )
    assert "评定日期" in page
    for person in demo.users.values():  # no people's names, no phones
        assert person.full_name not in page and (not person.phone or person.phone not in page)
    # The list page is short on a phone: each draw's pool lives on the draw's own page.
    assert visitor.page.locator("ol.pool").count() == 0
    assert visitor.page.evaluate("document.documentElement.scrollHeight") < 6000
    section = visitor.page.locator(f"#draw-{draw.pk}")
    seed = section.locator("code.seed").inner_text()
    count = int(section.locator(".count").inner_text())
    picks = [r.get_attribute("data-unit") for r in section.locator("tr.pick").all()]
    section.locator("a.verify").click()
    visitor.page.wait_for_url(f"**/public/{demo.county.code}/draws/{draw.pk}/")
    assert visitor.page.locator("script").count() == 0
    assert visitor.page.locator("code.seed").inner_text() == seed
    visitor.page.click("details summary")
    pool = [c.text_content() for c in visitor.page.locator("ol.pool code").all()]
    assert pool == draw.pool
    visitor.shot("public-draw-page")
    detail = visitor.page.content()
    for person in demo.users.values():
        assert person.full_name not in detail and (not person.phone or person.phone not in detail)
    ranked = sorted(pool, key=lambda unit: hashlib.sha256(f"{seed}:{unit}".encode()).hexdigest())
    assert picks == ranked[:count]
    assert [r.get_attribute("data-unit") for r in visitor.page.locator("tr.pick").all()] == picks
    assert re.fullmatch(r"[0-9a-f]{64}", seed)
