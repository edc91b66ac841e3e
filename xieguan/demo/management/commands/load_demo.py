"""Load the demo county: `manage.py load_demo --if-empty` is what `make run` calls."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xieguan.areas.models import Area
from xieguan.demo.complaints import DEMO_PIN, DEMO_RECEIPT
from xieguan.demo.county import DEMO_LOGINS, DEMO_PASSWORD
from xieguan.demo.whole import load_whole_demo


class Command(BaseCommand):
    help = "Load the demo county 示范县 and its demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any area exists")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["logins"]:
            if Area.objects.exists():
                if not options["if_empty"]:
                    self.stderr.write(
                        "The database already has areas; the demo county is loaded only into an empty database."
                    )
                    return
            else:
                load_whole_demo()
                self.stdout.write(self.style.SUCCESS("已载入示范县演示数据。"))
            if options["if_empty"]:
                # `make run` prints the logins itself, with --logins.
                return
        self.stdout.write("")
        self.stdout.write("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, description in DEMO_LOGINS:
            self.stdout.write(f"  {username:<8} {description}")
        self.stdout.write("")
        self.stdout.write(
            f"投诉举报演示：/complaints/track 回执码 {DEMO_RECEIPT[:4]}-{DEMO_RECEIPT[4:]}，查询密码 {DEMO_PIN}"
            "（所有演示投诉的查询密码相同）"
        )
