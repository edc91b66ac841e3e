"""The demo's assessments: the seeds' scheme, a finished first half whose
funds add up to the budget, a second half with one manual item left."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xieguan.assessments.models import Assessment, AssessmentStatus, ItemScore
from xieguan.demo.assessments import FIRST_HALF, SECOND_HALF, SEED_ITEMS, load_assessments

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_first_half_and_a_second_half_with_one_item_left(demo):
    load_assessments(demo)
    first = Assessment.objects.get(name=FIRST_HALF)
    assert first.status == AssessmentStatus.FINAL and first.bulletin_published_at is not None
    assert first.scheme.items.count() == len(SEED_ITEMS)
    assert sum(first.allocations.values_list("amount", flat=True)) == first.budget
    assert first.appeals.filter(answered_at__isnull=False).count() == 1
    assert first.areas.exclude(tier="").count() == 6  # 一等奖 1, 二等奖 2, 三等奖 3
    second = Assessment.objects.get(name=SECOND_HALF)
    assert second.status == AssessmentStatus.SCORING
    assert ItemScore.objects.filter(assessment=second, score__isnull=True).count() == 1


def test_the_demo_village_doctor_reads_their_own_village_result_and_no_other(demo, login, api_token):
    from django.test import Client

    from xieguan.demo.assessments import VILLAGE_FIRST_HALF, VILLAGE_ITEMS, load_village_assessment

    village = load_village_assessment(demo)
    assert village.status == AssessmentStatus.FINAL and village.area == demo.townships[0]
    assert village.areas.count() == 3  # 城北社区居委会, 李家村, 王庄村 of 城关镇
    assert sum(village.allocations.values_list("amount", flat=True)) == village.budget

    cun1 = login(demo.users["cun1"])
    listing = cun1.get("/assessments/").content.decode()
    assert VILLAGE_FIRST_HALF in listing
    page = cun1.get(f"/assessments/{village.pk}/").content.decode()
    assert "李家村" in page and "王庄村" not in page and "城北社区" not in page
    assert all(name in page for name, _top, _guidance in VILLAGE_ITEMS)

    scores = Client().get(f"/api/assessments/{village.pk}/scores", **api_token(demo.users["cun1"])).json()
    li_jia = demo.villages[1]
    assert len(scores["items"]) == len(VILLAGE_ITEMS)
    assert {s["area_id"] for s in scores["items"]} == {str(li_jia.pk)}
    # 李家村 was given 85 % of each item's maximum: 34 + 25.5 + 17 + 8.5
    assert sum(Decimal(s["score"]) for s in scores["items"]) == Decimal("85")

    # another township's people never see 城关镇's village assessment
    assert login(demo.users["dh1"]).get(f"/assessments/{village.pk}/").status_code == 404
