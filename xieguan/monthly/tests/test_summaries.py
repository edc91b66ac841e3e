"""Quarterly summary: figures summed from the months, a Chinese draft the
user edits, downloaded as Word and PDF."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils import timezone

from xieguan.core.testing import assert_pdf_with_cjk_font
from xieguan.outreach.tests.factories import make_outreach


def test_quarter_summary_draft_edit_and_word_download(demo, login, township, comanager_in, outsider):
    from docx import Document

    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    make_outreach(area=township, by=comanager_in, date=today, theme="冬季饮水安全宣传")
    url = reverse("monthly:summary", args=[township.pk, today.year]) + f"?quarter={quarter}"
    client = login(comanager_in)
    page = client.get(url)
    assert page.status_code == 200
    assert "开展宣传教育 1 次" in page.text and "下一步" in page.text
    assert login(outsider).get(url).status_code == 404

    response = client.post(url, {"text": "一、工作开展情况\n本季度宣传教育 1 次（已核对）。", "format": "docx"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert "本季度宣传教育 1 次（已核对）。" in texts
    table = document.tables[0]
    assert table.rows[-1].cells[0].text == "合计" and table.rows[-1].cells[3].text == "1"

    pdf = client.post(url, {"text": "本季度宣传教育 1 次。", "format": "pdf"})
    assert pdf.status_code == 200
    assert_pdf_with_cjk_font(pdf.content)

    empty = client.post(url, {"text": "", "format": "docx"})
    assert empty.status_code == 422
