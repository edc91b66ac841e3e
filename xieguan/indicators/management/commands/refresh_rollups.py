"""``manage.py refresh_rollups [--past]``: count the indicators' rollup now
(what the worker's ``rollup_current_task`` / ``rollup_past_task`` do), for
cron instead of ``run_periodic``, and for ``make_province`` / ``make bench``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from xieguan.indicators.rollups import refresh_all
from xieguan.indicators.tasks import CURRENT_EVERY, PAST_EVERY


class Command(BaseCommand):
    help = "Count the indicators' rollup: the current months and quarter, or (--past) the periods before."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--past", action="store_true", help="the months, quarters, halves and years before")

    def handle(self, *args: Any, **options: Any) -> None:
        past = options["past"]
        started = time.perf_counter()
        kept = refresh_all(current=not past, every=PAST_EVERY if past else CURRENT_EVERY)
        self.stdout.write(f"rollup: {kept} rows in {time.perf_counter() - started:.1f} s")
