"""The nightly rescoring, run by the worker (``settings.PERIODIC_TASKS``)."""

from __future__ import annotations

from django_tasks import task

from xieguan.risk.services import recompute_all


@task()
def risk_recompute_task() -> int:
    """Every open unit's score, in batches of 500, then the units' own grades
    synced from them (audited as the system's); returns how many scored."""
    return recompute_all()
