"""The month's workbook of a township (SPEC §8, issue 9 part 6): the
月报表, the 巡查登记表 and the 信息报告登记表 of one month, as one Excel
workbook (three sheets) and as one PDF (a page per register).

The rows come from the selectors that own them — ``monthly_figures``,
``inspections.selectors.patrol_register`` and
``reports.selectors.register_reports``/``register_row`` — so the workbook
says exactly what the pages and the single registers say. The 月报表 sheet
and PDF draw ``MonthlyFigures.table_lines()``, the lines the report page
draws (a split row's 事故/隐患 and 违法行为 on lines of their own), so the
page, the Excel and the PDF carry the same rows and cells.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xieguan.accounts.models import Institution, InstitutionType
from xieguan.areas.models import Area
from xieguan.core.display import month_label, with_note
from xieguan.core.documents import download_name
from xieguan.inspections.selectors import (
    PATROL_REGISTER_WIDTHS,
    RegisterRow,
    patrol_register,
    patrol_register_headers,
)
from xieguan.monthly.models import MonthlyReport
from xieguan.monthly.periods import reporting_period
from xieguan.monthly.selectors import (
    PERIODS,
    MonthlyFigures,
    monthly_figures,
    monthly_report_of,
)
from xieguan.reports.selectors import REGISTER_HEADERS, REGISTER_WIDTHS, Rate, register_reports, register_row


def _period(township: Area, year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the township's reporting month (``monthly.periods``:
    the county's boundaries), the one place this module asks for it."""
    period = reporting_period(township, year, month)
    return period.start, period.end


def column_labels() -> dict[str, str]:
    return {
        "clues": _("Events and clues reported"),
        "patrols": _("Patrols on site"),
        "publicity": _("Publicity and education"),
    }


def period_labels() -> dict[str, str]:
    return {"month": _("this month"), "year": _("year to date")}


@dataclass
class Workbook:
    """Everything the three sheets print for one township and month."""

    township: Area
    year: int
    month: int
    station: Institution | None
    report: MonthlyReport | None
    figures: MonthlyFigures
    patrols: list[RegisterRow]
    reports: list[list[Any]]

    @property
    def period(self) -> str:
        return month_label(self.year, self.month)

    @property
    def unit_name(self) -> str:
        """填报单位: the township's station, or the township."""
        return self.station.name if self.station is not None else self.township.name

    @property
    def filled_by(self) -> str:
        submitter = self.report.submitted_by if self.report is not None else None
        return (submitter.full_name or submitter.username) if submitter is not None else ""

    @property
    def filled_at(self) -> str:
        if self.report is None or self.report.submitted_at is None:
            return ""
        return timezone.localtime(self.report.submitted_at).strftime("%Y-%m-%d %H:%M")

    def filename(self, ext: str) -> str:
        """``月报表-城关镇-2026年11月.xlsx``."""
        return download_name(_("Monthly report"), self.township.name, self.period, ext=ext)

    def rates(self) -> list[tuple[str, Rate]]:
        """The month's rates under the table, as the report page shows them."""
        f = self.figures
        return [
            (_("Patrol coverage"), f.coverage_rate),
            (_("Report rate"), f.report_rate),
            (_("Timely report rate"), f.timely_rate),
            (_("Opinions rectified"), Rate(f.opinions_rectified, f.opinions_issued)),
        ]

    def header_columns(self) -> list[str]:
        """The figure columns in the order the rows' cells come."""
        first = self.figures.total.cells()
        seen: list[str] = []
        for column, _period_key, _value in first:
            if column not in seen:
                seen.append(column)
        return seen


def station_of(user: Any, township: Area, *, year: int, month: int) -> Institution | None:
    """The township's co-management station that existed in the month (the
    institution whose registers these are); None if it has none."""
    start, end = _period(township, year, month)
    stations: Any = Institution.objects.visible_to(user)
    return (
        stations.filter(type=InstitutionType.STATION, area=township)
        .existing_in(start.date(), (end - datetime.timedelta(days=1)).date())
        .order_by("name", "id")
        .first()
    )


def month_workbook(user: Any, *, township: Area, year: int, month: int, today: datetime.date) -> Workbook:
    """The township's month as the three documents print it, from the
    records the user may see."""
    station = station_of(user, township, year=year, month=month)
    start, end = _period(township, year, month)
    patrols = patrol_register(user, institution=station, year=year, start=start, end=end) if station else []
    reports: list[list[Any]] = []
    if station is not None:
        found = register_reports(user, institution=station, start=start, end=end)
        reports = [register_row(i, r) for i, r in enumerate(found, start=1)]
    return Workbook(
        township=township,
        year=year,
        month=month,
        station=station,
        report=monthly_report_of(user, township=township, year=year, month=month),
        figures=monthly_figures(user, township=township, year=year, month=month, today=today),
        patrols=patrols,
        reports=reports,
    )


def _percent(rate: Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent}%"


def write_workbook(target: Any, book_data: Workbook) -> None:
    """The three sheets into ``target`` (a path or a file): merged title
    rows, the header, borders, and a print setup of A4 landscape fitted to
    the page width with the header repeated on every page."""
    from xieguan.core.spreadsheets import new_workbook

    book = new_workbook(target, in_memory=True)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    sub = book.add_format({"align": "left", "valign": "vcenter"})
    head = book.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": "#F2F2F2"}
    )
    cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
    number = book.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    bold_cell = book.add_format({"border": 1, "bold": True, "valign": "vcenter"})
    bold_number = book.add_format({"border": 1, "bold": True, "align": "center", "valign": "vcenter"})
    plain = book.add_format({"valign": "top"})

    def print_setup(ws: Any, header_rows: tuple[int, int]) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(*header_rows)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)

    data = book_data
    # ---- 月报表
    columns = data.header_columns()
    periods = period_labels()
    labels = column_labels()
    # Two label columns, as the page: a split row's label, then its part's.
    labels_width = 2
    width = labels_width + len(columns) * len(PERIODS)
    ws = book.add_worksheet(_("Monthly report")[:31])
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 12)
    ws.set_column(labels_width, width - 1, 12)
    ws.merge_range(0, 0, 0, width - 1, _("Health supervision co-management monthly report"), title)
    ws.set_row(0, 30)
    ws.merge_range(
        1,
        0,
        1,
        width - 1,
        _("Reporting unit: %(unit)s    %(period)s") % {"unit": data.unit_name, "period": data.period},
        sub,
    )
    ws.merge_range(2, 0, 3, labels_width - 1, pgettext("monthly report row", "Item"), head)
    for i, column in enumerate(columns):
        first = labels_width + i * len(PERIODS)
        ws.merge_range(2, first, 2, first + len(PERIODS) - 1, labels.get(column, column), head)
        for j, period_key in enumerate(PERIODS):
            ws.write(3, first + j, periods[period_key], head)
    row_no = 4
    # The page's lines, cell by cell: a cell spanning rows or columns is a
    # merged range; the columns a spanning cell above covers are skipped.
    covered: set[tuple[int, int]] = set()
    for line in data.figures.table_lines():
        col = 0
        for table_cell in line.cells:
            while (row_no, col) in covered:
                col += 1
            is_figure = table_cell.kind == "figure"
            style = (bold_number if is_figure else bold_cell) if line.total else (number if is_figure else cell)
            value = table_cell.text if is_figure else str(table_cell.text)
            last_row, last_col = row_no + table_cell.rowspan - 1, col + table_cell.colspan - 1
            if (last_row, last_col) != (row_no, col):
                ws.merge_range(row_no, col, last_row, last_col, value, style)
                covered.update((r, c) for r in range(row_no, last_row + 1) for c in range(col, last_col + 1))
            else:
                ws.write(row_no, col, value, style)
            col = last_col + 1
        row_no += 1
    row_no += 1
    for label, rate in data.rates():
        ws.write(row_no, 0, label, cell)
        ws.merge_range(row_no, 1, row_no, 3, with_note(f"{rate.numerator} / {rate.denominator}", _percent(rate)), cell)
        row_no += 1
    row_no += 1
    ws.merge_range(
        row_no,
        0,
        row_no,
        width - 1,
        _("Reporting unit: %(unit)s    Filled in by: %(by)s    Filled in at: %(at)s")
        % {
            "unit": data.unit_name,
            "by": data.filled_by or pgettext("a blank to fill in", "____"),
            "at": data.filled_at or pgettext("a blank to fill in", "____"),
        },
        plain,
    )
    print_setup(ws, (2, 3))

    # ---- 巡查登记表
    headers = patrol_register_headers()
    ws = book.add_worksheet(_("Patrol register")[:31])
    for i, w in enumerate(PATROL_REGISTER_WIDTHS):
        ws.set_column(i, i, w)
    ws.merge_range(0, 0, 0, len(headers) - 1, _("Health supervision co-management patrol register"), title)
    ws.set_row(0, 30)
    ws.merge_range(
        1,
        0,
        1,
        len(headers) - 1,
        _("Institution: %(unit)s    %(period)s") % {"unit": data.unit_name, "period": data.period},
        sub,
    )
    ws.write_row(2, 0, headers, head)
    for i, patrol in enumerate(data.patrols, start=3):
        values = patrol.values()
        values[3] = patrol.date.strftime("%Y-%m-%d")
        ws.write_row(i, 0, values, cell)
    print_setup(ws, (2, 2))

    # ---- 信息报告登记表
    ws = book.add_worksheet(_("Information report register")[:31])
    for i, w in enumerate(REGISTER_WIDTHS):
        ws.set_column(i, i, w)
    ws.merge_range(
        0,
        0,
        0,
        len(REGISTER_HEADERS) - 1,
        "卫生监督协管信息报告登记表",  # i18n: data — the national form's title
        title,
    )
    ws.set_row(0, 30)
    ws.merge_range(
        1,
        0,
        1,
        len(REGISTER_HEADERS) - 1,
        f"单位：{data.unit_name}　　时间：{data.period}",  # i18n: data — the national form's wording
        sub,
    )
    ws.write_row(2, 0, REGISTER_HEADERS, head)
    last = 2
    for i, values in enumerate(data.reports, start=3):
        ws.write_row(i, 0, values, cell)
        last = i
    ws.merge_range(
        last + 2,
        0,
        last + 2,
        len(REGISTER_HEADERS) - 1,
        "填表人：＿＿＿＿＿＿　　负责人：＿＿＿＿＿＿　　填表日期：＿＿＿＿年＿＿月＿＿日",  # i18n: data — the national form's wording
        plain,
    )
    print_setup(ws, (2, 2))
    book.close()


def pdf_context(book_data: Workbook) -> dict[str, Any]:
    """What ``monthly/pdf/workbook.html`` prints."""
    labels, periods = column_labels(), period_labels()
    return {
        "book": book_data,
        "column_titles": [labels.get(c, c) for c in book_data.header_columns()],
        "period_titles": [periods[p] for p in PERIODS],
        "rates": book_data.rates(),
        "patrol_headers": patrol_register_headers(),
        "report_headers": REGISTER_HEADERS,
    }
