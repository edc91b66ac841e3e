"""The demo's assessments: the seeds' scheme, a finished first half whose
funds add up to the budget, a second half with one manual item left."""

from __future__ import annotations

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
