"""The registry's risk grade follows the computed score (``unit_grades_sync``):
each changed unit audited on its own history, one summary per county, in
batches read by keyset, nothing recorded when nothing changes, and a county
that keeps its grades by hand left alone."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from xieguan.core.models import AuditEvent
from xieguan.inspections.models import OverallResult
from xieguan.risk.models import RiskSettings, UnitRisk
from xieguan.risk.services import recompute, unit_grades_sync
from xieguan.risk.tests.factories import bulk_units, inspect
from xieguan.units.models import Unit

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 5, 12)


def scored(units, grade):
    now = timezone.now()
    UnitRisk.objects.bulk_create(UnitRisk(unit=u, score=0, grade=grade, computed_at=now) for u in units)


def grades(units):
    found = dict(Unit.objects.filter(pk__in=[u.pk for u in units]).values_list("pk", "risk_grade"))
    return [found[u.pk] for u in units]


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_each_changed_unit_is_audited_with_its_grade_before_and_after(demo):
    units = bulk_units(demo, 5, opened_on=datetime.date(2025, 1, 1))
    Unit.objects.filter(pk__in=[u.pk for u in units[:2]]).update(risk_grade="high")  # already right
    Unit.objects.filter(pk=units[2].pk).update(risk_grade="low")
    scored(units, "high")
    ids = [u.pk for u in units]

    result = unit_grades_sync(actor=None, units=ids, batch_size=2)

    assert grades(units) == ["high"] * 5
    assert (result.changed, result.transitions) == (3, {("", "high"): 2, ("low", "high"): 1})
    events = AuditEvent.objects.filter(action="unit.risk_grade_sync")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(u.pk) for u in units[2:])
    event = events.get(object_id=str(units[2].pk))
    assert (event.object_type, event.object_repr, event.area_path) == ("units.unit", units[2].name, units[2].area.path)
    assert event.changes == {"risk_grade": ["低", "高"]} and event.actor is None
    assert events.get(object_id=str(units[3].pk)).changes == {"risk_grade": [None, "高"]}
    summary = AuditEvent.objects.get(action="unit_risk_grade.sync")
    assert summary.area_path == demo.county.path
    assert summary.changes == {"grades_changed": [None, 3], "grade_transitions": [None, {"— → 高": 2, "低 → 高": 1}]}
    # The county's auditor finds the summary, and the unit's page its own event.
    assert AuditEvent.objects.visible_to(demo.users["bureau"]).filter(action="unit_risk_grade.sync").exists()
    assert AuditEvent.objects.for_object(units[2]).filter(action="unit.risk_grade_sync").count() == 1

    # Run again: nothing differs, nothing is written, nothing recorded.
    before = AuditEvent.objects.count()
    assert unit_grades_sync(actor=None, units=ids).changed == 0
    assert AuditEvent.objects.count() == before


def test_the_sync_reads_only_the_differing_units_a_batch_at_a_time(demo):
    units = bulk_units(demo, 7, opened_on=datetime.date(2025, 1, 1))
    scored(units, "medium")
    with CaptureQueriesContext(connection) as queries:
        assert unit_grades_sync(actor=None, units=[u.pk for u in units], batch_size=3).changed == 7
    reads = [
        q["sql"] for q in queries if "risk_unitrisk" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]
    # Three batches (3 + 3 + 1) and the read that finds none left, each limited to the batch.
    assert len(reads) == 4 and all("LIMIT 3" in sql for sql in reads)
    # Per batch: one update per grade and one insert of its events; then the summary.
    assert len([q for q in queries if q["sql"].startswith("UPDATE")]) == 3
    assert grades(units) == ["medium"] * 7


def test_a_county_that_keeps_grades_by_hand_is_left_alone(demo):
    units = bulk_units(demo, 2, opened_on=datetime.date(2025, 1, 1))
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(risk_grade="low")
    scored(units, "high")
    RiskSettings.objects.create(county=demo.county, sync_unit_grade=False)
    assert unit_grades_sync(actor=None, units=[u.pk for u in units]).changed == 0
    assert grades(units) == ["low", "low"]
    assert not AuditEvent.objects.filter(action__in=["unit.risk_grade_sync", "unit_risk_grade.sync"]).exists()


def test_units_outside_the_scope_are_not_touched(demo):
    inside, outside = bulk_units(demo, 2, opened_on=datetime.date(2025, 1, 1))
    scored([inside, outside], "high")
    assert unit_grades_sync(actor=None, units=Unit.objects.filter(pk=inside.pk).values("pk")).changed == 1
    assert grades([inside, outside]) == ["high", ""]


def test_the_nightly_rescoring_syncs_the_grade_it_computed_and_audits_it(demo):
    risky, plain = bulk_units(demo, 2, opened_on=datetime.date(2025, 1, 1))
    for back in (30, 60, 90):
        inspect(demo, risky, DAY - datetime.timedelta(days=back), result=OverallResult.SERIOUS)
    recompute(Unit.objects.filter(pk__in=[risky.pk, plain.pk]), now=timezone.make_aware(datetime.datetime(2026, 5, 12)))
    computed = dict(UnitRisk.objects.values_list("unit_id", "grade"))
    assert computed[risky.pk] == "high"
    assert grades([risky, plain]) == [computed[risky.pk], computed[plain.pk]]
    event = AuditEvent.objects.get(action="unit.risk_grade_sync", object_id=str(risky.pk))
    assert event.changes == {"risk_grade": [None, "高"]}
    assert AuditEvent.objects.filter(action="unit_risk_grade.sync").count() == 1


def test_the_command_syncs_one_county_and_says_how_many_changed(demo):
    units = bulk_units(demo, 3, opened_on=datetime.date(2025, 1, 1))
    scored(units, "medium")
    out = io.StringIO()
    call_command("risk_sync_grades", county=demo.county.name, batch_size=2, stdout=out)
    assert out.getvalue().splitlines() == ["3 units' risk grade changed", "  - -> medium: 3"]
    assert grades(units) == ["medium"] * 3
    assert AuditEvent.objects.filter(action="unit.risk_grade_sync").count() == 3
    with pytest.raises(CommandError):
        call_command("risk_sync_grades", county="没有这个县")
    with pytest.raises(CommandError):
        call_command("risk_sync_grades", batch_size=0)
