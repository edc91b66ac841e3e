"""``manage.py risk_sync_grades``: write the computed risk grades into the
units' own risk grade (``services.unit_grades_sync``), every county or one;
the nightly rescoring does the same after scoring."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xieguan.areas.models import Area, Level
from xieguan.risk.services import scorable_units, unit_grades_sync


class Command(BaseCommand):
    help = "Write each open unit's computed risk grade into its registry risk grade, audited (every county, or one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", help="the county's code or name (default: every county)")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["batch_size"] <= 10000:
            raise CommandError("--batch-size must be from 1 to 10000")
        units = scorable_units()
        if options["county"]:
            counties = Area.objects.filter(level=Level.COUNTY).filter(code=options["county"]) | Area.objects.filter(
                level=Level.COUNTY, name=options["county"]
            )
            if not counties.exists():
                raise CommandError(f"no county {options['county']!r}")
            units = units.filter(county__in=counties)
        done = unit_grades_sync(actor=None, units=units.values("pk"), batch_size=options["batch_size"])
        self.stdout.write(f"{done.changed} units' risk grade changed")
        for (before, after), n in sorted(done.transitions.items()):
            self.stdout.write(f"  {before or '-'} -> {after}: {n}")
