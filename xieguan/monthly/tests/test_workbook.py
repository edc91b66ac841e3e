"""The month's workbook of a township (Excel with three sheets, one PDF):
cell values against the hand-counted month of 城关镇, scope, bad input and
the API's download endpoints."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieguan.core.testing import assert_pdf_with_cjk_font
from xieguan.monthly.models import MonthlyReport
from xieguan.monthly.tests.conftest import MONTH, YEAR


def url(township, fmt="xlsx", year=YEAR, month=MONTH):
    return reverse(f"monthly:workbook_{fmt}", args=[township.pk, year, month])


def rows_of(sheet):
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def row_starting(rows, label):
    return next(r for r in rows if r[0] == label)


def test_excel_workbook_has_three_sheets_with_the_months_records(month, login, comanager_in, township):
    response = login(comanager_in).get(url(township))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["月报表", "巡查登记表", "信息报告登记表"]

    report = rows_of(book["月报表"])
    assert report[0][0] == "卫生监督协管工作月报表"
    assert "城关镇卫生监督协管站" in report[1][0] and "2026年5月" in report[1][0]
    assert [report[2][0], report[2][2]] == ["项目", "报告事件线索数"]
    assert list(report[3][2:4]) == ["本月", "本年累计"]
    # 3 food-safety clues in May (事故/隐患, the factory's nature); 1 patrol
    # of a public place; 3 publicity records in May (4 this year) not about
    # a unit → 其他. A split row's parts are two lines, as on the page.
    assert list(row_starting(report, "食品安全")[1:8]) == ["事故/隐患", 3, 3, 0, 0, 0, 0]
    assert list(row_starting(report, "公共场所")[1:8]) == ["事故/隐患", 0, 0, 1, 1, 0, 0]
    assert list(row_starting(report, "其他")[2:8]) == [0, 0, 0, 0, 3, 4]
    assert list(row_starting(report, "合计")[2:8]) == [3, 3, 1, 1, 3, 4]
    assert row_starting(report, "巡查覆盖率")[1] == "1 / 3（33.3%）"
    assert row_starting(report, "信息报告率")[1] == "2 / 3（66.7%）"
    assert row_starting(report, "及时报告率")[1] == "1 / 2（50.0%）"
    assert row_starting(report, "意见书整改完成率")[1] == "1 / 2（50.0%）"
    footer = next(r[0] for r in report if r[0] and str(r[0]).startswith("填报单位") and "填报人" in str(r[0]))
    assert comanager_in.full_name in footer and "2026-06-20 09:00" in footer

    patrols = rows_of(book["巡查登记表"])
    assert patrols[0][0] == "卫生监督协管巡查登记表"
    assert list(patrols[2]) == ["序号", "巡查地点与内容", "发现的主要问题", "巡查日期", "巡查人", "备注"]
    assert len(patrols) == 4
    assert patrols[3][0] == 1 and patrols[3][1].startswith("乙（人民路 1 号）")
    assert patrols[3][3] == "2026-05-05"
    assert patrols[3][5] == "示卫协意〔2026〕901号；示卫协意〔2026〕902号"

    reports = rows_of(book["信息报告登记表"])
    assert list(reports[2]) == ["序号", "发现时间", "信息类别", "信息内容", "报告时间", "报告人"]
    body = [r for r in reports[3:] if isinstance(r[0], int)]
    assert [r[1] for r in body] == ["2026-05-03 10:00", "2026-05-04 10:00", "2026-05-06 10:00"]
    assert [r[4] for r in body] == ["2026-05-03 10:10", "2026-05-06 10:00", "尚未上报"]
    assert all(r[5] == comanager_in.full_name for r in body)
    # Printing: A4 landscape, fitted to the page width.
    sheet = book["信息报告登记表"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    # Fit to one page wide (Excel's default width of 1 is left out), any number of pages high.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$3:$3"


def test_a_month_without_a_report_leaves_the_footer_to_fill_in(month, login, county_admin, township):
    MonthlyReport.objects.all().delete()
    response = login(county_admin).get(url(township))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    footer = next(r[0] for r in rows_of(book["月报表"]) if r[0] and "填报人" in str(r[0]))
    assert "填报人：＿＿＿＿" in footer and county_admin.full_name not in footer


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils reads the PDF's text")
def test_pdf_has_the_cjk_font_and_a_page_per_register(month, login, supervisor_of, township):
    response = login(supervisor_of).get(url(township, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_pdf_with_cjk_font(response.content)
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    text = subprocess.run([pdftotext, "-", "-"], input=response.content, capture_output=True, check=True).stdout  # noqa: S603
    pages = [p.replace(" ", "") for p in text.decode().split("\f") if p.strip()]
    assert len(pages) == 3
    # Each document begins a page of its own, in this order.
    assert pages[0].startswith("卫生监督协管工作月报表") and "城关镇卫生监督协管站" in pages[0]
    assert pages[1].startswith("卫生监督协管巡查登记表") and "示卫协意〔2026〕901号" in pages[1]
    assert pages[2].startswith("卫生监督协管信息报告登记表") and "尚未上报" in pages[2]


def test_workbook_inside_and_above(month, login, township, inside_or_above):
    assert login(inside_or_above).get(url(township)).status_code == 200


def test_prefecture_user_downloads_the_workbook(month, login, township):
    assert login(month.users["city"]).get(url(township)).status_code == 200


@pytest.mark.parametrize(("year", "month_"), [(1999, 5), (2026, 13), (2026, 0)])
def test_bad_month_is_a_chinese_404(month, login, comanager_in, township, year, month_):
    response = login(comanager_in).get(url(township, year=year, month=month_))
    assert response.status_code == 404
    assert "找不到" in response.text or "不存在" in response.text


def test_report_page_offers_both_downloads(month, login, comanager_in, township):
    text = login(comanager_in).get(reverse("monthly:report", args=[township.pk, YEAR, MONTH])).text
    assert url(township) in text and url(township, "pdf") in text


def test_api_downloads_the_workbook_of_a_report(month, client, api_token, comanager_in, outsider, township):
    report = MonthlyReport.objects.get(township=township, year=YEAR, month=MONTH)
    response = client.get(f"/api/monthly-reports/{report.pk}/workbook.xlsx", **api_token(comanager_in))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["月报表", "巡查登记表", "信息报告登记表"]
    pdf = client.get(f"/api/monthly-reports/{report.pk}/workbook.pdf", **api_token(comanager_in))
    assert_pdf_with_cjk_font(pdf.content)
    denied = client.get(f"/api/monthly-reports/{report.pk}/workbook.xlsx", **api_token(outsider))
    assert denied.status_code == 404 and denied.json()["detail"]
    schema = client.get("/api/openapi.json").json()
    described = schema["paths"]["/api/monthly-reports/{report_id}/workbook.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in described["content"]


def test_the_registers_follow_the_countys_reporting_period(month, login, comanager_in, township, demo):
    """With periods from the 26th, a patrol on 28 April is May's (26 April –
    25 May) and not April's; the 5 May patrol stays in May."""
    from django.utils import timezone

    from xieguan.inspections.tests.factories import plain_unit, submitted
    from xieguan.monthly.tests.factories import county_rules

    county_rules(demo.county, start_day=26, deadline_day=28)
    late_april = timezone.make_aware(timezone.datetime(2026, 4, 28, 10))
    unit = plain_unit(township, name="戊")
    submitted(comanager_in, unit, inspectors=[comanager_in, demo.users["cg2"]], at=late_april)
    client = login(comanager_in)

    def patrol_dates(year, month_):
        book = load_workbook(io.BytesIO(b"".join(client.get(url(township, year=year, month=month_)).streaming_content)))
        return [r[3] for r in rows_of(book["巡查登记表"])[3:] if r[0] and str(r[0]).isdigit()]

    assert sorted(patrol_dates(2026, 5)) == ["2026-04-28", "2026-05-05"]
    assert patrol_dates(2026, 4) == []


def page_lines(html: str) -> list[list[str]]:
    """The 月报表 body of the report page, a list of cell texts per <tr>."""
    import lxml.html

    body = lxml.html.fromstring(html).xpath('//table[@id="figures"]/tbody/tr')
    return [[" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")] for tr in body]


def sheet_lines(sheet, count: int) -> list[list[str]]:
    """The 月报表 sheet's body: each row's filled cells (a merged cell has its
    value in its first cell only, as a spanning <td> is in its first <tr>)."""
    rows = sheet.iter_rows(min_row=5, max_row=4 + count, values_only=True)
    return [[str(v) for v in row if v is not None] for row in rows]


def pdf_page_text(pdf: bytes, page: int) -> str:
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    args = [pdftotext, "-layout", "-f", str(page), "-l", str(page), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S603


def pdf_lines(pdf: bytes, first_label: str, count: int) -> list[list[str]]:
    """The 月报表's body in the PDF's text: the ``count`` lines from the one
    that starts with the first row's label, split into words."""
    lines = [line.split() for line in pdf_page_text(pdf, 1).splitlines() if line.strip()]
    start = next(i for i, words in enumerate(lines) if words[0] == first_label)
    return lines[start : start + count]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils reads the PDF's text")
def test_workbook_rows_equal_the_report_pages_rows(month, login, comanager_in, township):
    """Finding 5 of issue 20: the page splits a row into 事故/隐患 and 违法行为,
    the Excel and the PDF gave one row per area. Now the three carry the same
    lines, label for label and number for number."""
    from xieguan.monthly.tests.conftest import at
    from xieguan.reports.tests.factories import make_report

    make_report(area=township, by=comanager_in, found_at=at(7), code="school", nature="violation")
    client = login(comanager_in)
    page = page_lines(client.get(reverse("monthly:report", args=[township.pk, YEAR, MONTH])).text)
    assert ["食品安全", "事故/隐患", "3", "3", "0", "0", "0", "0"] in page
    assert ["违法行为", "0", "0"] in page
    assert ["学校卫生", "事故/隐患", "0", "0", "0", "0", "0", "0"] in page and ["违法行为", "1", "1"] in page
    assert page[-1] == ["合计", "4", "4", "1", "1", "3", "4"]

    book = load_workbook(io.BytesIO(b"".join(client.get(url(township)).streaming_content)))
    assert sheet_lines(book["月报表"], len(page)) == page

    pdf = client.get(url(township, "pdf")).content
    assert pdf_lines(pdf, page[0][0], len(page)) == page
