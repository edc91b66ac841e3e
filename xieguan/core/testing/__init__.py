"""Test helpers every domain's tests use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def assert_constant_queries(fetch: Callable[[], Any], grow: Callable[[], Any], *, exactly: int) -> int:
    """The N+1 guard: a list costs exactly ``exactly`` queries, before and
    after ``grow`` adds rows. Exact, not a ceiling (STYLE.md), so a query
    that goes away is noticed as much as one that comes. Returns that number."""
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    before = len(ctx.captured_queries)
    grow()
    after = count_queries(fetch)
    assert after == before, f"queries grew with the rows: {before} → {after}"
    listing = "\n".join(q["sql"][:160] for q in ctx.captured_queries)
    assert after == exactly, f"{after} queries, expected exactly {exactly}:\n{listing}"
    return after


def pdf_inflated(pdf: bytes) -> bytes:
    """The PDF with every Flate stream inflated, so a test can look for
    ``/FontFile`` or a font's name inside compressed object streams."""
    import re
    import zlib

    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        try:
            parts.append(zlib.decompressobj().decompress(pdf[start : start + 5_000_000]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def assert_pdf_with_cjk_font(pdf: bytes) -> None:
    """A real PDF with the Noto Sans SC font embedded in it."""
    assert pdf.startswith(b"%PDF"), pdf[:20]
    inflated = pdf_inflated(pdf)
    assert b"/FontFile" in inflated, "no embedded font"
    assert b"NotoSansSC" in inflated or b"Noto Sans SC" in inflated, "the CJK font is not the one embedded"
