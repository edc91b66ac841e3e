"""Statistics for what a demo part has just written.

Each part of the demo writes its records in bulk and the parts after it
count them (the monthly reports and the assessments count the units and the
year's patrols). On PostgreSQL, rows written in a transaction not yet
committed have no statistics — autovacuum cannot see them — so the counts
were planned for empty tables: loading the whole demo in one transaction
(the tests' ``whole_demo``) took 63 s, the monthly part 33 s of it and the
assessments 17 s; analysed after each part, 21 s. An ANALYZE of the demo's
tables takes a tenth of a second."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connection

P = ParamSpec("P")
R = TypeVar("R")


def analysed(load: Callable[P, R]) -> Callable[P, R]:
    """The demo part ``load``, followed on PostgreSQL by an ANALYZE, so what
    it wrote is planned for as it is (SQLite plans well enough without)."""

    @functools.wraps(load)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        made = load(*args, **kwargs)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return made

    return wrapper
