"""Issue 9's overview and workbook journey: bureau opens the month's
overview of the county, sorts it, reads a formula and drills from a figure
to the records behind it; city sees the prefecture's counties and drills
into one; cg1 downloads the month's workbook from the report page, as
Excel and as PDF."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, first_page_png
from xieguan.core.testing import assert_pdf_with_cjk_font
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.inspections import load_inspections
from xieguan.demo.monthly import load_monthly
from xieguan.demo.outreach import load_outreach
from xieguan.demo.reports import load_reports
from xieguan.demo.units import load_units
from xieguan.monthly.selectors import deadline_day_for, month_due_now
from xieguan.outreach.models import Outreach

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_overview_sort_formula_drill_prefecture_and_workbook(journey):
    from django.utils import timezone

    demo = load_county()
    load_units(demo)
    load_outreach(demo)
    load_reports(demo)
    load_inspections(demo)
    load_monthly(demo)
    township = demo.townships[0]
    year, month = month_due_now(timezone.localdate(), deadline_day_for(township))
    publicity = Outreach.objects.filter(
        area__path__startswith=township.path, date__year=year, date__month=month
    ).count()

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/monthly/review/")
    bureau.page.click("#overview-link")
    expect(bureau.page.locator("#overview")).to_be_visible()
    assert bureau.page.locator("#overview tbody tr[data-area]").count() == 11  # ten townships and the total
    bureau.shot("bureau-overview")

    # Sort by patrol coverage, highest first: the month stays, the arrow shows.
    for _click in ("ascending", "descending"):
        with bureau.page.expect_navigation():
            bureau.page.click("th[data-sort=coverage] a")
    bureau.page.wait_for_url(re.compile(r"sort=coverage&dir=desc"))
    assert f"year={year}" in bureau.page.url and f"month={month}" in bureau.page.url
    expect(bureau.page.locator("th[data-sort=coverage]")).to_contain_text("▼")
    percents = [
        float(t.rstrip("%"))
        for t in bureau.page.locator("#overview tbody tr:not(.total) td[data-cell=coverage] .pct").all_inner_texts()
        if t != "—"
    ]
    assert percents == sorted(percents, reverse=True) and all(p <= 100 for p in percents)
    # The bar chart (ECharts, served by the app) draws the sorted rate.
    expect(bureau.page.locator("#overview-chart canvas")).to_be_visible()
    bureau.shot("bureau-sorted-by-coverage")

    # The formula: on hover (title) and in the legend phones can open.
    row = bureau.page.locator(f"#overview tr[data-area='{township.name}']")
    report_cell = row.locator("td[data-cell=report]")
    report_cell.hover()
    assert report_cell.get_attribute("title").startswith("信息报告率 = ")
    expect(bureau.page.locator("#formulas dd[data-formula=filing]")).to_contain_text("建档率 = ")

    # Drill from the township's publicity figure to the records behind it.
    cell = row.locator("td[data-cell=publicity] a")
    assert int(cell.inner_text()) == publicity
    with bureau.page.expect_navigation():
        cell.click()
    expect(bureau.page.locator("#cell-records")).to_be_visible()
    records = bureau.page.locator("#cell-records tbody tr td a")
    assert records.count() == publicity
    bureau.shot("bureau-drilled-to-publicity-records")

    # The prefecture: its counties, then one county's townships.
    city = journey(PHONE, "city")
    city.login("city", DEMO_PASSWORD)
    city.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    city.goto("/monthly/overview/")
    expect(city.page.locator("#overview tr[data-area='示范县']")).to_be_visible()
    assert city.page.locator("#overview tbody tr[data-area]").count() == 2
    city.shot("city-counties")
    with city.page.expect_navigation():
        city.page.click("#overview tr[data-area='示范县'] th a")
    assert city.page.locator("#overview tbody tr[data-area]").count() == 11
    city.shot("city-county-townships")

    # cg1 downloads the month's workbook from the report page.
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto(f"/monthly/{township.pk}/{year}/{month}/")
    cg1.shot("cg1-report-with-downloads")
    with cg1.page.expect_download() as excel:
        cg1.page.click("#workbook-xlsx")
    assert excel.value.suggested_filename == f"月报表-{township.name}-{year}年{month}月.xlsx"
    book = load_workbook(io.BytesIO(Path(excel.value.path()).read_bytes()))
    assert book.sheetnames == ["月报表", "巡查登记表", "信息报告登记表"]
    total = next(r for r in book["月报表"].iter_rows(values_only=True) if r[0] == "合计")
    # Two label columns, as on the page (a split row's label, its part's);
    # the total spans both. Then 报告事件线索数, 实地巡查数, 宣传教育数.
    assert total[6] == publicity  # 宣传教育数, this month
    with cg1.page.expect_download() as pdf:
        cg1.page.click("#workbook-pdf")
    folder = cg1.folder
    shutil.copy(pdf.value.path(), folder / "workbook.pdf")
    assert_pdf_with_cjk_font((folder / "workbook.pdf").read_bytes())
    assert first_page_png(folder / "workbook.pdf")
