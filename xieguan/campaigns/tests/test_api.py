"""The API does what the campaign pages do (issue 19 item 2): targets added,
a target's record started, draws published and redrawn, the settings, the
basis document and the summary, with the pages' scope, permissions and audit."""

from __future__ import annotations

import datetime
import io
import re
import uuid
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xieguan.campaigns import services
from xieguan.campaigns.models import Campaign, CampaignSettings, CampaignTarget, RandomDraw
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.models import Inspection
from xieguan.units.models import Category

JSON = "application/json"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _township_campaign(demo: Any) -> Campaign:
    """A campaign of 城关镇 alone: 河东镇 (dh1) does not see it."""
    return services.campaign_create(
        actor=demo.users["inst"],
        area=demo.townships[0],
        name="城关镇游泳场所专项",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        category=Category.objects.get(code="public_place"),
    )


def _chinese_detail(response: Any) -> str:
    detail = response.json()["detail"]
    assert CJK.search(detail), detail
    return detail


def test_targets_are_added_by_township_and_by_hand_once(demo: Any, api_token: Any, campaign: Any, pools: Any) -> None:
    client, headers = Client(), api_token(demo.users["inst"])
    url = f"/api/campaigns/{campaign.pk}/targets"
    body = {"township_id": str(demo.townships[0].pk)}
    added = client.post(url, body, content_type=JSON, **headers)
    assert added.status_code == 200, added.content
    assert sorted(t["unit_name"] for t in added.json()) == sorted(u.name for u in pools["cg"])
    assert {t["source"] for t in added.json()} == {"filter"}
    again = client.post(url, body, content_type=JSON, **headers)
    assert again.status_code == 200 and again.json() == []
    assert CampaignTarget.objects.filter(campaign=campaign).count() == len(pools["cg"])
    by_hand = client.post(url, {"unit_ids": [str(pools["dh"][0].pk)]}, content_type=JSON, **headers)
    assert [(t["unit_name"], t["source"]) for t in by_hand.json()] == [(pools["dh"][0].name, "hand")]
    assert AuditEvent.objects.filter(action="campaign.targets_add", object_id=str(campaign.pk)).count() == 2
    # Bad input: nothing chosen, a unit that does not exist, a township outside.
    before = CampaignTarget.objects.count()
    for bad in ({}, {"unit_ids": [str(uuid.uuid4())]}, {"township_id": str(uuid.uuid4())}):
        refused = client.post(url, bad, content_type=JSON, **headers)
        assert refused.status_code == 422, (bad, refused.content)
        _chinese_detail(refused)
    assert CampaignTarget.objects.count() == before


def test_targets_add_is_refused_beside_and_above(demo: Any, api_token: Any, pools: Any) -> None:
    campaign = _township_campaign(demo)
    body = {"township_id": str(demo.townships[0].pk)}
    url = f"/api/campaigns/{campaign.pk}/targets"
    beside = Client().post(url, body, content_type=JSON, **api_token(demo.users["dh1"]))
    assert beside.status_code == 404 and campaign.name not in beside.content.decode()
    above = Client().post(url, body, content_type=JSON, **api_token(demo.users["city"]))
    assert above.status_code == 403
    assert not CampaignTarget.objects.filter(campaign=campaign).exists()
    # The township's own co-manager manages its campaign.
    inside = Client().post(url, body, content_type=JSON, **api_token(demo.users["cg1"]))
    assert inside.status_code == 200 and len(inside.json()) == len(pools["cg"])


def test_a_county_campaign_seen_from_a_township_is_refused_with_403(
    demo: Any, api_token: Any, campaign: Any, pools: Any
) -> None:
    """cg1 sees the county's campaign through its targets in 城关镇, so
    changing it is a role refusal (403 in Chinese), not a hidden record."""
    services.campaign_targets_from_filter(actor=demo.users["inst"], campaign=campaign)
    cg1 = api_token(demo.users["cg1"])
    assert Client().get(f"/api/campaigns/{campaign.pk}", **cg1).status_code == 200
    before = CampaignTarget.objects.filter(campaign=campaign).count()
    summary = Client().put(f"/api/campaigns/{campaign.pk}/summary", {"summary": "改"}, content_type=JSON, **cg1)
    assert summary.status_code == 403
    _chinese_detail(summary)
    body = {"unit_ids": [str(pools["cg"][0].pk)]}
    targets = Client().post(f"/api/campaigns/{campaign.pk}/targets", body, content_type=JSON, **cg1)
    assert targets.status_code == 403
    campaign.refresh_from_db()
    assert campaign.summary == "" and CampaignTarget.objects.filter(campaign=campaign).count() == before


def test_a_target_is_read_and_its_record_started_once(demo: Any, api_token: Any, campaign: Any, pools: Any) -> None:
    services.campaign_targets_from_filter(actor=demo.users["inst"], campaign=campaign)
    target = CampaignTarget.objects.get(unit=pools["cg"][0])
    cg1 = api_token(demo.users["cg1"])
    got = Client().get(f"/api/campaign-targets/{target.pk}", **cg1)
    assert got.status_code == 200 and got.json()["unit_name"] == pools["cg"][0].name
    assert got.json()["inspection_id"] is None
    beside = Client().get(f"/api/campaign-targets/{target.pk}", **api_token(demo.users["dh1"]))
    assert beside.status_code == 404 and pools["cg"][0].name not in beside.content.decode()

    url = f"/api/campaign-targets/{target.pk}/record"
    assert Client().post(url, {}, content_type=JSON, **api_token(demo.users["city"])).status_code == 403
    assert Client().post(url, {}, content_type=JSON, **api_token(demo.users["dh1"])).status_code == 404
    assert not Inspection.objects.exists()
    record_id = str(uuid.uuid4())
    made = Client().post(url, {"id": record_id}, content_type=JSON, **cg1)
    assert made.status_code == 201, made.content
    assert made.json()["inspection_id"] == record_id
    retry = Client().post(url, {"id": record_id}, content_type=JSON, **cg1)
    assert retry.status_code == 200 and retry.json()["inspection_id"] == record_id
    assert Inspection.objects.count() == 1
    target.refresh_from_db()
    assert str(target.inspection_id) == record_id and target.inspection.unit_id == pools["cg"][0].pk
    assert AuditEvent.objects.filter(action="campaign_target.record", object_id=str(target.pk)).count() == 1
    # Another target cannot take that record's id.
    other = CampaignTarget.objects.get(unit=pools["cg"][1])
    taken = Client().post(f"/api/campaign-targets/{other.pk}/record", {"id": record_id}, content_type=JSON, **cg1)
    assert taken.status_code == 422 and Inspection.objects.count() == 1
    _chinese_detail(taken)
    other.refresh_from_db()
    assert other.inspection_id is None


def test_a_draw_is_published_and_redrawn_with_a_reason(demo: Any, api_token: Any, campaign: Any, pools: Any) -> None:
    inst = api_token(demo.users["inst"])
    draw = services.draw_make(actor=demo.users["inst"], campaign=campaign, count=2)
    publish = f"/api/draws/{draw.pk}/publish"
    assert Client().post(publish, **api_token(demo.users["city"])).status_code == 403
    draw.refresh_from_db()
    assert draw.published_at is None
    published = Client().post(publish, **inst)
    assert published.status_code == 200 and published.json()["published_at"]
    first_time = published.json()["published_at"]
    assert Client().post(publish, **inst).json()["published_at"] == first_time
    assert AuditEvent.objects.filter(action="draw.publish").count() == 1

    redraw = f"/api/draws/{draw.pk}/redraw"
    no_reason = Client().post(redraw, {"reason": ""}, content_type=JSON, **inst)
    assert no_reason.status_code == 422
    _chinese_detail(no_reason)
    assert (
        Client()
        .post(redraw, {"reason": "抽中单位已停业"}, content_type=JSON, **api_token(demo.users["city"]))
        .status_code
        == 403
    )
    assert RandomDraw.objects.count() == 1
    body = {"id": str(uuid.uuid4()), "reason": "抽中单位已停业"}
    made = Client().post(redraw, body, content_type=JSON, **inst)
    assert made.status_code == 201, made.content
    assert made.json()["replaces_id"] == str(draw.pk) and made.json()["reason"] == "抽中单位已停业"
    assert made.json()["count"] == 2 and made.json()["pool"] == [str(p) for p in draw.pool]
    assert Client().post(redraw, body, content_type=JSON, **inst).status_code == 200
    assert RandomDraw.objects.count() == 2
    # The campaign's targets are the redraw's picks; the first draw stays.
    picks = {p["unit_id"] for p in made.json()["picks"]}
    assert {str(u) for u in CampaignTarget.objects.filter(campaign=campaign).values_list("unit_id", flat=True)} == picks


def test_a_township_draw_is_not_found_beside(demo: Any, api_token: Any, pools: Any) -> None:
    campaign = _township_campaign(demo)
    draw = services.draw_make(actor=demo.users["inst"], campaign=campaign, count=1)
    dh1 = api_token(demo.users["dh1"])
    for url, body in ((f"/api/draws/{draw.pk}/publish", {}), (f"/api/draws/{draw.pk}/redraw", {"reason": "重抽"})):
        response = Client().post(url, body, content_type=JSON, **dh1)
        assert response.status_code == 404 and campaign.name not in response.content.decode()
    draw.refresh_from_db()
    assert draw.published_at is None and RandomDraw.objects.count() == 1


def test_the_county_sets_its_draw_settings(demo: Any, api_token: Any) -> None:
    inst = api_token(demo.users["inst"])
    got = Client().get("/api/campaign-settings", **inst)
    assert got.status_code == 200 and got.json()["results_days"] == services.RESULTS_DAYS
    assert got.json()["county_id"] == str(demo.county.pk)
    saved = Client().put(
        "/api/campaign-settings", {"comanagers_drawn": True, "results_days": 30}, content_type=JSON, **inst
    )
    assert saved.status_code == 200 and saved.json()["results_days"] == 30
    found = CampaignSettings.objects.get(county=demo.county)
    assert (found.comanagers_drawn, found.results_days) == (True, 30)
    assert AuditEvent.objects.filter(action="campaign_settings.save").count() == 1
    for bad in ({"comanagers_drawn": False, "results_days": 0}, {"comanagers_drawn": False, "results_days": 121}):
        refused = Client().put("/api/campaign-settings", bad, content_type=JSON, **inst)
        assert refused.status_code == 422
        _chinese_detail(refused)
    for who in ("city", "cg1"):
        refused = Client().put(
            "/api/campaign-settings",
            {"comanagers_drawn": False, "results_days": 5},
            content_type=JSON,
            **api_token(demo.users[who]),
        )
        assert refused.status_code in (403, 404), who
    found.refresh_from_db()
    assert (found.comanagers_drawn, found.results_days) == (True, 30)


def test_the_basis_document_and_the_summary_download(demo: Any, api_token: Any, pools: Any) -> None:
    from docx import Document

    inst = demo.users["inst"]
    campaign = services.campaign_create(
        actor=inst,
        area=demo.townships[0],
        name="城关镇游泳场所专项",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        category=Category.objects.get(code="public_place"),
        basis_file=SimpleUploadedFile("卫监发〔2026〕3号.pdf", b"%PDF-1.4 basis", content_type="application/pdf"),
    )
    services.campaign_targets_from_filter(actor=inst, campaign=campaign)
    headers = api_token(inst)
    basis = Client().get(f"/api/campaigns/{campaign.pk}/basis", **headers)
    assert basis.status_code == 200 and basis["Content-Type"] == "application/pdf"
    assert b"".join(basis.streaming_content) == b"%PDF-1.4 basis"
    assert ".pdf" in basis["Content-Disposition"]
    dh1 = api_token(demo.users["dh1"])
    assert Client().get(f"/api/campaigns/{campaign.pk}/basis", **dh1).status_code == 404
    plain = _township_campaign(demo)
    assert Client().get(f"/api/campaigns/{plain.pk}/basis", **headers).status_code == 404

    url = f"/api/campaigns/{campaign.pk}/summary"
    assert Client().put(url, {"summary": "改"}, content_type=JSON, **api_token(demo.users["city"])).status_code == 403
    assert Client().put(url, {"summary": "改"}, content_type=JSON, **dh1).status_code == 404
    too_long = Client().put(url, {"summary": "字" * 20001}, content_type=JSON, **headers)
    assert too_long.status_code == 422
    campaign.refresh_from_db()
    assert campaign.summary == "" and campaign.closed_at is None
    closed = Client().put(url, {"summary": "全镇游泳场所总体良好。", "close": True}, content_type=JSON, **headers)
    assert closed.status_code == 200 and closed.json()["closed"] is True
    campaign.refresh_from_db()
    assert campaign.summary == "全镇游泳场所总体良好。" and campaign.closed_at is not None

    docx = Client().get(f"{url}.docx", **headers)
    assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
    document = Document(io.BytesIO(docx.content))
    assert "全镇游泳场所总体良好。" in [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert pools["cg"][0].name in cells and pools["dh"][0].name not in cells
    pdf = Client().get(f"{url}.pdf", **headers)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert Client().get(f"{url}.pdf", **dh1).status_code == 404


def test_the_api_lists_cost_the_same_queries_whatever_their_length(
    demo: Any, api_token: Any, campaign: Any, pools: Any
) -> None:
    inst = demo.users["inst"]
    headers = api_token(inst)
    services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][:1])

    def targets() -> None:
        assert Client().get(f"/api/campaigns/{campaign.pk}/targets", **headers).status_code == 200

    def grow_targets() -> None:
        services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][1:] + pools["dh"])

    assert_constant_queries(targets, grow_targets, exactly=6)

    def campaigns() -> None:
        assert Client().get("/api/campaigns", **headers).status_code == 200

    def grow_campaigns() -> None:
        for n in range(3):
            services.campaign_create(
                actor=inst,
                area=demo.county,
                name=f"专项{n}",
                starts_on=datetime.date(2026, 1, 1),
                ends_on=datetime.date(2026, 12, 31),
            )

    assert_constant_queries(campaigns, grow_campaigns, exactly=3)


def test_one_who_may_not_draw_is_refused_for_the_role_whatever_the_body_names(demo: Any, api_token: Any) -> None:
    """The role before the ids: a campaign, an area or a draw's id of another
    area in the body changes nothing to the answer (403 in Chinese)."""
    cg1 = api_token(demo.users["cg1"])
    for body in ({"area_id": str(demo.county.pk), "count": 1}, {"id": str(uuid.uuid4()), "count": 1}):
        refused = Client().post("/api/draws", body, content_type=JSON, **cg1)
        assert refused.status_code == 403, refused.content
        _chinese_detail(refused)
