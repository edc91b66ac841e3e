"""manage.py make_province --units 300000 --counties 100 --seed 1"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xieguan.demo.province import make_province, province_exists


class Command(BaseCommand):
    help = "Generate the benchmark province: areas, users and supervised units (seeded, reproducible)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--units", type=int, default=300_000)
        parser.add_argument("--counties", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-absent", action="store_true", help="do nothing when the province exists")

    def handle(self, *args: Any, units: int, counties: int, seed: int, if_absent: bool, **options: Any) -> None:
        if province_exists():
            if if_absent:
                self.stdout.write("the benchmark province exists already")
                return
            raise CommandError("the benchmark province exists already; use an empty database")
        started = time.perf_counter()
        make_province(units=units, counties=counties, seed=seed, log=self.stdout.write)
        self.stdout.write(f"made {units} units over {counties} counties in {time.perf_counter() - started:.0f} s")
