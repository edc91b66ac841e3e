"""Campaign pages, the co-manager's targets, progress, the public page and the API."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xieguan.campaigns import services
from xieguan.campaigns.models import Campaign, CampaignTarget, RandomDraw
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.tests.factories import submitted
from xieguan.units.models import Category


def test_the_institute_starts_a_campaign_with_its_basis_document(demo: Any, login: Any, pools: Any) -> None:
    client = login(demo.users["inst"])
    place = Category.objects.get(code="public_place")
    response = client.post(
        "/campaigns/new/",
        {
            "area": demo.county.pk,
            "name": "游泳场所专项检查",
            "basis": "示卫发〔2026〕8号",
            "basis_file": SimpleUploadedFile("../../etc/通知.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
            "starts_on": "2026-06-01",
            "ends_on": "2026-12-31",
            "category": place.pk,
            "all_units": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.basis_name == "通知.pdf"  # kept as text only
    assert campaign.basis_file.name.startswith("campaigns/basis/") and ".." not in campaign.basis_file.name
    assert campaign.targets.count() == 9
    assert client.get(f"/campaigns/{campaign.pk}/basis/").status_code == 200
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "城关镇" in page and "河东镇" in page and "0.0%" in page


def test_a_bad_period_is_refused_in_chinese_and_nothing_is_made(demo: Any, login: Any) -> None:
    client = login(demo.users["inst"])
    events = AuditEvent.objects.count()
    response = client.post(
        "/campaigns/new/",
        {"area": demo.county.pk, "name": "专项", "starts_on": "2026-06-01", "ends_on": "2026-05-01"},
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Campaign.objects.exists() and AuditEvent.objects.count() == events


def test_co_manager_sees_targets_records_one_and_progress_moves(
    demo: Any, login: Any, campaign: Any, pools: Any
) -> None:
    inst, cg1, cg2 = demo.users["inst"], demo.users["cg1"], demo.users["cg2"]
    services.campaign_targets_from_filter(actor=inst, campaign=campaign)
    client = login(cg1)
    home = client.get("/").content.decode()
    assert "专项检查对象待检查" in home
    assert pools["cg"][0].name in home and pools["dh"][0].name not in home
    target = CampaignTarget.objects.get(unit=pools["cg"][0])
    response = client.post(f"/campaigns/targets/{target.pk}/record/")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.inspection is not None and response["Location"].endswith(f"/inspections/{target.inspection_id}/")
    assert not target.is_done
    # A record made elsewhere (the field app, the API) of another target links itself.
    record = submitted(cg1, pools["cg"][1], inspectors=[cg1, cg2])
    other = CampaignTarget.objects.get(unit=pools["cg"][1])
    other.refresh_from_db()
    assert other.inspection == record and other.is_done
    detail = login(inst).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "20.0%" in detail  # 1 of 5 in 城关镇
    # Every figure leads down to its units and records, the rates too.
    town = f"/campaigns/{campaign.pk}/targets/?township={demo.townships[0].pk}"
    for figure in (f'{town}">5</a>', f'{town}&amp;state=done">1</a>', f'{town}&amp;state=open">4</a>'):
        assert figure in detail
    assert f'{town}">20.0%</a>' in detail
    done = login(inst).get(f"/campaigns/{campaign.pk}/targets/?township={demo.townships[0].pk}&state=done")
    assert pools["cg"][1].name in done.content.decode() and pools["cg"][2].name not in done.content.decode()


def test_the_targets_list_costs_the_same_queries_whatever_its_length(
    demo: Any, login: Any, campaign: Any, pools: Any
) -> None:
    inst = demo.users["inst"]
    services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][:1])
    client = login(inst)

    def fetch() -> None:
        assert client.get(f"/campaigns/{campaign.pk}/targets/").status_code == 200

    def grow() -> None:
        services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][1:] + pools["dh"])

    assert_constant_queries(fetch, grow, exactly=12)


def test_the_public_page_shows_draws_and_published_results_without_personal_data(
    demo: Any, campaign: Any, pools: Any
) -> None:
    inst, cg1, cg2 = demo.users["inst"], demo.users["cg1"], demo.users["cg2"]
    draw = services.draw_make(actor=inst, campaign=campaign, count=9)
    submitted(cg1, pools["cg"][0], inspectors=[cg1, cg2])
    anonymous = Client()
    county = demo.county.code
    page = anonymous.get(f"/public/{county}/").content.decode()
    assert draw.seed in page and "待公开" in page and "符合" not in page
    services.draw_publish(actor=inst, draw=draw)
    page = anonymous.get(f"/public/{county}/").content.decode()
    assert "待公开" not in page and "尚未检查" in page
    for person in (inst, demo.users["inst2"], cg1, cg2):
        assert person.full_name not in page
        assert person.phone not in page
    assert "张红星" not in page and "13800001111" not in page  # the units' legal representative and phone
    assert "<script" not in page
    seed = re.search(r'<code class="seed">([0-9a-f]{64})</code>', page).group(1)
    picks = re.findall(r'<tr class="pick" data-unit="([0-9a-f-]{36})">', page)
    # The list links to the draw's own page, which alone carries the whole pool.
    assert '<ol class="pool">' not in page
    own = re.search(r'<a class="verify" href="([^"]+)">', page).group(1)
    assert own == f"/public/{county}/draws/{draw.pk}/"
    detail = anonymous.get(own).content.decode()
    assert "<script" not in detail and f'<code class="seed">{seed}</code>' in detail
    pool = re.findall(r"<li><code>([0-9a-f-]{36})</code> ", detail)
    assert pool == draw.pool and pools["cg"][0].name in detail
    ranked = sorted(pool, key=lambda u: hashlib.sha256(f"{seed}:{u}".encode()).hexdigest())
    assert picks == ranked[: len(picks)] and len(picks) == 9
    assert re.findall(r'<tr class="pick" data-unit="([0-9a-f-]{36})">', detail) == picks
    example = hashlib.sha256(f"{seed}:{pool[0]}".encode()).hexdigest()
    assert f'<code class="example-digest">{example}</code>' in detail
    for person in (inst, demo.users["inst2"], cg1, cg2):
        assert person.full_name not in detail and person.phone not in detail
    assert "张红星" not in detail and "13800001111" not in detail
    assert anonymous.get(f"/public/{county}/draws/{uuid.uuid4()}/").status_code == 404
    assert anonymous.get(f"/public/{county}/draws/not-a-uuid/").status_code == 404
    assert anonymous.get(f"/public/nowhere/draws/{draw.pk}/").status_code == 404
    data = anonymous.get(f"/api/public-draws/{county}/draws/{draw.pk}").json()
    assert data["seed"] == seed and data["pool"] == draw.pool and data["picks"] == picks and data["count"] == 9
    assert "inspector" not in str(data)
    assert anonymous.get(f"/public/{county}/draws/{draw.pk}.json").json()["seed"] == seed
    assert anonymous.get(f"/api/public-draws/{county}/draws/{uuid.uuid4()}").status_code == 404
    assert anonymous.get("/public/nowhere/").status_code == 404


def test_the_api_makes_a_campaign_once_and_a_draw(demo: Any, api_token: Any, pools: Any) -> None:
    headers = api_token(demo.users["inst"])
    client = Client()
    body = {
        "id": str(uuid.uuid4()),
        "area_id": str(demo.county.pk),
        "name": "游泳场所专项检查",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "category": "public_place",
    }
    first = client.post("/api/campaigns", body, content_type="application/json", **headers)
    again = client.post("/api/campaigns", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200) and Campaign.objects.count() == 1
    draw_body = {"id": str(uuid.uuid4()), "campaign_id": body["id"], "ratio": 10}
    made = client.post("/api/draws", draw_body, content_type="application/json", **headers)
    assert made.status_code == 201, made.content
    assert client.post("/api/draws", draw_body, content_type="application/json", **headers).status_code == 200
    assert RandomDraw.objects.count() == 1
    got = client.get(f"/api/draws/{draw_body['id']}", **headers).json()
    assert got["count"] == 1 and len(got["pool"]) == 9
    assert [p["unit_id"] for p in got["picks"]] == sorted(
        got["pool"], key=lambda u: hashlib.sha256(f"{got['seed']}:{u}".encode()).hexdigest()
    )[:1]
    assert len(got["picks"][0]["inspector_ids"]) == 2
    targets = client.get(f"/api/campaigns/{body['id']}/targets", **headers).json()["items"]
    assert [t["unit_id"] for t in targets] == [got["picks"][0]["unit_id"]]
    bad = client.post("/api/draws", {"campaign_id": body["id"], "count": 0}, content_type="application/json", **headers)
    assert bad.status_code == 422 and bad.json()["detail"]
    refused = client.post(
        "/api/draws",
        {"campaign_id": body["id"], "count": 1},
        content_type="application/json",
        **api_token(demo.users["dh1"]),
    )
    # A co-manager may not draw at all: the role is refused first (403 in
    # Chinese), whichever campaign is named, and nothing is drawn.
    assert refused.status_code == 403 and refused.json()["detail"] and RandomDraw.objects.count() == 1


def test_the_field_app_lists_the_targets_to_visit(demo: Any, api_token: Any, campaign: Any, pools: Any) -> None:
    services.campaign_targets_from_filter(actor=demo.users["inst"], campaign=campaign)
    due = Client().get("/api/field/bootstrap", **api_token(demo.users["cg1"])).json()["due"]
    named = {d["unit_name"] for d in due if d["campaign"] == campaign.name}
    assert named == {u.name for u in pools["cg"]}


def test_the_closing_summary_is_drafted_from_the_data_edited_and_exported(
    demo: Any, login: Any, campaign: Any, pools: Any
) -> None:
    import io

    from docx import Document

    inst = demo.users["inst"]
    services.campaign_targets_from_filter(actor=inst, campaign=campaign)
    client = login(inst)
    page = client.get(f"/campaigns/{campaign.pk}/summary/").content.decode()
    assert "共列检查对象 9 户，已检查 0 户" in page
    response = client.post(f"/campaigns/{campaign.pk}/summary/", {"summary": "全县游泳场所总体良好。", "close": "on"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.closed_at is not None and campaign.summary == "全县游泳场所总体良好。"
    document = Document(io.BytesIO(client.get(f"/campaigns/{campaign.pk}/summary.docx").content))
    assert "全县游泳场所总体良好。" in [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "城关镇" in cells and pools["dh"][0].name in cells
    pdf = client.get(f"/campaigns/{campaign.pk}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert login(demo.users["cg1"]).post(f"/campaigns/{campaign.pk}/summary/", {"summary": "改"}).status_code == 404


def test_a_township_starts_a_campaign_for_its_own_area_only(demo: Any, login: Any, pools: Any) -> None:
    """Issue 21 §1: a township runs a campaign in its own area; the county and
    a sibling township stay out of its reach, and a refusal makes nothing."""
    cg1 = demo.users["cg1"]
    town, beside = demo.townships[0], demo.townships[1]
    client = login(cg1)
    form = client.get("/campaigns/new/").content.decode()
    assert town.name in form and beside.name not in form
    body = {"name": "学校食堂开学专项检查", "starts_on": "2026-09-01", "ends_on": "2026-09-30"}
    for area in (demo.county, beside):
        refused = client.post("/campaigns/new/", {**body, "area": area.pk})
        assert refused.status_code in (200, 403, 404) and not Campaign.objects.exists()
    made = client.post("/campaigns/new/", {**body, "area": town.pk})
    assert made.status_code == 302, made.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.area == town and campaign.created_by == cg1
    assert AuditEvent.objects.filter(action="campaign.create", object_id=str(campaign.pk)).exists()
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert login(demo.users["dh1"]).get(f"/campaigns/{campaign.pk}/").status_code == 404
