"""Each indicator of this app counted by hand on a small made-up township,
over a month and a quarter; a unit opened mid-month and one closed
mid-quarter; the filing rate judged from the files' history; no rate above 100% over random data (Hypothesis); scope (a
user inside, above and beside); the drill-down from a figure to a record;
the API; the period parser."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieguan.core.registry import Rate, registry
from xieguan.indicators import tallies
from xieguan.indicators.spans import BadPeriod, parse_span
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.units.models import Category, CertificateKind, Licence, StaffCertificate, Unit, UnitFiling, UnitStatus

TODAY = datetime.date(2026, 12, 6)
D = datetime.date


def _indicator(code: str) -> Any:
    return next(i for i in registry.indicators if i.code == code)


def _unit(area: Any, name: str, opened: datetime.date, closed: datetime.date | None = None) -> Unit:
    return Unit.objects.create(
        name=name,
        area=area,
        category=Category.objects.get(code="public_place"),
        address="人民路 1 号",
        opened_on=opened,
        closed_on=closed,
        status=UnitStatus.CLOSED if closed else UnitStatus.OPEN,
        latitude=Decimal("30.1"),
        longitude=Decimal("120.1"),
    )


def _licence(unit: Unit, expires: datetime.date, issued: datetime.date | None = None) -> Licence:
    return Licence.objects.create(
        unit=unit, kind="公共场所卫生许可证", number=f"L{unit.name}{expires}", issued_on=issued, expires_on=expires
    )


def _cert(unit: Unit, expires: datetime.date | None, kind: str = CertificateKind.HEALTH) -> StaffCertificate:
    return StaffCertificate.objects.create(unit=unit, person_name="王某", kind=kind, expires_on=expires)


@pytest.fixture
def small(demo: Any) -> dict[str, Unit]:
    """城关镇's made-up units (see each line) and one of 河东镇."""
    cg, dh = demo.townships[0], demo.townships[1]
    village = next(v for v in demo.villages if v.parent_id == cg.pk)
    u = {
        "steady": _unit(cg, "一直开着", D(2026, 1, 1)),
        "opened_mid_may": _unit(village, "五月中开业", D(2026, 5, 15)),
        "closed_mid_q2": _unit(cg, "五月停业", D(2026, 1, 1), D(2026, 5, 10)),
        "opened_july": _unit(cg, "七月开业", D(2026, 7, 10)),
        "closed_march": _unit(cg, "三月停业", D(2025, 1, 1), D(2026, 3, 1)),
        "no_licence": _unit(cg, "无许可", D(2026, 1, 1)),
        "beside": _unit(dh, "河东的", D(2026, 1, 1)),
    }
    _licence(u["steady"], D(2027, 1, 1))
    _licence(u["opened_mid_may"], D(2026, 6, 1))  # expired before the quarter's end
    _licence(u["closed_mid_q2"], D(2026, 5, 20))  # valid on the day it closed
    _licence(u["opened_july"], D(2027, 1, 1))
    _licence(u["closed_march"], D(2027, 1, 1))
    _licence(u["beside"], D(2020, 1, 1))
    _cert(u["steady"], D(2027, 1, 1))
    _cert(u["steady"], D(2026, 6, 15))
    _cert(u["closed_mid_q2"], D(2026, 5, 5))  # expired before it closed
    _cert(u["opened_july"], D(2027, 1, 1))
    _cert(u["steady"], None, CertificateKind.TRAINING)
    _cert(u["no_licence"], D(2026, 4, 1), CertificateKind.TRAINING)
    return u


def value(user: Any, code: str, area: Any, period: str, today: datetime.date = TODAY) -> Rate:
    span = parse_span(period, area=area, today=today)
    return _indicator(code).value(user, area=area, period=span, today=today)


def _filed(unit: Unit, *changes: tuple[datetime.date, bool]) -> None:
    """The unit's filing history, (since, complete) rows; ``is_complete`` is the last."""
    UnitFiling.objects.bulk_create(UnitFiling(unit=unit, since=day, complete=complete) for day, complete in changes)
    Unit.objects.filter(pk=unit.pk).update(is_complete=changes[-1][1])


@pytest.fixture
def filed(demo: Any) -> dict[str, Unit]:
    """城关镇's units with a history of their files (see each line)."""
    cg = demo.townships[0]
    village = next(v for v in demo.villages if v.parent_id == cg.pk)
    u = {
        "complete_in_march": _unit(cg, "三月建档完整", D(2025, 6, 1)),
        "opened_mid_may": _unit(village, "五月中开业", D(2026, 5, 15)),
        "closed_mid_q2": _unit(cg, "五月停业", D(2026, 1, 1), D(2026, 5, 10)),
        "lapsed_in_october": _unit(cg, "十月缺项", D(2026, 1, 1)),
        "never_filed": _unit(cg, "未建档", D(2024, 1, 1)),  # no history: never complete
    }
    _filed(u["complete_in_march"], (D(2025, 6, 1), False), (D(2026, 3, 12), True))
    _filed(u["opened_mid_may"], (D(2026, 5, 15), True))
    _filed(u["closed_mid_q2"], (D(2026, 1, 1), False))
    _filed(u["lapsed_in_october"], (D(2026, 1, 1), True), (D(2026, 10, 20), False))
    return u


def test_papers_are_counted_by_hand_over_a_quarter_and_a_month(demo: Any, small: Any) -> None:
    bureau, cg = demo.users["bureau"], demo.townships[0]
    # Q2: steady (valid), opened mid-May (licence expired 1 June: not valid on 30 June), closed
    # 10 May (valid that day); not the one opened in July nor the one closed in March.
    assert value(bureau, "licence", cg, "2026Q2") == Rate(2, 3)
    # May alone: the licence of the one opened mid-May is still valid on 31 May.
    assert value(bureau, "licence", cg, "2026-05") == Rate(3, 3)
    # March: only those existing then (steady, closed-in-May, closed on 1 March itself).
    assert value(bureau, "licence", cg, "2026-03") == Rate(3, 3)
    # Health certificates in Q2: steady's two (one expired 15 June), closed-in-May's (expired before it closed).
    assert value(bureau, "health_cert", cg, "2026Q2") == Rate(1, 3)
    assert value(bureau, "health_cert", cg, "2026-05") == Rate(2, 3)
    # Training certificates: steady's has no end; no_licence's expired 1 April.
    assert value(bureau, "training_cert", cg, "2026Q2") == Rate(1, 2)
    # The county adds 河东镇's expired licence; the half-year and the year run over every month.
    assert value(bureau, "licence", demo.county, "2026Q2") == Rate(2, 4)
    assert value(bureau, "licence", cg, "2026H1") == Rate(3, 4)  # closed_march existed in H1, valid when it closed
    assert value(bureau, "licence", cg, "2026-01-01~2026-05-31").denominator == 4


def test_the_filing_rate_is_judged_on_the_periods_last_day(demo: Any, filed: Any) -> None:
    bureau, cg = demo.users["bureau"], demo.townships[0]
    # February: complete_in_march not yet; only lapsed_in_october complete (of four: not the one opened in May).
    assert value(bureau, "filing", cg, "2026-02") == Rate(1, 4)
    # March: the file completed on 12 March counts.
    assert value(bureau, "filing", cg, "2026-03") == Rate(2, 4)
    assert value(bureau, "filing", cg, "2026-04") == Rate(2, 4)
    # May: closed on 10 May, gone by the 31st; opened on the 15th with a complete file, counted.
    assert value(bureau, "filing", cg, "2026-05") == Rate(3, 4)
    # The quarter and the half-year are judged on 30 June.
    assert value(bureau, "filing", cg, "2026Q2") == Rate(3, 4)
    assert value(bureau, "filing", cg, "2026H1") == Rate(3, 4)
    # November: lapsed_in_october's file lost a field on 20 October.
    assert value(bureau, "filing", cg, "2026-11") == Rate(2, 4)
    assert value(bureau, "filing", cg, "2025-12") == Rate(0, 2)  # only complete_in_march and never_filed existed
    assert value(bureau, "filing", demo.townships[1], "2026-05") == Rate(0, 0)


def test_the_filing_rate_of_today_reads_the_registry_and_agrees_with_the_history(demo: Any, filed: Any) -> None:
    bureau, cg = demo.users["bureau"], demo.townships[0]
    with CaptureQueriesContext(connection) as today:
        assert value(bureau, "filing", cg, "2026-12") == Rate(2, 4)
    assert not any("units_unitfiling" in q["sql"] for q in today.captured_queries)
    # The same December judged from the history once it is over: the same figure, one query.
    with CaptureQueriesContext(connection) as later:
        assert value(bureau, "filing", cg, "2026-12", today=D(2027, 1, 5)) == Rate(2, 4)
    filing = [q["sql"] for q in later.captured_queries if "units_unitfiling" in q["sql"]]
    assert len(filing) == 1


def test_scope_inside_above_and_beside(demo: Any, small: Any) -> None:
    cg = demo.townships[0]
    assert value(demo.users["cg1"], "licence", cg, "2026Q2") == Rate(2, 3)
    assert value(demo.users["city"], "licence", cg, "2026Q2") == Rate(2, 3)
    # 河东镇's co-manager sees only 河东镇's unit, even when asking for the county.
    assert value(demo.users["dh1"], "licence", demo.county, "2026Q2") == Rate(0, 1)


def test_monthly_reports_count_only_months_whose_deadline_passed(demo: Any) -> None:
    bureau, cg = demo.users["bureau"], demo.townships[0]
    MonthlyReport.objects.create(
        township=cg, year=2026, month=10, status=MonthlyStatus.APPROVED, deadline=D(2026, 11, 23), on_time=True
    )
    MonthlyReport.objects.create(
        township=cg, year=2026, month=11, status=MonthlyStatus.SUBMITTED, deadline=D(2026, 12, 23), on_time=True
    )
    stations = len(demo.stations)
    # Q4 on 6 December: October is due (23 November passed); November's and December's deadlines are ahead.
    assert value(bureau, "monthly_complete", demo.county, "2026Q4") == Rate(1, stations)
    assert value(bureau, "monthly_timely", cg, "2026Q4") == Rate(1, 1)
    assert value(bureau, "monthly_complete", cg, "2026-12") == Rate(0, 0)
    assert value(bureau, "monthly_complete", cg, "2026-11") == Rate(0, 0)


def test_every_indicator_answers_for_every_kind_of_period(demo: Any, small: Any) -> None:
    bureau = demo.users["bureau"]
    for text in ["2026-05", "2026Q2", "2026H1", "2026", "2026-02-10~2026-08-20"]:
        span = parse_span(text, area=demo.county, today=TODAY)
        for indicator in registry.indicators:
            rate = indicator.value(bureau, area=demo.county, period=span, today=TODAY)
            assert indicator.denominator is None or rate.numerator <= rate.denominator, (text, indicator.code)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    units=st.lists(
        st.tuples(
            st.integers(0, 700),  # opened, days after 2025-06-01
            st.one_of(st.none(), st.integers(0, 700)),  # closed, days after it opened
            st.lists(st.integers(-400, 900), max_size=3),  # licences' expiry, days after 2025-06-01
            st.lists(st.one_of(st.none(), st.integers(-400, 900)), max_size=3),  # certificates
            st.lists(st.tuples(st.integers(-100, 900), st.booleans()), max_size=3),  # file changes: day, complete
        ),
        max_size=8,
    ),
    period=st.sampled_from(["2025-08", "2025Q4", "2026-05", "2026Q2", "2026H1", "2026", "2025-11-15~2026-03-10"]),
)
def test_no_rate_exceeds_100_percent(demo: Any, units: list[Any], period: str) -> None:
    base = D(2025, 6, 1)
    cg = demo.townships[0]
    made = []
    for n, (opened, closed, licences, certs, filings) in enumerate(units):
        opened_on = base + datetime.timedelta(days=opened)
        closed_on = opened_on + datetime.timedelta(days=closed) if closed is not None else None
        unit = _unit(cg, f"随机{n}", opened_on, closed_on)
        made.append(unit)
        for days in licences:
            _licence(unit, base + datetime.timedelta(days=days))
        for days in certs:
            _cert(unit, None if days is None else base + datetime.timedelta(days=days))
        changes = dict(sorted((base + datetime.timedelta(days=days), complete) for days, complete in filings))
        if changes:
            _filed(unit, *changes.items())
    try:
        for code in ("filing", "licence", "health_cert", "training_cert", "quarterly", "coverage"):
            rate = value(demo.users["bureau"], code, cg, period)
            assert rate.numerator <= rate.denominator, code
            assert rate.percent is None or rate.percent <= 100
    finally:
        StaffCertificate.objects.filter(unit__in=made).delete()
        Licence.objects.filter(unit__in=made).delete()
        Unit.objects.filter(pk__in=[u.pk for u in made]).delete()


def test_periods_are_read_or_refused_in_chinese(demo: Any) -> None:
    county = demo.county
    q = parse_span("2026Q4", area=county, today=TODAY)
    assert (q.first_day, q.last_day, q.months[0], q.label) == (
        D(2026, 10, 1),
        D(2026, 12, 31),
        (2026, 10),
        "2026年第4季度",
    )
    assert parse_span("2026h1", area=county, today=TODAY).last_day == D(2026, 6, 30)
    assert parse_span("", area=county, today=TODAY).text == "2026-12"
    for bad in ["2026-13", "2026Q5", "1999", "2026-05-01~2026-04-01", "2026-02-30~2026-03-01", "明年"]:
        with pytest.raises(BadPeriod):
            parse_span(bad, area=county, today=TODAY)


def test_drill_down_from_the_figure_to_the_expired_certificate(demo: Any, small: Any, login: Any) -> None:
    client = login(demo.users["bureau"])
    cg = demo.townships[0]
    page = client.get(f"/indicators/health_cert/?area={demo.county.pk}&period=2026Q2").content.decode()
    assert "城关镇" in page and f"area={cg.pk}" in page and "协管站" in page
    records = client.get(f"/indicators/health_cert/records/?area={cg.pk}&period=2026Q2&state=invalid")
    assert records.status_code == 200
    text = records.content.decode()
    assert "已过期" in text and f"/units/{small['steady'].pk}/" in text
    assert "河东的" not in text
    # beside: 河东镇's co-manager cannot open 城关镇
    assert login(demo.users["dh1"]).get(f"/indicators/health_cert/records/?area={cg.pk}").status_code == 404


def test_drill_down_from_the_filing_rate_to_the_files_incomplete_that_day(
    demo: Any, filed: Any, login: Any, client: Any, api_token: Any
) -> None:
    cg = demo.townships[0]
    drill = _indicator("filing").drill(cg, parse_span("2026-02", area=cg, today=TODAY))
    assert drill.startswith("/indicators/filing/records/")
    page = login(demo.users["bureau"]).get(f"{drill}&state=invalid").content.decode()
    assert "三月建档完整" in page and "未建档" in page and "五月停业" in page
    assert "十月缺项" not in page and "五月中开业" not in page  # complete in February; not yet open
    assert "不完整（2026-02-28）" in page and "当日存在的监督对象数" in page
    november = login(demo.users["bureau"]).get(f"/indicators/filing/records/?area={cg.pk}&period=2026-11").content
    assert "十月缺项" in november.decode() and "五月停业" not in november.decode()
    items = client.get(
        f"/api/indicators/filing/records?area={cg.pk}&period=2026-03", **api_token(demo.users["bureau"])
    ).json()["items"]
    assert {i["name"]: i["counted"] for i in items} == {
        "三月建档完整": True,
        "五月停业": False,
        "十月缺项": True,
        "未建档": False,
    }
    assert login(demo.users["dh1"]).get(f"/indicators/filing/records/?area={cg.pk}").status_code == 404


def test_record_lists_are_keyset_paged_with_bounded_queries(
    demo: Any, small: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(demo.users["bureau"])
    with django_assert_max_num_queries(14):
        assert client.get(f"/indicators/licence/records/?area={demo.county.pk}&period=2026Q2").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/indicators/health_cert/records/?area={demo.county.pk}&period=2026Q2").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/indicators/filing/records/?area={demo.county.pk}&period=2026Q2").status_code == 200


def test_the_api_answers_figures_breakdown_and_records(demo: Any, small: Any, client: Any, api_token: Any) -> None:
    headers = api_token(demo.users["bureau"])
    cg = demo.townships[0]
    listed = client.get(f"/api/indicators?area={cg.pk}&period=2026Q2", **headers).json()
    licence = next(i for i in listed["items"] if i["code"] == "licence")
    assert (licence["rate"]["numerator"], licence["rate"]["denominator"]) == (2, 3)
    breakdown = client.get(f"/api/indicators/licence/breakdown?area={demo.county.pk}&period=2026Q2", **headers).json()
    row = next(r for r in breakdown["rows"] if r["name"] == "城关镇")
    assert row["rate"]["denominator"] == 3
    first = client.get(f"/api/indicators/licence/records?area={cg.pk}&period=2026Q2&limit=2", **headers).json()
    assert len(first["items"]) == 2 and first["next"]
    rest = client.get(
        f"/api/indicators/licence/records?area={cg.pk}&period=2026Q2&limit=2&after={first['next']}", **headers
    ).json()
    assert len(rest["items"]) == 1
    bad = client.get("/api/indicators?period=2026Q9", **headers)
    assert bad.status_code == 422 and "期间" in bad.json()["detail"]
    other = client.get(f"/api/indicators/coverage/records?area={cg.pk}", **headers).json()
    assert other["items"] == [] and other["drill_url"].startswith("/inspections/due/")


def test_the_dashboard_and_map_open_for_each_level(demo: Any, small: Any, login: Any) -> None:
    for who in ("bureau", "cg1", "city"):
        client = login(demo.users[who])
        page = client.get("/indicators/")
        assert page.status_code == 200, who
        text = page.content.decode()
        assert 'id="trend-chart"' in text and 'id="rank-table"' in text and 'id="unit-map"' in text
        points = client.get("/indicators/map.json").json()
        assert points["total"] >= len(points["points"])
    dh = login(demo.users["dh1"]).get("/indicators/map.json").json()
    assert all(p[4] != "一直开着" for p in dh["points"])
    bad = login(demo.users["bureau"]).get("/indicators/?period=2026Q9")
    assert bad.status_code == 200 and "期间请写作" in bad.content.decode()
    xlsx = login(demo.users["bureau"]).get("/indicators/?export=ranking")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_boundary_upload_is_validated(demo: Any, login: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xieguan.indicators.models import Boundary

    client = login(demo.users["bureau"])
    url = f"/indicators/boundary/{demo.county.pk}/"
    bad = client.post(url, {"file": SimpleUploadedFile("b.json", b"{not json")})
    assert bad.status_code == 422 and "GeoJSON" in bad.content.decode() and not Boundary.objects.exists()
    outside = client.post(
        url,
        {
            "file": SimpleUploadedFile(
                "b.json", b'{"type":"Polygon","coordinates":[[[200,30],[121,30],[121,31],[200,30]]]}'
            )
        },
    )
    assert outside.status_code == 422 and not Boundary.objects.exists()
    good = b'{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31],[120,30]]]}'
    assert client.post(url, {"file": SimpleUploadedFile("b.json", good)}).status_code == 302
    assert Boundary.objects.get().geojson["features"][0]["geometry"]["type"] == "Polygon"
    assert client.get(f"/indicators/boundary/{demo.county.pk}.json").json()["type"] == "FeatureCollection"
    assert login(demo.users["cg1"]).post(url, {"file": SimpleUploadedFile("b.json", good)}).status_code in (403, 404)


def test_quarters_and_hours_are_counted(demo: Any) -> None:
    span = parse_span("2026", area=demo.county, today=TODAY)
    assert [q[:2] for q in tallies.quarters_counted(span, TODAY)] == [(2026, 1), (2026, 2), (2026, 3), (2026, 4)]
    rows = tallies.publicity_quarters(demo.users["bureau"], area=demo.county, period=span, today=TODAY)
    # No publicity in the small county: every quarter that is over is missed, the running one not yet counted.
    assert len(rows) == 3 * len(demo.townships) and not any(r["done"] for r in rows)


def test_the_county_summary_rolls_up_its_townships_as_word_and_pdf(demo: Any, small: Any, login: Any) -> None:
    client = login(demo.users["bureau"])
    page = client.get(f"/indicators/summary/?area={demo.county.pk}&period=2026Q2")
    text = page.content.decode()
    assert page.status_code == 200 and "城关镇" in text and "卫生许可证持证率" in text and "2026年4月" in text
    assert 'name="chart"' in text and '<option value="licence"' in text
    word = client.post(
        f"/indicators/summary/?area={demo.county.pk}&period=2026Q2",
        {"text": "改过的正文", "format": "docx", "chart": "licence"},
    )
    assert word.status_code == 200 and word.content[:2] == b"PK"
    pdf = client.post(
        f"/indicators/summary/?area={demo.county.pk}&period=2026Q2",
        {"text": "改过的正文", "format": "pdf", "chart": "licence"},
    )
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    # The trend and the ranking are pictures in both: two PNG parts in the Word
    # file, shown in its body, and two image objects in the PDF.
    import io
    import zipfile

    from xieguan.core.testing import pdf_inflated

    parts = zipfile.ZipFile(io.BytesIO(word.content))
    images = [n for n in parts.namelist() if n.startswith("word/media/")]
    assert len(images) == 2 and all(parts.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in images)
    body = parts.read("word/document.xml").decode()
    assert body.count("<pic:pic") == 2 and "卫生许可证持证率" in body
    assert pdf_inflated(pdf.content).count(b"/Subtype /Image") == 2


def test_the_summary_charts_draw_the_figures_they_show(demo: Any, small: Any) -> None:
    """The ranking picture is drawn from the summary's own figures: 城关镇
    (licences 2 of 3 in Q2) and 河东镇 (0 of 1); the trend runs 12 months."""
    from PIL import Image

    from xieguan.indicators.spans import parse_span
    from xieguan.indicators.summary import charts, roll_up

    bureau = demo.users["bureau"]
    span = parse_span("2026Q2", area=demo.county, today=TODAY)
    data = roll_up(bureau, area=demo.county, span=span, today=TODAY)
    ranked = {r.label: r.rate for r in data.below["licence"]}
    assert ranked[demo.townships[0].name] == Rate(2, 3) and ranked[demo.townships[1].name] == Rate(0, 1)
    pictures = charts(bureau, data, code="licence", today=TODAY)
    assert pictures.indicator.code == "licence"
    import io

    trend, ranking = Image.open(io.BytesIO(pictures.trend)), Image.open(io.BytesIO(pictures.ranking))
    assert trend.format == ranking.format == "PNG" and trend.width == ranking.width == 1600
    # One bar row per township below the county, drawn in the bar colour where a rate is above 0.
    assert ranking.height == 120 + 56 * len(data.below["licence"]) + 40
    assert (11, 110, 79) in {c for _n, c in ranking.convert("RGB").getcolors(1 << 20)}
    # An unknown code falls back to the coverage rate rather than failing.
    assert charts(bureau, data, code="nonsense", today=TODAY).indicator.code == "coverage"


def test_the_period_chooser_speaks_in_words_and_takes_a_range_of_days(demo: Any, login: Any) -> None:
    """The pages offer periods as 2026年第4季度 (the codes stay the API's), and
    a range of days from two date fields."""
    client = login(demo.users["bureau"])
    page = client.get(f"/indicators/?area={demo.county.pk}&period=2026Q2").content.decode()
    chooser = re.search(r'<select name="period">.*?</select>', page, re.S).group(0)
    assert '<option value="2026Q2" selected>2026年第2季度</option>' in chooser
    assert "年上半年" in chooser and "月</option>" in chooser and "Q" not in re.sub(r'value="[^"]*"', "", chooser)
    ranged = client.get(f"/indicators/?area={demo.county.pk}&first=2026-03-01&last=2026-05-31").content.decode()
    assert "2026-03-01 至 2026-05-31" in ranged and 'name="first" value="2026-03-01"' in ranged
    backwards = client.get(f"/indicators/?area={demo.county.pk}&first=2026-05-31&last=2026-03-01").content.decode()
    assert 'role="alert"' in backwards


def _sheet(content: bytes) -> list[tuple[Any, ...]]:
    import io

    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_the_map_exports_its_figures_as_values_scoped(demo: Any, small: Any, login: Any, api_token: Any) -> None:
    """The map's Excel table: for the county and each township, the units in
    each state, the units with a location and the share — the same counts
    as the map's points; values, no formula; the same above; 404 beside."""
    from collections import Counter

    from xieguan.indicators.selectors import map_points

    cg = demo.townships[0]
    bureau = login(demo.users["bureau"])
    page = bureau.get(f"/indicators/?area={demo.county.pk}").content.decode()
    assert f'href="/indicators/map.xlsx?area={demo.county.pk}"' in page
    response = bureau.get(f"/indicators/map.xlsx?area={demo.county.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response.content)
    assert rows[0] == ("区域", "状态", "该状态单位数", "有定位的单位数", "占比（%）")
    points, total = map_points(demo.users["bureau"], area=demo.county, today=datetime.date.today())
    states = Counter(p[2] for p in points)
    county_rows = [r for r in rows[1:] if r[0] == demo.county.name]
    assert [r[2] for r in county_rows] == [states[s] for s in range(4)]
    assert {r[3] for r in county_rows} == {total}
    assert total > 0 and sum(r[2] for r in county_rows) == total
    # 城关镇: its own units open today with a point (a village's included), not those closed.
    _cg_points, cg_total = map_points(demo.users["bureau"], area=cg, today=datetime.date.today())
    cg_rows = [r for r in rows[1:] if r[0] == cg.name]
    assert {r[3] for r in cg_rows} == {cg_total} and cg_total >= 4
    assert sum(r[2] for r in cg_rows) == cg_total
    for row in cg_rows:
        assert row[4] == round(100 * row[2] / row[3], 1)
    # Above: the prefecture reads the same figures; beside: 河东镇's co-manager gets 404.
    assert _sheet(login(demo.users["city"]).get(f"/indicators/map.xlsx?area={demo.county.pk}").content) == rows
    assert login(demo.users["dh1"]).get(f"/indicators/map.xlsx?area={cg.pk}").status_code == 404
    dh_rows = _sheet(login(demo.users["dh1"]).get("/indicators/map.xlsx").content)
    assert dh_rows[1][0] == demo.townships[1].name and not any(cg.name in r[0] for r in dh_rows[1:])
    # The API answers the same file.
    api = bureau.get(f"/api/indicators/map.xlsx?area={demo.county.pk}", **api_token(demo.users["bureau"]))
    assert api.status_code == 200 and _sheet(api.content) == rows
