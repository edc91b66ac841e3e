"""The summary carries the checklist analytics (issue 27 item 5: they feed
the annual summary): the items failed most often in the summarised area and
period, in the page, the draft, the Word and the PDF, read only within the
caller's area."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.utils import timezone

from xieguan.indicators.spans import parse_span
from xieguan.indicators.summary import draft, roll_up
from xieguan.inspections.tests.factories import plain_unit, submitted
from xieguan.risk.analytics import most_failed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def failures(demo: Any) -> dict[str, Any]:
    """城关镇: two records failing their first item; 河东镇: one failing its first three."""
    cg1, cg2, dh1, dh2 = (demo.users[k] for k in ("cg1", "cg2", "dh1", "dh2"))
    at = timezone.make_aware(datetime.datetime(2026, 11, 10, 10))
    ours = [submitted(cg1, plain_unit(demo.townships[0]), inspectors=[cg1, cg2], fails=1, at=at) for _ in range(2)]
    theirs = submitted(dh1, plain_unit(demo.townships[1]), inspectors=[dh1, dh2], fails=3, at=at)
    return {"ours": ours, "theirs": theirs}


def _first_items(inspection: Any, n: int) -> list[str]:
    return [a.item.text for a in inspection.answers.select_related("item").order_by("item__sort")[:n]]


def test_the_items_failed_most_often_in_an_area_and_period(demo: Any, failures: Any) -> None:
    bureau = demo.users["bureau"]
    start = timezone.make_aware(datetime.datetime(2026, 1, 1))
    end = timezone.make_aware(datetime.datetime(2027, 1, 1))
    township = demo.townships[0]
    rows = most_failed_items(bureau, within=township.path, start=start, end=end)
    (first,) = _first_items(failures["ours"][0], 1)
    assert rows[0]["text"] == first and rows[0]["failed"] == 2 and rows[0]["answered"] == 2
    assert sum(r["failed"] for r in rows) == 2  # 河东镇's failures are not 城关镇's
    county = most_failed_items(bureau, within=demo.county.path, start=start, end=end)
    assert sum(r["failed"] for r in county) == 5
    assert most_failed_items(bureau, within=demo.county.path, start=end, end=end + datetime.timedelta(days=31)) == []


def test_a_user_reads_only_their_own_area_whatever_area_is_asked(demo: Any, failures: Any) -> None:
    start = timezone.make_aware(datetime.datetime(2026, 1, 1))
    end = timezone.make_aware(datetime.datetime(2027, 1, 1))
    beside = most_failed_items(demo.users["dh1"], within=demo.county.path, start=start, end=end)
    assert sum(r["failed"] for r in beside) == 3  # 河东镇's own, never 城关镇's
    above = most_failed_items(demo.users["city"], within=demo.county.path, start=start, end=end)
    assert sum(r["failed"] for r in above) == 5


def test_the_summary_page_draft_word_and_pdf_carry_them(demo: Any, failures: Any, login: Any) -> None:
    bureau = demo.users["bureau"]
    span = parse_span("2026", area=demo.county, today=datetime.date(2026, 12, 6))
    summary = roll_up(bureau, area=demo.county, span=span, today=datetime.date(2026, 12, 6))
    top = summary.failures[0]["text"]
    assert "检查表中不符合最多的项目是" in draft(summary) and top in draft(summary)
    client = login(bureau)
    url = f"/indicators/summary/?area={demo.county.pk}&period=2026"
    page = client.get(url).content.decode()
    assert "不符合最多的检查项目" in page and top in page
    word = client.post(url, {"text": draft(summary), "format": "docx", "chart": "coverage"})
    body = zipfile.ZipFile(io.BytesIO(word.content)).read("word/document.xml").decode()
    assert "不符合最多的检查项目" in body and "不符合率" in body
    pdf = client.post(url, {"text": draft(summary), "format": "pdf", "chart": "coverage"})
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
