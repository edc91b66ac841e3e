"""Downloads of the month's workbook of a township (SPEC §8, issue 9 part
6): the 月报表 and the two registers as one Excel file or one PDF."""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from xieguan.areas.models import Area
from xieguan.core.documents import XLSX_TYPE, pdf_response
from xieguan.monthly.selectors import get_township_for_user
from xieguan.monthly.views import _month
from xieguan.monthly.workbook import month_workbook, pdf_context, write_workbook


def workbook_response(user: Any, *, township: Area, year: int, month: int, fmt: str) -> HttpResponseBase:
    """The workbook as a download; ``fmt`` is "xlsx" or "pdf". The page and
    the API both answer with this."""
    data = month_workbook(user, township=township, year=year, month=month, today=timezone.localdate())
    if fmt == "pdf":
        return pdf_response("monthly/pdf/workbook.html", pdf_context(data), data.filename("pdf"), inline=False)
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    write_workbook(spool, data)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=data.filename("xlsx"), content_type=XLSX_TYPE)


def workbook(request: HttpRequest, township_id: str, year: int, month: int, fmt: str) -> HttpResponseBase:
    """The month's workbook of a township the user may see (404 otherwise)."""
    township = get_township_for_user(request.user, township_id)
    year, month = _month(year, month)
    return workbook_response(request.user, township=township, year=year, month=month, fmt=fmt)
