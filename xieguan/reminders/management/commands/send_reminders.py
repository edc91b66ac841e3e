"""``manage.py send_reminders``: write the reminders whose time has come and
send the pending ones, each once. Safe to run any number of times (the
worker runs it every few minutes; production may call it from a timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xieguan.reminders.sending import send_due


class Command(BaseCommand):
    help = "Send the reminders that are due (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = send_due()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
