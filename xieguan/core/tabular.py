"""Reading the sheets counties already keep: .xlsx or .csv, messy as they are.

``read_rows`` answers every kind of bad file with ``BadFile`` and a Chinese
message — never a 500: too large, empty, not a spreadsheet, a broken zip, an
old .xls, a CSV in GBK or UTF-8 with or without BOM.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _


class BadFile(Exception):
    """A file we cannot read; ``str(exc)`` is the message for the user."""


def _size_of(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is not None:
        return int(size)
    pos = upload.tell()
    upload.seek(0, io.SEEK_END)
    end = upload.tell()
    upload.seek(pos)
    return end


def read_rows(upload: IO[bytes], *, name: str = "", max_bytes: int | None = None) -> list[tuple[int, list[Any]]]:
    """(row number as the user sees it, cell values) for every non-empty row of
    the first sheet."""
    max_bytes = max_bytes or settings.MAX_UPLOAD_BYTES
    size = _size_of(upload)
    if size > max_bytes:
        raise BadFile(
            _("The file is %(size).1f MB; the largest file accepted is %(max)d MB.")
            % {"size": size / 1024 / 1024, "max": max_bytes // 1024 // 1024}
        )
    if size == 0:
        raise BadFile(_("The file is empty."))
    name = (name or getattr(upload, "name", "") or "").lower()
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"PK"):
        return list(_xlsx_rows(upload))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadFile(_("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx in Excel or WPS and upload again."))
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return list(_csv_rows(upload.read()))
    raise BadFile(_("This is not an Excel (.xlsx) or CSV file."))


def _xlsx_rows(upload: IO[bytes]) -> Iterable[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise BadFile(
            _(
                "The Excel file is damaged or is not an .xlsx workbook; open it in Excel or WPS, save it again and upload."
            )
        ) from exc
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise BadFile(
            _(
                "The Excel file is damaged or is not an .xlsx workbook; open it in Excel or WPS, save it again and upload."
            )
        ) from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(row)
            if any(v not in (None, "") and str(v).strip() for v in values):
                yield number, values
    except Exception as exc:
        raise BadFile(
            _(
                "The Excel file is damaged or is not an .xlsx workbook; open it in Excel or WPS, save it again and upload."
            )
        ) from exc
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterable[tuple[int, list[Any]]]:
    if b"\x00" in data[:4096]:
        raise BadFile(_("This is not an Excel (.xlsx) or CSV file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte sequence
        raise BadFile(_("The CSV file's encoding is not UTF-8 or GBK."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if any(cell.strip() for cell in row):
            yield number, row
