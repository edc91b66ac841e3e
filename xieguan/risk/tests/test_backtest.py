"""The backtest: planted violations at known risk factors are found earlier
by the risk order; random violations show no gain; nothing recorded after
the cut-off enters the score; too few violations give no figure."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.core.management import call_command

from xieguan.inspections.models import OverallResult, Reinspection, ReinspectionResult
from xieguan.risk.backtest import BENEFIT, NO_DIFFERENCE, TOO_SMALL, run_backtest, scores_at
from xieguan.risk.history import histories
from xieguan.risk.models import Backtest
from xieguan.risk.tests.factories import at, bulk_units, complaint, inspect, inspections_bulk, opinion
from xieguan.units.models import CertificateKind, Licence, StaffCertificate

CUT_OFF = datetime.date(2026, 3, 31)
OPENED = datetime.date(2025, 1, 1)
pytestmark = pytest.mark.django_db


def _county_with_history(demo: Any, *, planted: bool, seed: int = 7, n: int = 200, bad: int = 50) -> None:
    """``n`` units, each patrolled once at a random day before the cut-off;
    the first ``bad`` of them found in violation then. After the cut-off each
    is patrolled once: violations planted at the bad units (80 %, 5 % at the
    others), or at random (25 % everywhere)."""
    rng = random.Random(seed)
    units = bulk_units(demo, n, opened_on=OPENED)
    rows = []
    for i, unit in enumerate(units):
        before = CUT_OFF - datetime.timedelta(days=rng.randint(5, 170))
        rows.append((unit, before, OverallResult.RECTIFY if i < bad else OverallResult.CONFORMING))
        after = CUT_OFF + datetime.timedelta(days=rng.randint(1, 85))
        chance = (0.8 if i < bad else 0.05) if planted else 0.25
        rows.append((unit, after, OverallResult.RECTIFY if rng.random() < chance else OverallResult.CONFORMING))
    inspections_bulk(demo, rows)


def test_planted_violations_are_found_earlier_by_the_risk_order(demo):
    _county_with_history(demo, planted=True)
    result = run_backtest(demo.county, cut_off=CUT_OFF, months=3, k=30)
    assert result.units == 200 and result.inspections == 200
    assert result.violations >= 30
    assert result.precision_risk > result.precision_time
    assert result.days_earlier > 0
    assert result.verdict == BENEFIT
    assert Backtest.objects.get(county=demo.county).verdict == BENEFIT


def test_random_violations_show_no_benefit(demo):
    _county_with_history(demo, planted=False)
    result = run_backtest(demo.county, cut_off=CUT_OFF, months=3, k=30)
    assert result.violations >= 30
    assert result.verdict == NO_DIFFERENCE


def test_fewer_than_thirty_violations_is_too_small_to_quote(demo):
    _county_with_history(demo, planted=True, n=20, bad=10)
    result = run_backtest(demo.county, cut_off=CUT_OFF, months=3, k=30)
    assert result.violations < 30
    assert result.verdict == TOO_SMALL


def test_nothing_recorded_after_the_cut_off_enters_the_score(demo):
    (unit,) = bulk_units(demo, 1, opened_on=OPENED)
    first = inspect(demo, unit, CUT_OFF - datetime.timedelta(days=40), result=OverallResult.RECTIFY)
    issued = opinion(demo, first, CUT_OFF - datetime.timedelta(days=40))
    complaint(demo, unit, CUT_OFF - datetime.timedelta(days=3))
    before = scores_at(demo.county, CUT_OFF)[unit.pk][0]
    hist_before = histories([unit], as_of=at(CUT_OFF, 23))[unit.pk]

    # Everything below happens after the cut-off (or is entered after it).
    late = inspect(demo, unit, CUT_OFF + datetime.timedelta(days=1), result=OverallResult.SERIOUS)
    opinion(demo, late, CUT_OFF + datetime.timedelta(days=1))
    Reinspection.objects.create(
        opinion=issued,
        area=unit.area,
        inspected_at=at(CUT_OFF + datetime.timedelta(days=2)),
        result=ReinspectionResult.RECTIFIED,
        recorded_by=demo.users["cg1"],
    )
    complaint(demo, unit, CUT_OFF + datetime.timedelta(days=1))
    # A licence and a certificate that had already expired, but were entered only now.
    Licence.objects.create(unit=unit, kind="卫生许可证", number="X1", expires_on=CUT_OFF - datetime.timedelta(days=9))
    StaffCertificate.objects.create(
        unit=unit, person_name="张三", kind=CertificateKind.HEALTH, expires_on=CUT_OFF - datetime.timedelta(days=9)
    )
    unit.hygiene_grade = "C"  # graded today: the registry keeps no history of it
    unit.save()
    assert scores_at(demo.county, CUT_OFF)[unit.pk][0] == before
    hist_after = histories([unit], as_of=at(CUT_OFF, 23), with_grade=False)[unit.pk]
    assert hist_after.visits == hist_before.visits
    assert hist_after.opinions == hist_before.opinions
    assert hist_after.complaints == hist_before.complaints
    assert hist_after.licences == hist_before.licences == []
    assert hist_after.health_certificates == []


def test_the_command_says_too_small_or_quotes_figures(demo, capsys):
    _county_with_history(demo, planted=True)
    call_command("risk_backtest", "--cut-off", CUT_OFF.isoformat(), "--months", "3", "--k", "30")
    out = capsys.readouterr().out
    assert "200 units" in out and "precision at k" in out and "verdict: benefit" in out
