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


def assert_constant_queries(fetch: Callable[[], Any], grow: Callable[[], Any], *, most: int) -> int:
    """The N+1 guard: a list costs the same number of queries before and after
    ``grow`` adds rows, and no more than ``most``. Returns that number."""
    before = count_queries(fetch)
    grow()
    after = count_queries(fetch)
    assert after == before, f"queries grew with the rows: {before} → {after}"
    assert after <= most, f"{after} queries, expected at most {most}"
    return after
