"""Jobs the worker runs on a schedule, without anyone having to set up cron
for the embedded default: ``manage.py run_periodic`` (which `make run`
starts beside `db_worker`) enqueues each task of ``settings.PERIODIC_TASKS``
when it is due, and the worker runs it. Production may run the same loop as
a service or call the prune commands from systemd timers (docs/deploy.md).

Each job is a cleanup that is safe to run twice, so the schedule lives in
the loop's memory: a restart simply runs every job once more."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PeriodicJob:
    path: str
    every: datetime.timedelta

    @property
    def task(self) -> Any:
        return import_string(self.path)


def periodic_jobs() -> list[PeriodicJob]:
    """The configured jobs: ``PERIODIC_TASKS`` maps a task's dotted path to
    its interval in seconds."""
    return [
        PeriodicJob(path, datetime.timedelta(seconds=int(seconds)))
        for path, seconds in getattr(settings, "PERIODIC_TASKS", {}).items()
    ]


def enqueue_due(jobs: list[PeriodicJob], *, last: dict[str, datetime.datetime], now: datetime.datetime) -> list[str]:
    """Enqueue every job never run by this loop or whose interval has passed
    since ``last[path]`` (updated in place); returns the paths enqueued."""
    enqueued = []
    for job in jobs:
        previous = last.get(job.path)
        if previous is None or now - previous >= job.every:
            job.task.enqueue()
            last[job.path] = now
            enqueued.append(job.path)
    return enqueued
