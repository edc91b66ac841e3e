from typing import Any

from django.core.management.base import BaseCommand

from xieguan.field.services import uploads_prune


class Command(BaseCommand):
    help = "Delete resumable uploads (and their partial bytes) past their expiry, and partial files without an upload."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{uploads_prune()} expired upload(s) removed.")
