"""The rollup of the indicator tallies, kept by the worker
(``settings.PERIODIC_TASKS``, ``manage.py run_periodic``)."""

from __future__ import annotations

import datetime

from django_tasks import task

from xieguan.indicators.rollups import refresh_all

CURRENT_EVERY = datetime.timedelta(minutes=5)
PAST_EVERY = datetime.timedelta(hours=1)


# Their own queue: the province's hourly count takes minutes, and a worker
# of its own keeps it from holding back the reminders (docs/deploy.md).
QUEUE = "rollups"


@task(queue_name=QUEUE)
def rollup_current_task() -> int:
    """The current reporting month and quarter of every province, every
    five minutes; returns the rows kept."""
    return refresh_all(current=True, every=CURRENT_EVERY)


@task(queue_name=QUEUE)
def rollup_past_task() -> int:
    """The months, quarters, halves and years before, every hour; returns the rows kept."""
    return refresh_all(current=False, every=PAST_EVERY)
