"""Reading the sheets counties already keep: .xlsx or .csv, messy as they are.

``read_rows`` answers every kind of bad file with ``BadFile`` and a Chinese
message — never a 500: too large, empty, not a spreadsheet, a broken zip, an
old .xls, a CSV in GBK or UTF-8 with or without BOM.

The cell helpers (``cell_text``, ``parse_date``, ``header_key``) and
``find_header`` cope with what people type: full-width digits and spaces,
dates as ``2023.5.6`` or ``2023年5月6日`` or Excel serial numbers, phone
numbers Excel turned into floats, title rows above the header, headers in
another order, with trailing spaces or under an alias, headers merged over
two rows.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
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
        _check_is_workbook(upload)
        return list(_xlsx_rows(upload))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadFile(_("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx in Excel or WPS and upload again."))
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return list(_csv_rows(upload.read()))
    raise BadFile(_("This is not an Excel (.xlsx) or CSV file."))


def _check_is_workbook(upload: IO[bytes]) -> None:
    """A zip that is not an Excel workbook (a .docx, a .zip of photos) gets
    its own message rather than "damaged"."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadFile(
            _(
                "The Excel file is damaged or is not an .xlsx workbook; open it in Excel or WPS, save it again and upload."
            )
        ) from exc
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise BadFile(_("This is a Word document, not an Excel workbook."))
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


# ---- cells ---------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def fold_width(text: str) -> str:
    """Full-width letters, digits, punctuation and the ideographic space as
    their half-width forms (ＡＢ１２　→ AB12 ); Chinese characters unchanged."""
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else (" " if c == "\u3000" else c) for c in text)


def cell_text(value: Any) -> str:
    """A cell as the text the user meant: stripped, full-width folded, inner
    runs of spaces as one; a whole number Excel stored as a float (a phone
    number shown as 1.38E+10) without its ".0" or exponent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(decimal.Decimal(repr(value)).normalize(), "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = fold_width(str(value)).replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip()


_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value: Any) -> datetime.date | None:
    """A date from a cell: a real date or datetime, an Excel serial number, or
    text as 2023-05-06, 2023/5/6, 2023.5.6, 2023年5月6日, 20230506 (full-width
    digits too). None for an empty cell; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Excel's day numbers: 1 is 1900-01-01 (with its phantom 29 Feb 1900).
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(str(value))
    text = cell_text(value)
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} \d", text) else text
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day)  # ValueError for 2023-02-30
    raise ValueError(text)


# ---- headers -------------------------------------------------------------

_HEADER_NOISE = re.compile(r"[\s*※:：]|[（(][^（()）]*[)）]")


def header_key(value: Any) -> str:
    """A header cell as compared with the known names: full-width folded, no
    spaces, no marks (*, ※), no colon, nothing in brackets (（必填）, （m²）,
    （负责人）), lower case."""
    text = fold_width(str(value or "")).replace("\u00a0", " ")
    return _HEADER_NOISE.sub("", text).lower()


def find_header(
    table: list[tuple[int, list[Any]]], aliases: dict[str, list[str]], *, look: int = 10
) -> tuple[int, dict[str, int], dict[int, str]]:
    """The header row among the first ``look`` rows: the one that names most
    of the known columns (title rows above it are skipped). ``aliases`` maps a
    column's key to the names it goes by. Returns (index in ``table`` of the
    first data row, {key: column index}, {column index: header as written}).
    A header cell left empty because the header was merged over two rows is
    read from the row above."""
    lookup: dict[str, str] = {}
    for key, names in aliases.items():
        for name in names:
            lookup.setdefault(header_key(name), key)
    best: tuple[int, int, dict[str, int], dict[int, str]] = (0, -1, {}, {})
    for index, (_row, values) in enumerate(table[:look]):
        above = table[index - 1][1] if index > 0 else []
        columns: dict[str, int] = {}
        written: dict[int, str] = {}
        for col, cell in enumerate(values):
            text = str(cell).strip() if cell not in (None, "") else ""
            if not text and col < len(above) and above[col] not in (None, ""):
                text = str(above[col]).strip()
            known = lookup.get(header_key(text))
            if text:
                written[col] = text
            if known is not None and known not in columns:
                columns[known] = col
        if len(columns) > best[1]:
            best = (index, len(columns), columns, written)
    index, found, columns, written = best
    if found <= 0:
        return 0, {}, {}
    return index + 1, columns, written
