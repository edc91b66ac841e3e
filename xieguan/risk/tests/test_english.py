"""The risk pages speak English when the user chose it, and Chinese (the
default) otherwise: their fixed words all go through gettext."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from xieguan.inspections.models import OverallResult
from xieguan.risk.models import RecordReview, ReviewResult
from xieguan.risk.reviews import review_draw, review_record
from xieguan.risk.services import recompute
from xieguan.risk.tests.factories import bulk_units, inspect

pytestmark = pytest.mark.django_db


def _pages(demo: Any) -> dict[str, str]:
    """A scored unit with two violations and one drawn record reviewed with problems."""
    today = timezone.localdate()
    (unit,) = bulk_units(demo, 1, opened_on=datetime.date(2025, 1, 1))
    inspect(demo, unit, today - datetime.timedelta(days=20), result=OverallResult.RECTIFY)
    last = today - datetime.timedelta(days=10)
    inspect(demo, unit, last, result=OverallResult.SERIOUS)
    recompute([unit])
    review_draw(actor=demo.users["inst"], county=demo.county, year=last.year, month=last.month, share=100)
    review = RecordReview.objects.first()
    assert review is not None
    review_record(actor=demo.users["inst"], review=review, result=ReviewResult.PROBLEM, comment="x")
    return {
        "overview": reverse("risk:overview"),
        "settings": reverse("risk:settings"),
        "backtest": reverse("risk:backtest"),
        "checklists": reverse("risk:checklists"),
        "reviews": reverse("risk:reviews"),
        "review": reverse("risk:review", args=[review.pk]),
        "unit": reverse("units:detail", args=[unit.pk]),
    }


EXPECTED = {
    "overview": [("Scoring formula and weights", "评分公式与权重"), ("Main reasons", "主要原因")],
    "settings": [("Risk factor", "风险因素"), ("Each expired licence", "每个已过期的许可证")],
    "backtest": [("Risk-order backtest", "风险排序回测"), ("No backtest has been run yet.", "还没有做过回测。")],
    "checklists": [("Failed checklist items", "检查项不合格分析"), ("Failure rate", "不合格率")],
    "reviews": [("Draw records for review", "抽取复核样本"), ("Review result", "复核结果")],
    "review": [("Month drawn", "抽取月份"), ("has problems", "有问题"), ("Save the review result", "保存复核结果")],
    "unit": [("violation records (last 12 months)", "次违法记录（近12个月）"), ("Scoring formula", "评分公式")],
}


def test_the_risk_pages_in_english_and_in_chinese(demo, login):
    urls = _pages(demo)
    client = login(demo.users["inst"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for name, url in urls.items():
        page = client.get(url).content.decode()
        for english, chinese in EXPECTED[name]:
            assert english in page, (name, english)
            assert chinese not in page, (name, chinese)
    chinese_client = login(demo.users["inst"])
    for name, url in urls.items():
        page = chinese_client.get(url).content.decode()
        for _english, chinese in EXPECTED[name]:
            assert chinese in page, (name, chinese)
