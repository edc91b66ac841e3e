"""The assessment pages speak English when the user chose it, and Chinese by default."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from xieguan.assessments import services


def test_assessment_pages_follow_the_chosen_language(demo: Any, login: Any, assessment: Any) -> None:
    bureau = demo.users["bureau"]
    services.station_visit_create(
        actor=demo.users["inst"], area=demo.townships[0], visited_on=assessment.starts_on, supervisors="李明华"
    )
    client = login(bureau)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        "/assessments/": (
            ["Performance assessment", "Launch an assessment", "Assessing area", "Being scored"],
            ["绩效考核", "发起考核", "考核单位", "评分中"],
        ),
        f"/assessments/{assessment.pk}/": (
            ["Assign scorers", "Release the results", "Scorers of the manual items", "Total score", "Appeals"],
            ["指定评分人", "公布结果", "人工项目评分人", "总分", "没有申诉"],
        ),
        "/assessments/new/": (
            ["Assessment name", "Per-capita rate (yuan)", "Assessed areas"],
            ["考核名称", "人均标准（元）", "被考核单位"],
        ),
        f"/assessment-schemes/{assessment.scheme_id}/": (
            ["Create a new version", "Full marks", "Funds formula", "Population share × score coefficient"],
            ["创建新版本", "满分", "经费分配公式", "人口占比"],
        ),
        "/station-visits/": (["Station visits", "Monthly supervision", "Supervisors"], ["督导检查", "月督导"]),
    }
    for url, (english, chinese) in pages.items():
        page = client.get(url).content.decode()
        for text in english:
            assert text in page, (url, text)
        for text in chinese:
            assert text not in page, (url, text)

    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "指定评分人" in page and "公布结果" in page and "人工项目评分人" in page
    assert "Assign scorers" not in page and "Release the results" not in page
