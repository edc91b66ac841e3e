"""Fresh planner statistics for rows just written in bulk.

On PostgreSQL, rows a transaction has written but not yet committed have no
statistics — autovacuum cannot see them — and rows committed a moment ago
have none until autovacuum comes round, so queries over them are planned
for empty tables. SQLite plans well enough without; there both are no-ops."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connection

P = ParamSpec("P")
R = TypeVar("R")


def analyse() -> None:
    """ANALYZE the database on PostgreSQL (a tenth of a second on the demo)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def analysed(load: Callable[P, R]) -> Callable[P, R]:
    """``load`` followed by ``analyse()``: for a demo part, whose records the
    parts after it count (the monthly reports and the assessments count the
    units and the year's patrols). Without, loading the whole demo in one
    transaction (the tests' ``whole_demo``) took 63 s on PostgreSQL, the
    monthly part 33 s of it and the assessments 17 s; with, 22 s."""

    @functools.wraps(load)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        made = load(*args, **kwargs)
        analyse()
        return made

    return wrapper
