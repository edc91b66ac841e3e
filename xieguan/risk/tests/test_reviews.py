"""Supervisor review of records: a monthly sample weighted to risk and past
problems; 合格 / 有问题 / 退回 with a comment; the co-manager corrects; the
review rate and the problem share are indicators."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from xieguan.core.registry import registry
from xieguan.inspections.models import OverallResult
from xieguan.risk.models import RecordReview, ReviewResult
from xieguan.risk.reviews import draw_weights, review_corrected, review_draw, review_record
from xieguan.risk.services import recompute
from xieguan.risk.tests.factories import bulk_units, inspect

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 5, 12)


@pytest.fixture
def month_records(demo):
    risky, plain = bulk_units(demo, 2, opened_on=datetime.date(2025, 1, 1))
    for back in (30, 60, 90):
        inspect(demo, risky, DAY - datetime.timedelta(days=back), result=OverallResult.SERIOUS)
    recompute([risky, plain])
    return [inspect(demo, risky, DAY), inspect(demo, plain, DAY)]


def test_riskier_units_weigh_more_in_the_draw(demo, month_records):
    weights = draw_weights(month_records)
    assert weights[month_records[0].pk] > weights[month_records[1].pk] >= 1


def test_draw_review_and_correct(demo, month_records, login):
    inst, cg1 = demo.users["inst"], demo.users["cg1"]
    with pytest.raises(Http404):  # the county lies outside a township's co-manager
        review_draw(actor=cg1, county=demo.county, year=2026, month=5)
    with pytest.raises(PermissionDenied):  # the bureau sees it but the institute reviews
        review_draw(actor=demo.users["bureau"], county=demo.county, year=2026, month=5)
    assert review_draw(actor=inst, county=demo.county, year=2026, month=5, share=50) == 1
    assert review_draw(actor=inst, county=demo.county, year=2026, month=5, share=100) == 1  # the rest; none twice
    review = RecordReview.objects.order_by("-weight").first()
    with pytest.raises(ValidationError):
        review_record(actor=inst, review=review, result=ReviewResult.PROBLEM, comment=" ")
    review_record(actor=inst, review=review, result=ReviewResult.PROBLEM, comment="现场照片缺失")
    page = login(cg1).get(reverse("risk:review", args=[review.pk])).content.decode()
    assert "现场照片缺失" in page and 'id="mark-corrected"' in page
    assert login(cg1).post(reverse("risk:review", args=[review.pk]), {"action": "corrected"}).status_code == 302
    review.refresh_from_db()
    assert review.corrected_at is not None
    with pytest.raises(Http404):
        review_corrected(actor=demo.users["dh1"], review=review)
    assert login(demo.users["dh1"]).get(reverse("risk:review", args=[review.pk])).status_code == 404
    # A past problem makes the recorder's next records weigh more.
    later = inspect(demo, month_records[1].unit, DAY + datetime.timedelta(days=1))
    assert draw_weights([later])[later.pk] >= 4


def test_the_review_indicators(demo, month_records):
    inst = demo.users["inst"]
    review_draw(actor=inst, county=demo.county, year=2026, month=5, share=100)
    first, second = RecordReview.objects.order_by("id")
    review_record(actor=inst, review=first, result=ReviewResult.OK, comment="")
    review_record(actor=inst, review=second, result=ReviewResult.RETURNED, comment="签名缺失")

    class P:
        year, month = 2026, 5
        start = timezone.make_aware(datetime.datetime(2026, 5, 1))
        end = timezone.make_aware(datetime.datetime(2026, 6, 1))

    by_code = {i.code: i for i in registry.indicators}
    rate = by_code["review_rate"].value(demo.users["bureau"], area=demo.county, period=P, today=DAY)
    share = by_code["review_problems"].value(demo.users["bureau"], area=demo.county, period=P, today=DAY)
    assert (rate.numerator, rate.denominator) == (2, 2)
    assert (share.numerator, share.denominator) == (1, 2)


def test_the_reviews_page_draws_and_refuses_bad_input(demo, month_records, login):
    inst = login(demo.users["inst"])
    assert inst.post(reverse("risk:reviews"), {"year": "x", "month": 13, "share": 10}).status_code == 422
    assert not RecordReview.objects.exists()
    assert inst.post(reverse("risk:reviews"), {"year": 2026, "month": 5, "share": 100}).status_code == 302
    page = inst.get(reverse("risk:reviews") + "?year=2026&month=5").content.decode()
    assert page.count("待复核") >= 2
    assert login(demo.users["cg1"]).post(reverse("risk:reviews"), {"year": 2026, "month": 5}).status_code == 404
