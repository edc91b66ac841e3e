"""Test helpers every domain's tests use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from xieguan.core.statistics import analyse

T = TypeVar("T")


def kept_for_module(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture (``yield from``): what ``build()`` makes,
    once for the module, inside a transaction rolled back after its last
    test; each test runs in a savepoint within it, so nothing one test does
    reaches the next. The rows' deferred foreign-key checks run here once
    (left queued, every test's closing check would run them again, for
    minutes on PostgreSQL), and PostgreSQL gets statistics for rows no one
    has committed: without them it planned one unit's answers past the
    suite's 2-minute statement limit."""
    with django_db_blocker.unblock(), transaction.atomic():
        made = build()
        connection.check_constraints()
        analyse()
        yield made
        transaction.set_rollback(True)


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
