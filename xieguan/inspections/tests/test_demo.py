import time

from django.utils import timezone

from xieguan.inspections import selectors
from xieguan.inspections.models import Handover, Inspection, Opinion, OpinionCounter, Reinspection


def test_demo_year_of_patrols(demo):
    from xieguan.demo.inspections import load_inspections
    from xieguan.demo.units import load_units

    load_units(demo)
    started = time.monotonic()
    load_inspections(demo)
    elapsed = time.monotonic() - started
    assert elapsed < 60  # plain inserts; a per-record service loop would take many minutes
    today = timezone.localdate()
    cg1 = demo.users["cg1"]
    assert Inspection.objects.filter(status="submitted").count() > 4000
    assert Inspection.objects.filter(status="draft", recorded_by=cg1).exists()
    # cg1's township has things due this month, and sees only its own.
    due = selectors.due_this_month(cg1, today=today)
    assert due and all(r.unit.area.path.startswith(demo.townships[0].path) for r in due)
    # Opinion numbers per year run 1..n without gaps, and the counter agrees.
    for counter in OpinionCounter.objects.all():
        serials = sorted(Opinion.objects.filter(year=counter.year).values_list("serial", flat=True))
        assert serials == list(range(1, counter.last + 1))
    # Some opinions are overdue for re-inspection; a few cases went to the institute.
    overdue = selectors.opinions_awaiting_reinspection(demo.users["bureau"]).filter(deadline__lt=today)
    assert overdue.exists()
    assert Reinspection.objects.filter(result="not_rectified").count() == Handover.objects.count() > 0
    assert Handover.objects.filter(status="closed").exclude(outcome="").exists()
    assert Handover.objects.count() < 80
    from xieguan.inspections.models import MonthlyPlan

    plan = MonthlyPlan.objects.get(township=demo.townships[0], year=today.year, month=today.month)
    assert plan.units.count() > 5
