"""``manage.py risk_backtest``: the backtest of a county (``risk.backtest``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xieguan.areas.models import Area, Level
from xieguan.risk.backtest import MIN_VIOLATIONS, TOO_SMALL, default_cut_off, run_backtest


class Command(BaseCommand):
    help = "Backtest the risk order against the time order at a past cut-off (every county, or one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", help="the county's code or name (default: every county)")
        parser.add_argument("--cut-off", help="YYYY-MM-DD (default: the months followed before today)")
        parser.add_argument("--months", type=int, default=3)
        parser.add_argument("--k", type=int, default=None, help="visits a month (default: the county's setting)")

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"]
        if not 1 <= months <= 12:
            raise CommandError("--months must be from 1 to 12")
        today = timezone.localdate()
        try:
            cut_off = (
                datetime.date.fromisoformat(options["cut_off"])
                if options["cut_off"]
                else default_cut_off(today, months)
            )
        except ValueError as exc:
            raise CommandError("--cut-off must be a date, YYYY-MM-DD") from exc
        counties = Area.objects.filter(level=Level.COUNTY).order_by("path")
        if options["county"]:
            counties = counties.filter(code=options["county"]) | counties.filter(name=options["county"])
            if not counties.exists():
                raise CommandError(f"no county {options['county']!r}")
        for county in counties:
            r = run_backtest(county, cut_off=cut_off, months=months, k=options["k"])
            self.stdout.write(
                f"{county.name}: cut-off {r.cut_off}, {r.months} months, k={r.k}; {r.units} units, "
                f"{r.inspections} inspections after the cut-off, {r.violations} units with violations"
            )
            if r.verdict == TOO_SMALL:
                self.stdout.write(f"  too small: fewer than {MIN_VIOLATIONS} units with violations, no figure quoted")
                continue
            self.stdout.write(
                f"  precision at k: risk {r.precision_risk:.2f}, time {r.precision_time:.2f}; "
                f"days earlier {r.days_earlier:.1f} (se {r.days_earlier_se or 0:.1f}); verdict: {r.verdict}"
            )
