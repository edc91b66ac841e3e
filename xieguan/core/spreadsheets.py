"""Every spreadsheet the app writes is made here, so text stays text.

XlsxWriter's defaults turn a string that begins with ``=`` into a live
formula and one that looks like an address into a hyperlink: a unit named
``=HYPERLINK("http://x.invalid","a")`` or a public complaint's text would run
in Excel or WPS on a county officer's desk (formula or CSV injection). So the
one workbook the app makes writes strings only as strings, and neutralises
what a spreadsheet would read as a formula the way OWASP recommends: a text
that begins with ``= + - @``, a tab or a carriage return gets a leading
single quote, so that the value is inert here and wherever someone copies it
to. Numbers the app writes as numbers (a negative count, a rate) stay
numbers; only text is touched.
"""

from __future__ import annotations

import re
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number written as text ("-5", "+86") is no formula; it keeps
# its sign so that a phone's "+86" or a "-2" reads as typed.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")

# What a spreadsheet would otherwise do with a string on its own.
TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def spreadsheet_text(value: str) -> str:
    """``value`` as inert spreadsheet text: a leading ``'`` before a text a
    spreadsheet would evaluate (OWASP, CSV injection)."""
    if value and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class TextWorksheet(Worksheet):  # type: ignore[misc]
    """A worksheet whose every string cell is neutralised. ``write``,
    ``write_row``, ``write_string`` and ``merge_range`` all end in
    ``_write_string``, so this one override covers each way a string goes in
    (XlsxWriter is pinned; tests/test_spreadsheets read the file back)."""

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> int:
        return int(super()._write_string(row, col, spreadsheet_text(string), cell_format))


class TextWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook that never turns text into a formula, a link or
    a number, and whose sheets neutralise formula-like text."""

    worksheet_class = TextWorksheet

    def __init__(self, target: Any, options: dict[str, Any] | None = None) -> None:
        super().__init__(target, {**(options or {}), **TEXT_ONLY})


def new_workbook(target: Any, **options: Any) -> TextWorkbook:
    """The workbook every Excel download of the app is written with
    (``options`` as XlsxWriter's: ``in_memory``, ``constant_memory``, …)."""
    return TextWorkbook(target, options)
