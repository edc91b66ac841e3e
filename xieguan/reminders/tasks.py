"""Background work of reminders, run periodically by the worker
(``settings.PERIODIC_TASKS``, ``manage.py run_periodic``)."""

from __future__ import annotations

from django_tasks import task

from xieguan.reminders.sending import send_due


@task()
def send_reminders_task() -> dict[str, int]:
    """Plan and send the reminders whose time has come (safe to run any number of times)."""
    return send_due()
