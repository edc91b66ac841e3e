"""Demo risk scores: the county's default weights, with its monthly
capacity, and every unit scored once (the demo's records are inserted in
bulk, so no signal rescored them), then a backtest three months back, and
the institute's review sample of last month's records (so the review pages,
the API and the fuzzing have records to show)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from xieguan.core.statistics import analysed
from xieguan.risk.backtest import default_cut_off, run_backtest
from xieguan.risk.models import RiskSettings
from xieguan.risk.reviews import review_draw
from xieguan.risk.services import recompute_all


@analysed
def load_risk(demo: Any) -> None:
    RiskSettings.objects.get_or_create(county=demo.county, defaults={"monthly_capacity": 600})
    recompute_all()
    run_backtest(demo.county, cut_off=default_cut_off(timezone.localdate()), months=3)
    today = timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    review_draw(actor=demo.users["inst"], county=demo.county, year=year, month=month, share=10, seed="demo")
