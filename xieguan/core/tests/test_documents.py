"""The one way to make a PDF and an Excel file."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from xieguan.core import documents
from xieguan.core.testing import assert_pdf_with_cjk_font


def test_pdf_embeds_the_cjk_font_and_reads_nothing_remote(tmp_path, settings) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "sample.html").write_text(
        '{% extends "core/pdf/base.html" %}{% block body %}<h1>卫生监督意见书</h1>'
        '<img src="https://example.com/x.png">{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(templates), *settings.TEMPLATES[0].get("DIRS", [])]}]
    pdf = documents.render_pdf("sample.html", {})
    assert_pdf_with_cjk_font(pdf)


def test_fetcher_refuses_remote_and_outside_files(tmp_path) -> None:
    with pytest.raises(documents.DocumentError):
        documents._checked_path("https://example.com/a.png")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        with pytest.raises(documents.DocumentError):
            documents._checked_path(outside.as_uri())


def test_xlsx_is_written_row_by_row_with_a_title() -> None:
    out = io.BytesIO()
    rows = ((i, f"单位{i}", None) for i in range(2500))
    written = documents.write_xlsx(out, ["序号", "名称", "备注"], rows, title="巡查登记表")
    assert written == 2500
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[0][0] == "巡查登记表"
    assert values[1] == ("序号", "名称", "备注")
    assert values[2][:2] == (0, "单位0")
    assert len(values) == 2502


def test_xlsx_response_streams_a_file() -> None:
    response = documents.xlsx_response("导出.xlsx", ["a"], iter([[1], [2]]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == documents.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(body)).active.max_row == 3


def test_xlsx_writes_formula_like_text_as_quoted_text_and_numbers_as_numbers() -> None:
    out = io.BytesIO()
    rows = [['=HYPERLINK("http://x.invalid","a")', "http://x.invalid", -3, -2.5, "-5", "+86 138", "\t=1", "@SUM(1)"]]
    documents.write_xlsx(out, ["a", "b", "c", "d", "e", "f", "g", "h"], rows, title="=1+1")
    ws = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert ws["A1"].value == "'=1+1"
    cells = next(ws.iter_rows(min_row=3))
    assert [c.value for c in cells] == [
        '\'=HYPERLINK("http://x.invalid","a")',
        "http://x.invalid",
        -3,
        -2.5,
        "-5",
        "'+86 138",
        "'\t=1",
        "'@SUM(1)",
    ]
    assert [c.data_type for c in cells] == ["s", "s", "n", "n", "s", "s", "s", "s"]
    assert all(c.hyperlink is None for c in cells)


def test_every_way_of_writing_a_string_is_neutralised() -> None:
    from xieguan.core.spreadsheets import new_workbook

    out = io.BytesIO()
    book = new_workbook(out, in_memory=True)
    ws = book.add_worksheet("s")
    ws.write(0, 0, "=1+1")
    ws.write_string(1, 0, "+1")
    ws.write_row(2, 0, ["-1-1"])
    ws.merge_range(3, 0, 3, 2, "@A1")
    ws.write("A5", "\t=2")
    book.close()
    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert [sheet.cell(row=r, column=1).value for r in range(1, 6)] == ["'=1+1", "+1", "'-1-1", "'@A1", "'\t=2"]
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(1, 6))


def test_no_module_makes_a_workbook_but_core_spreadsheets() -> None:
    """Every Excel writer goes through core.spreadsheets.new_workbook; a bare
    xlsxwriter.Workbook would bring back live formulas."""
    from pathlib import Path

    root = Path(documents.__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "spreadsheets.py"
        and ("xlsxwriter.Workbook(" in (text := path.read_text(encoding="utf-8")) or "from xlsxwriter import" in text)
    ]
    assert offenders == []


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils reads the PDF's text per page")
def test_no_table_row_breaks_across_a_page_in_a_long_patrol_register() -> None:
    """Finding 5 of issue 20: a 巡查登记表 row broke across two pages. Each
    row opens with 始N and ends with 止N (the last line of its longest cell);
    both, and the row's date, are on one page, and every page after the
    first repeats the header."""
    import datetime

    from xieguan.inspections.selectors import RegisterRow

    def problems(n: int) -> str:
        # Rows of differing heights, so a page's end falls inside some row.
        return "；".join(f"第{k}项：从业人员健康证过期，需补办并重新培训上岗" for k in range(1, 2 + n % 9))

    rows = [
        RegisterRow(
            number=n,
            place_and_content=f"始{n}号 城关镇人民路 {n} 号丰收快餐店：食品安全巡查",
            problems=f"{problems(n)}。止{n}号",
            date=datetime.date(2026, 5, 1) + datetime.timedelta(days=n % 28),
            inspectors="王秀兰、刘志强",
            remarks="",
        )
        for n in range(1, 41)
    ]
    context = {
        "title": "卫生监督协管巡查登记表",
        "institution": {"name": "城关镇卫生监督协管站"},
        "period": "2026年5月",
    }
    pdf = documents.render_pdf("inspections/pdf/register.html", {**context, "rows": rows})
    pages = _pdf_pages(pdf)
    assert len(pages) > 3
    seen = set()
    for number, text in enumerate(pages, start=1):
        opened = set(re.findall(r"始(\d+)号", text))
        closed = set(re.findall(r"止(\d+)号", text))
        assert opened == closed, f"page {number}: rows {sorted(opened ^ closed, key=int)} break across a page"
        for n in opened:
            assert rows[int(n) - 1].date.strftime("%Y-%m-%d") in text
        if opened:
            assert "巡查日期" in text  # the header repeats
        seen |= opened
    assert seen == {str(n) for n in range(1, 41)}


def _pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, read page by page (``pdftotext -f N -l N``)."""
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S607
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    return [
        subprocess.run(  # noqa: S603
            [pdftotext, "-f", str(n), "-l", str(n), "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        for n in range(1, count + 1)
    ]


def test_the_web_server_prepares_the_pdf_font_when_it_starts(monkeypatch) -> None:
    """Issue 20 finding 9: the first PDF of a process took seconds. The WSGI
    module starts the warm-up when the server loads it (manage.py and the
    tests never import it, so they do not pay for it)."""
    import importlib
    import sys

    started = []
    monkeypatch.setattr(documents, "pdf_warm_up_in_background", lambda: started.append(True))
    if "config.wsgi" in sys.modules:
        importlib.reload(sys.modules["config.wsgi"])
    else:
        importlib.import_module("config.wsgi")
    assert started == [True]


def test_the_warm_up_makes_a_pdf_with_the_font_and_a_pdf_asked_meanwhile_waits() -> None:
    import threading

    assert documents.pdf_warm_up() > 0
    done = threading.Event()
    with documents._warming:  # as if the warm-up were still running
        thread = threading.Thread(
            target=lambda: (documents.render_pdf("inspections/pdf/register.html", {"rows": []}), done.set())
        )
        thread.start()
        assert not done.wait(1.0)
    thread.join(30)
    assert done.is_set()


def test_fetcher_reads_a_data_picture_and_refuses_other_data() -> None:
    """A chart drawn for a document travels as data:image/png;base64 (nothing fetched); other data: is refused."""
    import base64

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 16
    assert documents._data_bytes("data:image/png;base64," + base64.b64encode(png).decode()) == png
    for refused in ("data:text/html;base64,PGgxPg==", "data:image/png,<svg>", "data:image/png;base64,***"):
        with pytest.raises(documents.DocumentError):
            documents._data_bytes(refused)


def test_the_plain_font_is_the_same_bytes_whenever_and_by_whomever_it_is_made(tmp_path, settings, monkeypatch) -> None:
    """A CI run found the year package's bytes changed between two builds:
    the suite's two databases ran side by side on a fresh clone, each made
    the font cache, and fontTools stamped each conversion's moment into the
    font (head.modified), so the PDFs differed. The font keeps its own date."""
    import time
    from pathlib import Path

    from django.contrib.staticfiles import finders

    found = Path(str(finders.find(documents.FONT_FILES[400]))).resolve()
    settings.VAR_DIR = str(tmp_path / "first")
    first = documents._plain_font(found).read_bytes()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 86_400)
    settings.VAR_DIR = str(tmp_path / "a-day-later")
    assert documents._plain_font(found).read_bytes() == first
