"""Monthly plan, checklists, frequencies and wording pages; autosave and the
correction page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.core.models import AuditEvent
from xieguan.inspections.models import (
    ChecklistTemplate,
    ForbiddenPhrase,
    FrequencyRule,
    Inspection,
    MonthlyPlan,
)
from xieguan.inspections.tests.factories import draft, plain_unit, submitted


@pytest.fixture
def cg2(demo):
    return demo.users["cg2"]


def test_monthly_plan_is_made_from_what_is_due_and_shows_its_completion(demo, login, comanager_in, cg2, township):
    key = plain_unit(township, name="重点宾馆", is_key_unit=True)
    other = plain_unit(township, name="普通理发店")
    spare = plain_unit(township, name="备用单位")
    submitted(comanager_in, other, inspectors=[comanager_in, cg2])  # done this quarter: not due
    client = login(comanager_in)
    today = timezone.localdate()
    url = reverse("inspections:plan") + f"?township={township.pk}&year={today.year}&month={today.month}"
    client.post(url, {"action": "prefill"})
    plan = MonthlyPlan.objects.get(township=township, year=today.year, month=today.month)
    assert set(plan.units.values_list("name", flat=True)) == {"重点宾馆", "备用单位"}
    client.post(url, {"action": "remove", "unit": str(spare.pk)})
    client.post(url, {"action": "add", "unit": str(other.pk)})
    assert set(plan.units.values_list("name", flat=True)) == {"重点宾馆", "普通理发店"}
    page = client.get(url).content.decode()
    assert "已完成 1 / 2 个单位" in page
    submitted(comanager_in, key, inspectors=[comanager_in, cg2])
    assert "已完成 2 / 2 个单位" in client.get(url).content.decode()
    # Prefilling again keeps the edited plan.
    client.post(url, {"action": "prefill"})
    assert plan.units.count() == 2


def test_neighbour_cannot_add_to_the_plan(demo, login, comanager_in, outsider, township):
    unit = plain_unit(township)
    today = timezone.localdate()
    login(comanager_in).post(
        reverse("inspections:plan") + f"?township={township.pk}&year={today.year}&month={today.month}",
        {"action": "prefill"},
    )
    plan = MonthlyPlan.objects.get()
    before = plan.units.count()
    response = login(outsider).post(
        reverse("inspections:plan") + f"?township={township.pk}&year={today.year}&month={today.month}",
        {"action": "add", "unit": str(unit.pk)},
    )
    # dh1's page knows only its own township; nothing changes in 城关镇's plan.
    assert response.status_code == 404
    assert plan.units.count() == before


def test_county_makes_edits_and_publishes_a_checklist_version(demo, login, supervisor_of, comanager_in):
    client = login(supervisor_of)
    from xieguan.units.models import Category

    food = Category.objects.get(code="food")
    client.post(reverse("inspections:checklist_new"), {"category": food.pk})
    template = ChecklistTemplate.objects.get(county=demo.county, category=food)
    assert template.status == "draft" and template.items.count() == 8
    # The national version's photo rule comes along, and the form shows it.
    assert template.photos_required == 2
    url = reverse("inspections:checklist", args=[template.pk])
    assert 'name="photos_required" value="2"' in client.get(url).content.decode()
    bad = client.post(url, {"title": "餐饮巡查表", "photos_required": "2", "items": "1 | 持证经营 |\n只有一段"})
    assert "第 2 行" in bad.content.decode()
    assert template.items.count() == 8
    too_many = client.post(url, {"title": "餐饮巡查表", "photos_required": "21", "items": "1 | 持证经营 |"})
    assert too_many.status_code == 200 and template.items.count() == 8
    items = "1 | 持证经营 | 食品安全法\n2 | 健康证 |"
    client.post(url, {"title": "餐饮巡查表", "photos_required": "3", "items": items})
    page = client.get(url).content.decode()
    # Publishing cannot be undone: the page asks first.
    assert "data-confirm=" in page and "已发布的版本不能再修改" in page
    client.post(url, {"action": "publish"})
    template.refresh_from_db()
    assert template.status == "published" and template.items.count() == 2
    assert template.photos_required == 3
    assert "每份检查记录至少需要 3 张照片" in client.get(url).content.decode()
    # co-managers read it but cannot change it
    assert login(comanager_in).get(url).status_code == 200
    assert login(comanager_in).post(url, {"action": "publish"}).status_code == 403


def test_county_sets_frequencies_and_phrases_and_a_comanager_may_not(demo, login, supervisor_of, comanager_in):
    url = reverse("inspections:settings")
    response = login(comanager_in).post(url, {"action": "phrase", "phrase": "封存"})
    assert response.status_code == 403 and not ForbiddenPhrase.objects.filter(phrase="封存").exists()
    client = login(supervisor_of)
    client.post(url, {"action": "rule", "category": "", "key_unit": "unknown", "period": "month"})
    client.post(url, {"action": "phrase", "phrase": "封存"})
    rule = FrequencyRule.objects.get()
    assert (rule.county, rule.category, rule.key_unit, rule.period) == (demo.county, None, None, "month")
    assert ForbiddenPhrase.objects.filter(county=demo.county, phrase="封存").exists()
    again = client.post(url, {"action": "phrase", "phrase": "罚款"})
    assert "已在列表中" in again.content.decode()
    assert AuditEvent.objects.filter(object_type="inspections.frequencyrule").count() == 1


def test_autosave_keeps_the_draft_as_typed(demo, login, comanager_in, township):
    inspection = draft(comanager_in, plain_unit(township), inspectors=[comanager_in])
    item = inspection.answers.order_by("item__sort").first().item_id
    response = login(comanager_in).post(
        reverse("inspections:autosave", args=[inspection.pk]),
        {"inspectors": [str(comanager_in.pk)], "problems": "地面湿滑", f"a_{item}": "na", "overall_result": ""},
    )
    assert "自动保存" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.problems == "地面湿滑"
    assert inspection.answers.get(item_id=item).result == "na"


def test_correction_page_makes_a_new_version_and_keeps_the_old(demo, login, comanager_in, cg2, township):
    record = submitted(comanager_in, plain_unit(township), inspectors=[comanager_in, cg2])
    client = login(comanager_in)
    refused = client.post(reverse("inspections:correct", args=[record.pk]), {"reason": ""})
    assert refused.status_code == 302 and Inspection.objects.count() == 1
    response = client.post(reverse("inspections:correct", args=[record.pk]), {"reason": "日期记错"})
    new = Inspection.objects.get(supersedes=record)
    assert response["Location"] == reverse("inspections:detail", args=[new.pk])
    old_page = client.get(reverse("inspections:detail", args=[record.pk])).content.decode()
    assert "此版本已被更正" in old_page
    new_page = client.get(reverse("inspections:detail", args=[new.pk])).content.decode()
    assert "日期记错" in new_page and 'id="draft-form"' in new_page
