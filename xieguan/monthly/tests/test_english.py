"""The monthly report in English: the report page, the county's review and
the workbook's file name read in the user's language (Chinese by default)."""

from __future__ import annotations

import datetime
from urllib.parse import unquote

from django.conf import settings
from django.urls import reverse

from xieguan.monthly.tests.factories import set_clock

LAST_DAY = datetime.date(2026, 11, 30)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_report_page_review_and_workbook_read_in_english(demo, login, monkeypatch, township, comanager_in):
    set_clock(monkeypatch, LAST_DAY)
    report = reverse("monthly:report", args=[township.pk, 2026, 11])
    client = english(login(comanager_in))
    page = client.get(report).text
    for words in ("Deadline: ", "Reporting unit: ", "Filled in by: ", "Patrol coverage", "Timely report rate"):
        assert words in page
    for words in ("截止日期", "填报单位", "填报人", "巡查覆盖率", "及时报告率"):
        assert words not in page
    workbook = client.get(reverse("monthly:workbook_xlsx", args=[township.pk, 2026, 11]))
    assert "Monthly report" in unquote(workbook["Content-Disposition"])

    review = english(login(demo.users["inst"])).get(reverse("monthly:review") + "?year=2026&month=11").text
    assert "expected" in review and "应报" not in review

    chinese = login(comanager_in).get(report).text
    assert "截止日期：" in chinese and "填报单位：" in chinese and "Deadline" not in chinese
    workbook = login(comanager_in).get(reverse("monthly:workbook_xlsx", args=[township.pk, 2026, 11]))
    assert "月报表" in unquote(workbook["Content-Disposition"])
