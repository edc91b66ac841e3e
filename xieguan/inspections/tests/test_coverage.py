"""巡查覆盖率 and what is due, against hand counts: a small township made
here, and the demo county's year of patrols counted a second, plainer way."""

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from xieguan.inspections import selectors
from xieguan.inspections.models import FrequencyRule, Inspection, InspectionStatus, Period
from xieguan.inspections.tests.factories import plain_unit, submitted
from xieguan.units.models import Unit, UnitStatus

TODAY = datetime.date(2026, 5, 20)


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def small(demo, township, comanager_in):
    """Six units in 城关镇 (key monthly, others quarterly):
    a  key, inspected 2026-05-03          → May: done
    b  key, inspected 2026-04-10 only     → May: due (not yet overdue)
    c  quarterly, inspected 2026-04-12    → May: done (its window is Q2)
    d  quarterly, never                   → May: due
    e  quarterly, closed 2026-03-01       → not counted in Q2
    f  quarterly, opened 2026-06-05       → not counted in May, counted in Q2
    """
    cg2 = demo.users["cg2"]
    pair = [comanager_in, cg2]
    units = {
        "a": plain_unit(township, name="甲", is_key_unit=True, opened_on=datetime.date(2020, 1, 1)),
        "b": plain_unit(township, name="乙", is_key_unit=True, opened_on=datetime.date(2020, 1, 1)),
        "c": plain_unit(township, name="丙", opened_on=datetime.date(2020, 1, 1)),
        "d": plain_unit(township, name="丁", opened_on=datetime.date(2020, 1, 1)),
        "e": plain_unit(
            township,
            name="戊",
            status=UnitStatus.CLOSED,
            opened_on=datetime.date(2020, 1, 1),
            closed_on=datetime.date(2026, 3, 1),
        ),
        "f": plain_unit(township, name="己", opened_on=datetime.date(2026, 6, 5)),
    }
    submitted(comanager_in, units["a"], inspectors=pair, at=at(datetime.date(2026, 5, 3)))
    submitted(comanager_in, units["b"], inspectors=pair, at=at(datetime.date(2026, 4, 10)))
    submitted(comanager_in, units["c"], inspectors=pair, at=at(datetime.date(2026, 4, 12)))
    return units


def states(view):
    return {r.unit.name: r.state for r in view.rows}


def test_month_view_against_a_hand_count(small, comanager_in, township):
    view = selectors.patrol_status(comanager_in, year=2026, month=5, today=TODAY)
    assert states(view) == {"甲": "done", "乙": "due", "丙": "done", "丁": "due"}
    cov = view.coverage[0]
    assert (cov.township, cov.due, cov.done, cov.overdue) == (township, 4, 2, 0)
    assert cov.rate == 0.5


def test_month_after_its_end_shows_overdue(small, comanager_in):
    view = selectors.patrol_status(comanager_in, year=2026, month=4, today=TODAY)
    # April: 甲 (key) was not patrolled in April → overdue; 乙 done; Q2 not over for 丙 丁.
    assert states(view) == {"甲": "overdue", "乙": "done", "丙": "done", "丁": "due"}
    assert view.coverage[0].overdue == 1


def test_quarter_view_counts_each_unit_once_and_only_while_it_existed(small, comanager_in):
    view = selectors.patrol_status(comanager_in, year=2026, quarter=2, today=datetime.date(2026, 7, 2))
    assert states(view) == {"甲": "done", "乙": "done", "丙": "done", "丁": "overdue", "己": "overdue"}
    cov = view.coverage[0]
    assert (cov.due, cov.done, cov.overdue) == (5, 3, 2) and cov.rate == 0.6


def test_two_inspections_of_one_unit_never_push_coverage_above_100(small, comanager_in, demo):
    pair = [comanager_in, demo.users["cg2"]]
    for unit_name in ("乙", "丁"):
        unit = Unit.objects.get(name=unit_name)
        for day in (5, 6):
            submitted(comanager_in, unit, inspectors=pair, at=at(datetime.date(2026, 5, day)))
    view = selectors.patrol_status(comanager_in, year=2026, month=5, today=TODAY)
    assert view.coverage[0].rate == 1.0 and view.coverage[0].done == 4


def test_a_draft_does_not_count_as_done(small, comanager_in, demo):
    from xieguan.inspections.tests.factories import draft

    draft(comanager_in, Unit.objects.get(name="丁"), inspectors=[comanager_in], at=at(datetime.date(2026, 5, 4)))
    assert states(selectors.patrol_status(comanager_in, year=2026, month=5, today=TODAY))["丁"] == "due"


def test_a_county_rule_makes_every_unit_monthly(small, comanager_in, demo):
    FrequencyRule.objects.create(county=demo.county, category=None, key_unit=None, period=Period.MONTH)
    view = selectors.patrol_status(comanager_in, year=2026, month=5, today=TODAY)
    assert states(view)["丙"] == "due"  # April's patrol no longer covers May


def test_the_neighbour_sees_none_of_it(small, outsider):
    view = selectors.patrol_status(outsider, year=2026, month=5, today=TODAY)
    assert not {"甲", "乙", "丙", "丁"} & set(states(view))


def test_due_this_month_lists_what_is_left(small, comanager_in):
    rows = selectors.due_this_month(comanager_in, today=TODAY)
    assert [r.unit.name for r in rows] == ["乙", "丁"]


def test_demo_coverage_matches_a_hand_count(demo, county_admin):
    """The demo year, recounted plainly: for each township, the units that
    existed in the quarter, and of those the ones with a submitted record
    dated in the quarter."""
    from xieguan.demo.inspections import load_inspections
    from xieguan.demo.units import load_units

    load_units(demo)
    load_inspections(demo)
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    start, end = selectors.quarter_bounds(today.year, quarter)
    view = selectors.patrol_status(county_admin, year=today.year, quarter=quarter, today=today)

    expected = defaultdict(lambda: [0, 0])
    done_units = set(
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED,
            started_at__gte=at(start) - datetime.timedelta(hours=10),
            started_at__lt=at(end + datetime.timedelta(days=1)) - datetime.timedelta(hours=10),
        ).values_list("unit_id", flat=True)
    )
    for unit in Unit.objects.select_related("area"):
        opened = unit.opened_on or unit.created_at.date()
        if opened > end:
            continue
        if unit.closed_on is not None and unit.closed_on < start:
            continue
        if unit.status == UnitStatus.CLOSED and unit.closed_on is None:
            continue
        township = next(t for t in demo.townships if unit.area.path.startswith(t.path))
        expected[township.name][0] += 1
        expected[township.name][1] += unit.pk in done_units
    got = {c.township.name: [c.due, c.done] for c in view.coverage}
    assert got == dict(expected)
    assert all(c.rate is None or 0 <= c.rate <= 1 for c in view.coverage)
    assert sum(d for d, _ in got.values()) > 1000
    # 河东镇 skips more patrols than the others, so its coverage is visibly lower.
    rates = {c.township.name: c.rate for c in view.coverage}
    assert rates["河东镇"] < rates["城关镇"]
