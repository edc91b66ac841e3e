"""Issue 21 read line by line: the campaign's checklist on its visits, the
summary's materials and photos, the public page's dates and pages, and the
回避关系 people declare."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from xieguan.campaigns import services
from xieguan.campaigns.models import CampaignMaterial, DrawConflict
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.models import ChecklistItem, ChecklistStatus, ChecklistTemplate
from xieguan.inspections.tests.factories import submitted
from xieguan.units.models import Category, Subtype
from xieguan.units.services import unit_update

PUBLIC_QUERIES = 4  # the county, a page of draws, their units, a page of grades (results: only when published)
ITEMS = ["池水游离性余氯符合标准", "救生员持证上岗"]


def special_checklist(demo: Any) -> ChecklistTemplate:
    place = Category.objects.get(code="public_place")
    template = ChecklistTemplate.objects.create(
        county=demo.county,
        category=place,
        subtype=Subtype.objects.create(category=place, county=demo.county, name="专项用"),
        title="游泳场所专项检查表",
        status=ChecklistStatus.PUBLISHED,
        published_at=timezone.now(),
        photos_required=1,
    )
    for n, text in enumerate(ITEMS, start=1):
        ChecklistItem.objects.create(template=template, code=str(n), text=text, sort=n)
    return template


def picture(name: str = "p.jpg", colour: str = "teal") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_target_visit_uses_the_campaigns_checklist_and_other_visits_the_categorys(
    demo: Any, login: Any, campaign: Any, pools: Any
) -> None:
    inst, cg1 = demo.users["inst"], demo.users["cg1"]
    campaign.template = special_checklist(demo)
    campaign.save()
    services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][:1])
    target = campaign.targets.get()
    client = login(cg1)
    response = client.post(f"/campaigns/targets/{target.pk}/record/")
    target.refresh_from_db()
    record = target.inspection
    assert response.status_code == 302 and record.template == campaign.template
    assert sorted(a.item.text for a in record.answers.select_related("item")) == sorted(ITEMS)
    page = client.get(f"/inspections/{record.pk}/").content.decode()
    assert all(text in page for text in ITEMS)
    # A unit no campaign targets is inspected on its category's checklist.
    other = submitted(cg1, pools["cg"][1], inspectors=[cg1, demo.users["cg2"]])
    assert other.template != campaign.template and not other.answers.filter(item__text=ITEMS[0]).exists()


def test_the_summary_carries_materials_and_the_visits_photos_in_page_word_and_pdf(
    demo: Any, login: Any, campaign: Any, pools: Any
) -> None:
    from docx import Document

    inst, cg1, cg2 = demo.users["inst"], demo.users["cg1"], demo.users["cg2"]
    services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][:2])
    record = submitted(cg1, pools["cg"][0], inspectors=[cg1, cg2])
    client = login(inst)
    response = client.post(
        f"/campaigns/{campaign.pk}/materials/", {"title": "动员会照片", "file": picture("会.jpg", "olive")}
    )
    assert response.status_code == 302
    client.post(
        f"/campaigns/{campaign.pk}/materials/",
        {"title": "工作方案", "file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 plan")},
    )
    page = client.get(f"/campaigns/{campaign.pk}/summary/").content.decode()
    photo = record.photos.first()
    assert f"/inspections/photos/{photo.pk}/" in page and "动员会照片" in page and "工作方案" in page
    material = CampaignMaterial.objects.get(title="工作方案")
    assert client.get(f"/campaigns/materials/{material.pk}/").status_code == 200
    assert login(demo.users["dh1"]).get(f"/campaigns/materials/{material.pk}/").status_code == 404
    document = Document(io.BytesIO(client.get(f"/campaigns/{campaign.pk}/summary.docx").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "专项检查材料" in text and "工作方案" in text and "检查照片" in text
    assert len(document.inline_shapes) == 1 + record.photos.count()  # the picture material and the photos
    pdf = client.get(f"/campaigns/{campaign.pk}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.count(b"/Subtype /Image") >= 2
    # Bad input: a file that is no material changes nothing, in Chinese.
    bad = client.post(f"/campaigns/{campaign.pk}/materials/", {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 200 and "材料只能是" in bad.content.decode()
    fake = client.post(f"/campaigns/{campaign.pk}/materials/", {"file": SimpleUploadedFile("x.jpg", b"nope")})
    assert "不是图片" in fake.content.decode() and CampaignMaterial.objects.count() == 2
    # Beside: dh1 cannot upload.
    assert login(demo.users["dh1"]).post(f"/campaigns/{campaign.pk}/materials/", {"file": picture()}).status_code in (
        403,
        404,
    )


def test_the_materials_api_uploads_once_per_id_and_lists(demo: Any, api_token: Any, campaign: Any) -> None:
    headers = api_token(demo.users["inst"])
    made = uuid.uuid4()
    url = f"/api/campaigns/{campaign.pk}/materials"
    first = Client().post(url, {"file": picture(), "title": "照片", "id": str(made)}, **headers)
    again = Client().post(url, {"file": picture(), "title": "照片", "id": str(made)}, **headers)
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == str(made)
    assert [m["id"] for m in Client().get(url, **headers).json()] == [str(made)]
    assert Client().get(f"{url}/{made}", **headers)["Content-Type"] == "image/jpeg"
    bad = Client().post(url, {"file": SimpleUploadedFile("a.exe", b"MZ")}, **headers)
    assert bad.status_code in (400, 422) and "材料" in bad.json()["detail"]


def test_the_public_page_dates_grades_and_results_and_pages_both_lists(demo: Any, campaign: Any, pools: Any) -> None:
    inst, cg1, cg2 = demo.users["inst"], demo.users["cg1"], demo.users["cg2"]
    graded = pools["cg"][0]
    unit_update(actor=inst, unit=graded, hygiene_grade="A")
    graded.refresh_from_db()
    assert graded.hygiene_graded_on == timezone.localdate()
    unit_update(actor=inst, unit=graded, address="新地址 1 号")
    graded.refresh_from_db()
    assert graded.hygiene_graded_on == timezone.localdate()  # another change keeps the grade's date
    type(graded).objects.filter(pk=graded.pk).update(hygiene_graded_on="2025-03-04")
    town = [str(demo.townships[0].pk)]
    draws = [services.draw_make(actor=inst, campaign=campaign, filters={"townships": town}, count=1) for _n in range(3)]
    draws += [
        services.draw_make(
            actor=inst, area=demo.county, title=f"抽查{n}", filters={"category": "public_place"}, count=2
        )
        for n in range(4)
    ]
    first = draws[0]
    unit_id = first.picks[0]["unit_id"]
    record = submitted(cg1, type(graded).objects.get(pk=unit_id), inspectors=[cg1, cg2])
    services.draw_publish(actor=inst, draw=first)
    anonymous = Client()
    county = demo.county.code
    page = anonymous.get(f"/public/{county}/").content.decode()
    assert "2025-03-04" in page and "评定日期" in page
    assert len(re.findall(r'<section class="draw"', page)) == 5 and str(first.pk) not in page  # newest first
    more = re.search(r'href="(\?after=[^"]+)" rel="next">更早的抽取', page).group(1)
    older = anonymous.get(f"/public/{county}/{more.replace('&amp;', '&')}").content.decode()
    assert f"draw-{first.pk}" in older and len(re.findall(r'<section class="draw"', older)) == 2
    assert f'检查日期 <time class="inspected-on">{timezone.localdate(record.started_at):%Y-%m-%d}</time>' in older
    # The JSON pages alike, with the published results and their dates, nothing personal.
    data = anonymous.get(f"/api/public-draws/{county}/draws").json()
    assert len(data["items"]) == 5 and data["next_cursor"]
    rest = anonymous.get(f"/api/public-draws/{county}/draws?after={data['next_cursor']}").json()
    found = next(d for d in rest["items"] if d["id"] == str(first.pk))
    assert found["results"][0]["inspected_on"] == timezone.localdate(record.started_at).isoformat()
    assert rest["next_cursor"] is None and all(not d["results"] for d in data["items"])
    same = anonymous.get(f"/public/{county}/draws.json?after={data['next_cursor']}").json()
    assert [d["id"] for d in same["items"]] == [d["id"] for d in rest["items"]]
    for person in demo.users.values():
        assert person.full_name not in str(rest) and person.full_name not in older
    assert anonymous.get(f"/public/{county}/?after=garbage&grades_after=%%%").status_code == 200


def test_the_public_page_costs_the_same_queries_whatever_the_number_of_draws(demo: Any, campaign: Any) -> None:
    inst = demo.users["inst"]
    county = demo.county.code

    def fetch() -> None:
        assert Client().get(f"/public/{county}/").status_code == 200

    def grow() -> None:
        for n in range(6):
            services.draw_make(
                actor=inst, area=demo.county, title=f"抽{n}", filters={"category": "public_place"}, count=2
            )

    services.draw_make(actor=inst, area=demo.county, title="首", filters={"category": "public_place"}, count=1)
    assert_constant_queries(fetch, grow, exactly=PUBLIC_QUERIES)


def test_people_declare_conflicts_and_the_draw_never_sends_them(demo: Any, login: Any, pools: Any) -> None:
    inst, cg1, dh1 = demo.users["inst"], demo.users["cg1"], demo.users["dh1"]
    unit = pools["cg"][0]
    # A co-manager declares their own, on the page; the form offers them only themself.
    client = login(cg1)
    form = client.get("/campaigns/conflicts/new/").content.decode()
    assert str(cg1.pk) in form and str(demo.users["cg2"].pk) not in form
    response = client.post(
        "/campaigns/conflicts/new/", {"unit": unit.pk, "inspector": cg1.pk, "reason": "配偶在该单位工作"}
    )
    assert response.status_code == 302 and DrawConflict.objects.filter(unit=unit, inspector=cg1).exists()
    assert unit.name in client.get("/campaigns/conflicts/").content.decode()
    # Without a reason: refused in Chinese, nothing made.
    before = DrawConflict.objects.count()
    refused = client.post("/campaigns/conflicts/new/", {"unit": pools["cg"][1].pk, "inspector": cg1.pk})
    assert refused.status_code == 200 and ("请填写" in refused.content.decode() or "必填" in refused.content.decode())
    assert DrawConflict.objects.count() == before
    # Beside: dh1 cannot declare for a unit of 城关镇, nor for someone else.
    login(dh1).post("/campaigns/conflicts/new/", {"unit": unit.pk, "inspector": dh1.pk, "reason": "x"})
    login(dh1).post("/campaigns/conflicts/new/", {"unit": pools["dh"][0].pk, "inspector": cg1.pk, "reason": "x"})
    assert DrawConflict.objects.count() == before
    assert unit.name not in login(dh1).get("/campaigns/conflicts/").content.decode()
    # The institute declares for a supervisor of its county on the page.
    other = demo.users["inst2"]
    login(inst).post("/campaigns/conflicts/new/", {"unit": unit.pk, "inspector": other.pk, "reason": "曾在该单位任职"})
    assert DrawConflict.objects.filter(unit=unit, inspector=other).exists()
    assert AuditEvent.objects.filter(action="draw_conflict.create").count() == 2
    from xieguan.campaigns.models import CampaignSettings

    CampaignSettings.objects.create(county=demo.county, comanagers_drawn=True)
    for n in range(15):
        draw = services.draw_make(
            actor=inst,
            area=demo.county,
            title=f"第{n}次",
            filters={"category": "public_place"},
            count=9,
            inspectors_per_target=3,
        )
        picked = {p["unit_id"]: p["inspector_ids"] for p in draw.picks}[str(unit.pk)]
        assert str(cg1.pk) not in picked and str(other.pk) not in picked
    # Withdrawn by the institute only.
    conflict = DrawConflict.objects.get(unit=unit, inspector=cg1)
    assert client.post(f"/campaigns/conflicts/{conflict.pk}/remove/").status_code in (403, 404)
    assert login(inst).post(f"/campaigns/conflicts/{conflict.pk}/remove/").status_code == 302
    assert not DrawConflict.objects.filter(pk=conflict.pk).exists()


def test_the_conflicts_api_declares_once_lists_and_withdraws(demo: Any, api_token: Any, pools: Any) -> None:
    inst, cg1, dh1 = demo.users["inst"], demo.users["cg1"], demo.users["dh1"]
    unit = pools["cg"][0]
    made = uuid.uuid4()
    body = {"id": str(made), "unit_id": str(unit.pk), "inspector_id": str(cg1.pk), "reason": "亲属"}
    first = Client().post("/api/draw-conflicts", body, content_type="application/json", **api_token(cg1))
    again = Client().post("/api/draw-conflicts", body, content_type="application/json", **api_token(cg1))
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == str(made)
    listed = Client().get("/api/draw-conflicts", **api_token(inst)).json()["items"]
    assert [c["id"] for c in listed] == [str(made)]
    assert Client().get("/api/draw-conflicts", **api_token(dh1)).json()["items"] == []
    beside = dict(body, id=str(uuid.uuid4()), inspector_id=str(dh1.pk))
    answer = Client().post("/api/draw-conflicts", beside, content_type="application/json", **api_token(dh1))
    assert answer.status_code == 404
    someone = dict(body, id=str(uuid.uuid4()), inspector_id=str(demo.users["cg2"].pk))
    answer = Client().post("/api/draw-conflicts", someone, content_type="application/json", **api_token(cg1))
    assert answer.status_code == 403 and answer.json()["detail"]
    assert Client().delete(f"/api/draw-conflicts/{made}", **api_token(cg1)).status_code == 403
    assert Client().delete(f"/api/draw-conflicts/{made}", **api_token(inst)).status_code == 204
    assert not DrawConflict.objects.exists()


def test_the_field_app_and_the_api_visit_a_target_on_the_campaigns_checklist(
    demo: Any, api_token: Any, campaign: Any, pools: Any
) -> None:
    """The phone learns the campaign's checklist for its targets from the
    bootstrap, and the record it starts through the API is made on it, so the
    answers it sends fit; once visited, the unit is back on its category's."""
    inst, cg1, cg2 = demo.users["inst"], demo.users["cg1"], demo.users["cg2"]
    campaign.template = special_checklist(demo)
    campaign.save()
    services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][:1])
    unit = pools["cg"][0]
    headers = api_token(cg1)
    boot = Client().get("/api/field/bootstrap", **headers).json()
    mapped = {u["id"]: u["checklist_id"] for u in boot["units"]}
    assert mapped[str(unit.pk)] == str(campaign.template.pk)
    assert mapped[str(pools["cg"][1].pk)] != str(campaign.template.pk)
    sent = next(c for c in boot["checklists"] if c["id"] == str(campaign.template.pk))
    assert [i["text"] for i in sent["items"]] == ITEMS
    body = {
        "unit_id": str(unit.pk),
        "started_at": timezone.now().isoformat(),
        "inspector_ids": [str(cg1.pk), str(cg2.pk)],
    }
    made = Client().post("/api/inspections", body, content_type="application/json", **headers)
    assert made.status_code == 201, made.content
    record = made.json()
    assert record["checklist_id"] == str(campaign.template.pk)
    answers = [{"item_id": i["id"], "result": "conforms", "note": ""} for i in sent["items"]]
    patched = Client().patch(
        f"/api/inspections/{record['id']}", {"answers": answers}, content_type="application/json", **headers
    )
    assert patched.status_code == 200, patched.content
    assert campaign.targets.get().inspection_id is not None
    boot = Client().get("/api/field/bootstrap", **headers).json()
    assert {u["id"]: u["checklist_id"] for u in boot["units"]}[str(unit.pk)] != str(campaign.template.pk)


DRAW_PAGE_QUERIES = 4  # the county, the draw, its picked units, its pool's names (results: only when published)


def test_a_draws_public_page_costs_the_same_queries_whatever_its_pool(demo: Any, campaign: Any) -> None:
    """The list page no longer carries every pool (on the demo it made the page
    tens of thousands of pixels tall on a phone): each draw's own page does,
    in a fixed number of queries however large the pool."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inst, county = demo.users["inst"], demo.county.code
    town = [str(demo.townships[0].pk)]
    small = services.draw_make(actor=inst, campaign=campaign, filters={"townships": town}, count=1)
    large = services.draw_make(actor=inst, area=demo.county, title="大", filters={"category": "public_place"}, count=3)
    assert len(large.pool) > len(small.pool)
    for draw in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page = Client().get(f"/public/{county}/draws/{draw.pk}/")
        assert page.status_code == 200 and len(queries) == DRAW_PAGE_QUERIES, [q["sql"] for q in queries]
        assert len(re.findall(r"<li><code>", page.content.decode())) == len(draw.pool)
    services.draw_publish(actor=inst, draw=small)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(f"/public/{county}/draws/{small.pk}/").status_code == 200
    assert len(queries) == DRAW_PAGE_QUERIES + 1  # the published results
