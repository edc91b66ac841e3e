"""Enqueue the periodic jobs (``settings.PERIODIC_TASKS``) when they are
due, for `manage.py db_worker` to run; `make run` starts it beside the
worker. ``--once`` enqueues every job once and exits."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from xieguan.core.periodic import enqueue_due, periodic_jobs


class Command(BaseCommand):
    help = "Enqueue the periodic cleanup jobs when due (run beside db_worker); --once: all of them once, then exit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")
        parser.add_argument("--tick", type=int, default=60, help="seconds between looks at the schedule")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = periodic_jobs()
        last: dict[str, datetime.datetime] = {}
        while True:
            for path in enqueue_due(jobs, last=last, now=timezone.now()):
                self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} enqueued {path}")
            if options["once"]:
                return
            time.sleep(max(1, options["tick"]))
