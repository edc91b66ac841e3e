"""The indicator pages speak English to a user who chose it (the language
cookie), and Chinese to everyone else: the dashboard, a figure's breakdown,
the records behind it, the county summary and the boundary form."""

from __future__ import annotations

from typing import Any

from django.conf import settings

# page → (English that must show, the Chinese it replaces)
PAGES = {
    "dashboard": (
        "/indicators/?area={county}&period=2026Q2",
        [
            ("Overdue today", "今日逾期"),
            ("All indicators", "各项指标"),
            ("Hygiene licence holding rate", "卫生许可证持证率"),
            ("Monthly report timeliness = township monthly reports", "月报及时率 = 截止日前上报的乡镇月报"),
            ("Q2 2026", "2026年第2季度"),
            ("H1 2026", "2026年上半年"),
            ("Custom date range", "自定义起止日期"),
            ("so no rate exceeds 100%.", "任何比率都不会超过100%。"),
            ("Map of units (their state today)", "单位地图（今日状态）"),
            ("Patrol overdue", "巡查逾期"),
        ],
    ),
    "breakdown": (
        "/indicators/health_cert/?area={county}&period=2026Q2",
        [
            ("Health certificate holding rate", "健康证持证率"),
            ("See all the records", "查看全部记录"),
            ("<th>Station</th>", "<th>协管站</th>"),
            ("<th>Numerator</th>", "<th>分子</th>"),
        ],
    ),
    "records": (
        "/indicators/health_cert/records/?area={county}&period=2026Q2",
        [
            ("Records of Health certificate holding rate", "健康证持证率的记录"),
            ("<th>Certificate no.</th>", "<th>证号</th>"),
            ("Not met", "未达标"),
        ],
    ),
    "monthly records": (
        "/indicators/monthly_complete/records/?area={county}&period=2026Q2",
        [("<th>Deadline</th>", "<th>截止日</th>"), ("<th>On time</th>", "<th>按时</th>")],
    ),
    "summary": (
        "/indicators/summary/?area={county}&period=2026Q2",
        [
            ("health supervision co-management summary, Q2 2026", "2026年第2季度卫生监督协管工作总结"),
            ("Month by month", "逐月趋势"),
            ("April 2026", "2026年4月"),
            ("went ahead in good order", "有序开展"),
            ("Download Word", "下载Word"),
        ],
    ),
    "boundary form": (
        "/indicators/boundary/{county}/",
        [("Boundary file (GeoJSON)", "边界文件（GeoJSON）"), ("Upload the boundary of", "的边界")],
    ),
}


def test_the_indicator_pages_speak_english_when_chosen_and_chinese_by_default(demo: Any, login: Any) -> None:
    english = login(demo.users["bureau"])
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chinese = login(demo.users["bureau"])
    for name, (url, words) in PAGES.items():
        url = url.format(county=demo.county.pk)
        page = english.get(url)
        assert page.status_code == 200, name
        text = page.content.decode()
        for en, zh in words:
            assert en in text, (name, en)
            assert zh not in text, (name, zh)
        text = chinese.get(url).content.decode()
        for en, zh in words:
            assert zh in text, (name, zh)
            assert en not in text, (name, en)
