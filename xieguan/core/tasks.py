"""Background work that belongs to no domain (run by `manage.py db_worker`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task


def audit_prune_before() -> datetime.datetime:
    """The cut-off: entries older than AUDIT_RETENTION_DAYS (never under 180)."""
    return timezone.now() - datetime.timedelta(days=max(180, settings.AUDIT_RETENTION_DAYS))


@task()
def audit_prune() -> int:
    """Delete audit entries past retention; returns how many. The model
    refuses deletes of single rows; this bulk delete is the only way out."""
    from xieguan.core.models import AuditEvent

    deleted, _by_model = AuditEvent.objects.filter(at__lt=audit_prune_before()).delete()
    return deleted


@task()
def sessions_prune() -> None:
    """Delete expired sign-in sessions (Django's ``clearsessions``); the
    public form's visitors leave one each."""
    from django.core.management import call_command

    call_command("clearsessions")


@task()
def task_results_prune() -> None:
    """Delete the worker's finished task results older than 30 days: the
    periodic jobs add a few rows every hour."""
    from django.core.management import call_command

    call_command("prune_db_task_results", "--queue-name", "*", "--min-age-days", "30", verbosity=0)
