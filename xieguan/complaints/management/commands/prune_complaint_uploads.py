from typing import Any

from django.core.management.base import BaseCommand

from xieguan.complaints.tasks import pending_photos_prune


class Command(BaseCommand):
    help = "Delete photos kept for public complaint forms that were never sent (older than a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{pending_photos_prune()} kept photo(s) removed.")
