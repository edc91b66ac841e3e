"""manage.py make_province --units 300000 --counties 100 --inspections 3000000 --seed 1"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xieguan.demo.province import make_province, make_records, province_exists, records_exist


class Command(BaseCommand):
    help = (
        "Generate the benchmark province: areas, users and supervised units (seeded, reproducible), then a "
        "year of its records on PostgreSQL (inspections, reports, monthly reports)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--units", type=int, default=300_000)
        parser.add_argument("--counties", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--inspections", type=int, default=3_000_000, help="about this many inspection rows")
        parser.add_argument("--if-absent", action="store_true", help="do nothing when the province exists")

    def handle(
        self, *args: Any, units: int, counties: int, seed: int, inspections: int, if_absent: bool, **options: Any
    ) -> None:
        started = time.perf_counter()
        if province_exists():
            if not if_absent:
                raise CommandError("the benchmark province exists already; use an empty database")
            self.stdout.write("the benchmark province exists already")
        else:
            make_province(units=units, counties=counties, seed=seed, log=self.stdout.write)
            self.stdout.write(f"made {units} units over {counties} counties in {time.perf_counter() - started:.0f} s")
        if inspections and not records_exist():
            started = time.perf_counter()
            made = make_records(inspections=inspections, seed=seed, log=self.stdout.write)
            if made:
                self.stdout.write(f"made the year's records in {time.perf_counter() - started:.0f} s")
