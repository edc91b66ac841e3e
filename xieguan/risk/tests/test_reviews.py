"""Supervisor review of records: a monthly sample weighted to risk and past
problems; 合格 / 有问题 / 退回 with a comment; the co-manager corrects; the
review rate and the problem share are indicators."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xieguan.assessments.periods import Span
from xieguan.core.errors import StateConflict
from xieguan.core.registry import registry
from xieguan.inspections.models import OverallResult
from xieguan.risk.models import RecordReview, ReviewResult
from xieguan.risk.reviews import draw_weights, review_corrected, review_draw, review_record
from xieguan.risk.selectors import reviews_for
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


def test_draw_review_and_correct(demo, month_records, login, api_token):
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
    # Nothing found yet, so nothing to correct: refused for the review's state (409), with why.
    with pytest.raises(StateConflict):
        review_corrected(actor=cg1, review=review)
    early = Client().post(f"/api/risk/reviews/{review.pk}/corrected", **api_token(cg1))
    assert early.status_code == 409 and "只有有问题或退回的记录需要整改" in early.json()["detail"]
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
        first_day, last_day = datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)
        start = timezone.make_aware(datetime.datetime(2026, 5, 1))
        end = timezone.make_aware(datetime.datetime(2026, 6, 1))

    by_code = {i.code: i for i in registry.indicators}
    rate = by_code["review_rate"].value(demo.users["bureau"], area=demo.county, period=P, today=DAY)
    share = by_code["review_problems"].value(demo.users["bureau"], area=demo.county, period=P, today=DAY)
    passed = by_code["review_pass"].value(demo.users["bureau"], area=demo.county, period=P, today=DAY)
    assert (rate.numerator, rate.denominator) == (2, 2)
    assert (share.numerator, share.denominator) == (1, 2)
    assert (passed.numerator, passed.denominator, passed.percent) == (1, 2, Decimal("50.0"))


def _reviewed(demo, results):
    """One reviewed record per result, in May 2026, in the first township (and one left pending)."""
    inst = demo.users["inst"]
    units = bulk_units(demo, len(results) + 1, opened_on=datetime.date(2025, 1, 1))
    for unit in units:
        inspect(demo, unit, DAY)
    review_draw(actor=inst, county=demo.county, year=2026, month=5, share=100)
    for review, result in zip(RecordReview.objects.order_by("id"), results, strict=False):
        review_record(actor=inst, review=review, result=result, comment="" if result == ReviewResult.OK else "缺页")


def test_the_pass_rate_equals_the_reviews_selector_per_township_and_over_a_half_year(demo):
    _reviewed(demo, [ReviewResult.OK, ReviewResult.OK, ReviewResult.PROBLEM, ReviewResult.RETURNED, ReviewResult.OK])
    township, sibling = demo.townships[0], demo.townships[1]
    indicator = next(i for i in registry.indicators if i.code == "review_pass")
    bureau = demo.users["bureau"]
    for period in (
        Span(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)),
        Span(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
    ):
        rate = indicator.value(bureau, area=township, period=period, today=DAY)
        months = [(2026, m) for m in range(period.first_day.month, period.last_day.month + 1)]
        ok = reviews_for(bureau, area=township, months=months, result="ok").count()
        reviewed = reviews_for(bureau, area=township, months=months, result="reviewed").count()
        assert (rate.numerator, rate.denominator) == (ok, reviewed) == (3, 5)  # the pending one is not counted
    assert indicator.value(bureau, area=sibling, period=period, today=DAY).denominator == 0
    # A co-manager of the sibling township counts none of them, even asking about the county.
    outside = indicator.value(demo.users["dh1"], area=demo.county, period=period, today=DAY)
    assert (outside.numerator, outside.denominator) == (0, 0)
    # Another month's sample is not this month's.
    june = Span(datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    assert indicator.value(bureau, area=township, period=june, today=DAY).denominator == 0


def test_the_pass_rate_drills_down_to_the_reviews_behind_it(demo, login, api_token):
    _reviewed(demo, [ReviewResult.OK, ReviewResult.PROBLEM])
    township = demo.townships[0]
    indicator = next(i for i in registry.indicators if i.code == "review_pass")
    half = Span(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    url = indicator.drill(township, half)
    assert f"area={township.pk}" in url and "months=6" in url and "result=reviewed" in url
    page = login(demo.users["bureau"]).get(url).content.decode()
    rows = re.findall(r'<a href="/risk/reviews/([^/"]+)/"', page)
    wanted = reviews_for(
        demo.users["bureau"], area=township, months=[(2026, m) for m in range(1, 7)], result="reviewed"
    )
    assert sorted(rows) == sorted(str(pk) for pk in wanted.values_list("pk", flat=True)) and len(rows) == 2
    assert 'id="reviews-area"' in page
    # The township's co-manager opens it; one beside it gets a 404 for a township not theirs.
    assert login(demo.users["cg1"]).get(url).status_code == 200
    assert login(demo.users["dh1"]).get(url).status_code == 404
    # The API narrows the list the same way, and refuses a bad result with a message.
    query = f"?area_id={township.pk}&year=2026&month=1&months=6&result=reviewed"
    body = Client().get("/api/risk/reviews" + query, **api_token(demo.users["bureau"])).json()
    assert sorted(r["id"] for r in body["items"]) == sorted(rows)
    assert Client().get("/api/risk/reviews" + query, **api_token(demo.users["dh1"])).status_code == 404
    bad = Client().get("/api/risk/reviews?result=maybe", **api_token(demo.users["bureau"]))
    assert bad.status_code in (400, 422) and bad.json()["detail"]


def test_an_assessment_scheme_scores_an_item_on_the_pass_rate(demo):
    from xieguan.assessments import services as assessments
    from xieguan.assessments.models import ItemKind

    _reviewed(demo, [ReviewResult.OK, ReviewResult.OK, ReviewResult.OK, ReviewResult.PROBLEM])
    bureau = demo.users["bureau"]
    scheme = assessments.scheme_create(actor=bureau, area=demo.county, name="复核考核")
    assessments.scheme_item_add(
        actor=bureau,
        scheme=scheme,
        name="记录复核合格率",
        max_score=Decimal(20),
        kind=ItemKind.AUTO,
        indicator_code="review_pass",
        target=Decimal(90),
        floor=Decimal(50),
    )
    assessments.scheme_publish(actor=bureau, scheme=scheme)
    for township in demo.townships[:2]:
        assessments.population_save(actor=bureau, area=township, year=2026, population=10000, source="测试")
    assessment = assessments.assessment_create(
        actor=bureau,
        scheme=scheme,
        name="2026年上半年考核",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
        areas=demo.townships[:2],
        budget_mode="entered",
        budget=Decimal(1000),
    )
    assessments.assessment_start(actor=bureau, assessment=assessment, today=datetime.date(2026, 7, 5))
    scores = {s.area_id: s for s in assessment.scores.select_related("item")}
    mine, beside = scores[demo.townships[0].pk], scores[demo.townships[1].pk]
    assert (mine.figures["code"], mine.figures["numerator"], mine.figures["denominator"]) == ("review_pass", 3, 4)
    assert mine.figures["percent"] == "75.0"
    assert Decimal(0) < mine.score < Decimal(20)  # between the floor (50 %) and the target (90 %)
    assert (beside.figures["denominator"], beside.figures["percent"]) == (0, None)


def test_the_reviews_page_draws_and_refuses_bad_input(demo, month_records, login):
    inst = login(demo.users["inst"])
    assert inst.post(reverse("risk:reviews"), {"year": "x", "month": 13, "share": 10}).status_code == 422
    assert not RecordReview.objects.exists()
    assert inst.post(reverse("risk:reviews"), {"year": 2026, "month": 5, "share": 100}).status_code == 302
    page = inst.get(reverse("risk:reviews") + "?year=2026&month=5").content.decode()
    assert page.count("待复核") >= 2
    assert login(demo.users["cg1"]).post(reverse("risk:reviews"), {"year": 2026, "month": 5}).status_code == 404
