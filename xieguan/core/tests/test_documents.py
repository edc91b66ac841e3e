"""The one way to make a PDF and an Excel file."""

from __future__ import annotations

import io

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
