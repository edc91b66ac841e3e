"""Remove audit entries older than AUDIT_RETENTION_DAYS (at least 180 days).
Run daily from cron, or enqueue with --enqueue for the task worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xieguan.core.tasks import audit_prune, audit_prune_before


class Command(BaseCommand):
    help = "Delete audit entries older than the retention period (never less than 180 days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = audit_prune.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        deleted = audit_prune.call()
        self.stdout.write(f"deleted {deleted} entries older than {audit_prune_before():%Y-%m-%d}")
