"""A campaign's own checklist written by the county from the campaign's page
(issue 21 §1): items in order, a draft, published, then used by the visits of
the campaign's targets only; versioned like the county's other checklists;
the same through the API; a township cannot write it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.test import Client

from xieguan.campaigns import services
from xieguan.campaigns.models import Campaign
from xieguan.core.models import AuditEvent
from xieguan.inspections.models import ChecklistItem, ChecklistTemplate
from xieguan.inspections.services.checklists import checklist_for
from xieguan.units.models import Subtype

JSON = "application/json"
CJK = re.compile(r"[\u4e00-\u9fff]")
LINES = "2 | 救生员持证上岗 | 《游泳场所卫生规范》\n1 | 池水游离性余氯符合标准\n3 | 浸脚消毒池余氯达标"


def _state(campaign: Campaign) -> tuple[Any, ...]:
    campaign.refresh_from_db()
    return (
        campaign.template_id,
        campaign.checklist_subtype_id,
        ChecklistTemplate.objects.count(),
        ChecklistItem.objects.count(),
        Subtype.objects.count(),
    )


def test_the_county_writes_a_campaign_checklist_on_the_page_and_only_its_targets_use_it(
    demo: Any, login: Any, campaign: Any, pools: Any
) -> None:
    inst, cg1 = demo.users["inst"], demo.users["cg1"]
    services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][:1])
    target = campaign.targets.get()
    ordinary = checklist_for(pools["cg"][1])
    client = login(inst)
    assert f"/campaigns/{campaign.pk}/checklist/" in client.get(f"/campaigns/{campaign.pk}/").content.decode()
    url = f"/campaigns/{campaign.pk}/checklist/"
    assert 'name="items"' in client.get(url).content.decode()

    # A draft first: saved, not yet in use.
    saved = client.post(url, {"title": "游泳场所专项检查表", "items": LINES})
    assert saved.status_code == 302
    campaign.refresh_from_db()
    draft = ChecklistTemplate.objects.get(subtype=campaign.checklist_subtype)
    assert (draft.status, draft.county, draft.category_id, campaign.template_id) == (
        "draft",
        demo.county,
        campaign.category_id,
        None,
    )
    assert [(i.code, i.text, i.basis) for i in draft.items.order_by("sort")] == [
        ("2", "救生员持证上岗", "《游泳场所卫生规范》"),
        ("1", "池水游离性余氯符合标准", ""),
        ("3", "浸脚消毒池余氯达标", ""),
    ]
    assert not campaign.checklist_subtype.is_active  # never offered to a unit
    # Published: the campaign uses it, the page says so.
    published = client.post(url, {"title": "游泳场所专项检查表", "items": LINES, "publish": "on"})
    assert published.status_code == 302
    campaign.refresh_from_db()
    assert campaign.template == draft and campaign.template.status == "published"
    page = client.get(url).content.decode()
    assert "游泳场所专项检查表（第 1 版）" in page and page.index("救生员持证上岗") < page.index("池水游离性余氯")
    assert 'value="游泳场所专项检查表"' in page  # the next version starts from this one's title
    events = set(AuditEvent.objects.filter(object_id=str(campaign.pk)).values_list("action", flat=True))
    assert {"campaign.checklist_start", "campaign.checklist_publish"} <= events
    assert AuditEvent.objects.filter(action="checklist.edit", object_id=str(draft.pk)).exists()

    # The target's visit uses it; a unit no campaign targets keeps its category's.
    assert checklist_for(target.unit) == draft
    assert checklist_for(pools["cg"][1]) == ordinary != draft
    record = login(cg1).post(f"/campaigns/targets/{target.pk}/record/")
    target.refresh_from_db()
    assert record.status_code == 302 and target.inspection.template == draft

    # Versioned like the others: a change is version 2; the record keeps version 1.
    client.post(url, {"title": "游泳场所专项检查表", "items": LINES + "\n4 | 水质检测报告公示", "publish": "on"})
    campaign.refresh_from_db()
    assert campaign.template.version == 2 and campaign.template.items.count() == 4
    target.inspection.refresh_from_db()
    assert target.inspection.template == draft


def test_a_township_cannot_write_the_campaign_checklist_and_a_sibling_does_not_see_it(
    demo: Any, login: Any, api_token: Any, campaign: Any, pools: Any
) -> None:
    inst = demo.users["inst"]
    services.campaign_add_targets(actor=inst, campaign=campaign, units=pools["cg"][:1])
    before = _state(campaign)
    url = f"/campaigns/{campaign.pk}/checklist/"
    body = {"title": "镇里改的", "items": "1 | 镇里改的", "publish": "on"}
    cg1 = login(demo.users["cg1"])  # 城关镇, where the campaign has a target: sees it, cannot write
    assert cg1.get(url).status_code == 200 and 'name="items"' not in cg1.get(url).content.decode()
    assert cg1.post(url, body).status_code == 403
    api = f"/api/campaigns/{campaign.pk}/checklist"
    put = {"title": "镇里改的", "items": [{"code": "1", "text": "镇里改的"}], "publish": True}
    refused = Client().put(api, put, content_type=JSON, **api_token(demo.users["cg1"]))
    assert refused.status_code == 403 and CJK.search(refused.json()["detail"])
    assert Client().get(api, **api_token(demo.users["cg1"])).json()["can_edit"] is False
    # 河东镇 has no target of it: the campaign does not exist for dh1.
    assert login(demo.users["dh1"]).post(url, body).status_code == 404
    assert Client().put(api, put, content_type=JSON, **api_token(demo.users["dh1"])).status_code == 404
    assert _state(campaign) == before


def test_the_api_writes_and_publishes_the_campaign_checklist_once_per_id(
    demo: Any, api_token: Any, campaign: Any
) -> None:
    headers = api_token(demo.users["inst"])
    url = f"/api/campaigns/{campaign.pk}/checklist"
    made = uuid.uuid4()
    body = {
        "id": str(made),
        "title": "专项检查表",
        "items": [{"code": "1", "text": "持证经营"}, {"code": "2", "text": "公示卫生信誉度等级", "basis": "条例"}],
    }
    first = Client().put(url, body, content_type=JSON, **headers)
    again = Client().put(url, body, content_type=JSON, **headers)
    assert (first.status_code, again.status_code) == (200, 200)
    versions = again.json()["versions"]
    assert [(v["id"], v["version"], v["status"]) for v in versions] == [(str(made), 1, "draft")]
    assert [(i["code"], i["text"], i["basis"], i["order"]) for i in versions[0]["items"]] == [
        ("1", "持证经营", "", 0),
        ("2", "公示卫生信誉度等级", "条例", 1),
    ]
    assert first.json()["template_id"] is None and first.json()["can_edit"] is True
    published = Client().post(f"{url}/publish", **headers)
    assert published.status_code == 200 and published.json()["template_id"] == str(made)
    # A retry of the first PUT after publishing answers the version, unchanged: no version 2.
    retry = Client().put(url, body, content_type=JSON, **headers)
    assert [v["status"] for v in retry.json()["versions"]] == ["published"]
    assert ChecklistTemplate.objects.filter(subtype__isnull=False, pk=made).count() == 1
    # Bad input: a clear Chinese message, nothing changed.
    before = _state(campaign)
    for bad in ({"title": "x", "items": []}, {"title": "", "items": [{"code": "1", "text": "a"}]}):
        refused = Client().put(url, bad, content_type=JSON, **headers)
        assert refused.status_code in (400, 422) and CJK.search(str(refused.json()["detail"]))
    same_code = {"title": "x", "items": [{"code": "1", "text": "a"}, {"code": "1", "text": "b"}]}
    refused = Client().put(url, same_code, content_type=JSON, **headers)
    assert refused.status_code == 422 and "编号" in str(refused.json()["detail"])
    assert _state(campaign)[:2] == before[:2]


def test_a_campaign_for_every_category_gets_a_clear_refusal(demo: Any, api_token: Any) -> None:
    import datetime

    plain = services.campaign_create(
        actor=demo.users["inst"],
        area=demo.county,
        name="综合专项",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    body = {"title": "x", "items": [{"code": "1", "text": "a"}]}
    refused = Client().put(
        f"/api/campaigns/{plain.pk}/checklist", body, content_type=JSON, **api_token(demo.users["inst"])
    )
    assert refused.status_code == 422 and "类别" in str(refused.json()["detail"])
    plain.refresh_from_db()
    assert plain.checklist_subtype_id is None and not ChecklistTemplate.objects.filter(title="x").exists()
