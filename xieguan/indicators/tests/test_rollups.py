"""The rollup the worker keeps (issue 22 §5) equals the live computation:
every registered tally, for the county, the prefecture and the province of
the full demo county, over the periods the worker keeps; a change shows at
once to the township and to the county after the next refresh; a rollup
past its time is not read; the pages say when their figures were counted."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import User
from xieguan.areas.models import Area, Level
from xieguan.core.registry import registry, tally_rows
from xieguan.indicators import rollups
from xieguan.indicators.models import TallyRollup
from xieguan.indicators.spans import parse_span
from xieguan.indicators.tasks import CURRENT_EVERY, rollup_current_task
from xieguan.units.models import Category, Unit, UnitStatus


@pytest.fixture
def full_demo(whole_demo: Any) -> dict[str, Area]:
    return {
        "county": whole_demo.county,
        "prefecture": whole_demo.prefecture,
        "province": whole_demo.province,
        "township": whole_demo.townships[0],  # 城关镇, cg1's
    }


def _by_township(rows: Any) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for path, counts in rows:
        found.setdefault(rollups._cut(path, Level.TOWNSHIP), Counter()).update(counts)
    return {path: +counts for path, counts in found.items() if +counts}


def _tallies() -> list[Any]:
    return list(dict.fromkeys(i.tally for i in registry.indicators))


def _live(tally: Any, user: User, area: Area, period: Any, today: datetime.date) -> dict[str, Counter[str]]:
    return _by_township(
        (p, c) for p, c in tally(user, area=area, period=period, today=today) if p.startswith(area.path)
    )


def _read(tally: Any, user: User, area: Area, period: Any, today: datetime.date) -> dict[str, Counter[str]]:
    return _by_township(
        (p, c) for p, c in tally_rows(tally, user, area=area, period=period, today=today) if p.startswith(area.path)
    )


def test_rollup_equals_live_for_every_tally_and_level(full_demo: dict[str, Area]) -> None:
    today = timezone.localdate()
    province = full_demo["province"]
    periods = [
        parse_span("", area=province, today=today),
        parse_span(f"{today.year}Q{(today.month - 1) // 3 + 1}", area=province, today=today),
        parse_span(f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}", area=province, today=today),
        parse_span(str(today.year), area=province, today=today),
    ]
    rollups.refresh(province, periods, today=today, every=CURRENT_EVERY)
    # A row a tally and period for the province (its mark) and for each county with something to count.
    assert TallyRollup.objects.filter(root=province.path).count() == len(periods) * len(_tallies())
    assert set(TallyRollup.objects.values_list("root", flat=True)) == {province.path, full_demo["county"].path}
    city = User.objects.get(username="city")
    bureau = User.objects.get(username="bureau")
    seen_figures = 0
    for period in periods:
        for tally in _tallies():
            for user, area in (
                (bureau, full_demo["county"]),
                (city, full_demo["prefecture"]),
                (city, full_demo["county"]),
            ):
                kept = _read(tally, user, area, period, today)
                assert kept == _live(tally, user, area, period, today), (rollups.tally_name(tally), period, area)
                seen_figures += sum(sum(c.values()) for c in kept.values())
            everyone = rollups._everyone()
            assert _read(tally, everyone, province, period, today) == _live(tally, everyone, province, period, today)
    assert seen_figures > 0  # the demo has records in these periods: the comparison compares something


def _new_unit(area: Area) -> Unit:
    return Unit.objects.create(
        name="新开的饭店",
        area=area,
        category=Category.objects.get(code="public_place"),
        address="人民路 9 号",
        opened_on=datetime.date(2020, 1, 1),
        status=UnitStatus.OPEN,
        latitude=Decimal("30.1"),
        longitude=Decimal("120.1"),
    )


def _filing(user: User, area: Area, period: Any, today: datetime.date) -> Counter[str]:
    indicator = next(i for i in registry.indicators if i.code == "filing")
    total: Counter[str] = Counter()
    for counts in _read(indicator.tally, user, area, period, today).values():
        total.update(counts)
    return total


def test_a_change_shows_to_the_township_at_once_and_to_the_county_after_the_refresh(
    full_demo: dict[str, Area],
) -> None:
    today = timezone.localdate()
    period = parse_span("", area=full_demo["province"], today=today)
    rollup_current_task.call()  # what the worker runs every five minutes
    bureau, cg1 = User.objects.get(username="bureau"), User.objects.get(username="cg1")
    county_before = _filing(bureau, full_demo["county"], period, today)
    township_before = _filing(cg1, full_demo["township"], period, today)

    _new_unit(full_demo["township"])

    assert _filing(cg1, full_demo["township"], period, today)["units"] == township_before["units"] + 1
    assert _filing(bureau, full_demo["county"], period, today) == county_before  # the rollup, until refreshed
    rollup_current_task.call()
    assert _filing(bureau, full_demo["county"], period, today)["units"] == county_before["units"] + 1


def test_a_rollup_past_its_time_is_not_read(full_demo: dict[str, Area]) -> None:
    today = timezone.localdate()
    period = parse_span("", area=full_demo["province"], today=today)
    rollup_current_task.call()
    bureau = User.objects.get(username="bureau")
    before = _filing(bureau, full_demo["county"], period, today)
    _new_unit(full_demo["township"])
    TallyRollup.objects.update(fresh_until=timezone.now() - datetime.timedelta(seconds=1))  # the worker stopped
    assert _filing(bureau, full_demo["county"], period, today)["units"] == before["units"] + 1
    assert rollups.counted_at(full_demo["county"], period, today) is None


def test_kept_periods_are_what_the_pages_ask_for(full_demo: dict[str, Area]) -> None:
    province = full_demo["province"]
    today = datetime.date(2026, 12, 6)
    current = [s.text for s in rollups.kept_periods(province, today, current=True)]
    assert current == ["2026-12", "2026-11", "2026Q4"]
    past = [s.text for s in rollups.kept_periods(province, today, current=False)]
    assert past[:11] == ["2025-12", *(f"2026-{m:02d}" for m in range(1, 11))]
    assert "2026Q4" not in past and "2025Q4" in past and "2026" in past and "2025H2" in past
    # A month read by the monthly app (its reporting period) and the same month as a span share their rows.
    from xieguan.monthly.periods import reporting_period

    assert rollups.period_key(reporting_period(province, 2026, 12)) == rollups.period_key(
        parse_span("2026-12", area=province, today=today)
    )


def test_the_month_overview_says_when_its_figures_were_counted(full_demo: dict[str, Area], login: Any) -> None:
    client = login(User.objects.get(username="bureau"))
    url = reverse("monthly:overview")
    assert "统计于" not in client.get(url).content.decode()  # counted live: nothing to say
    rollup_current_task.call()
    page = client.get(url).content.decode()
    stamp = timezone.localtime(TallyRollup.objects.order_by("computed_at").first().computed_at)
    assert f"统计于 {stamp:%m-%d %H:%M}" in page
    page = login(User.objects.get(username="cg1")).get(url, follow=True).content.decode()
    assert "统计于" not in page  # a township counts live


def test_a_settled_period_is_counted_once_a_day(full_demo: dict[str, Area]) -> None:
    province = full_demo["province"]
    today = timezone.localdate()
    old = parse_span(str(today.year - 2), area=province, today=today)  # long settled
    current = parse_span("", area=province, today=today)
    assert rollups.refresh(province, [old, current], today=today, every=CURRENT_EVERY) == 2 * len(_tallies())
    # An hour later: only the running month is counted again.
    assert rollups.refresh(province, [old, current], today=today, every=CURRENT_EVERY) == len(_tallies())
    settled = TallyRollup.objects.filter(period=rollups.period_key(old), root=province.path).first()
    assert settled is not None and settled.fresh_until - settled.computed_at == 3 * rollups.SETTLED_EVERY
    TallyRollup.objects.filter(period=rollups.period_key(old)).update(
        computed_at=timezone.now() - rollups.SETTLED_EVERY - datetime.timedelta(minutes=1)
    )
    assert rollups.refresh(province, [old], today=today, every=CURRENT_EVERY) == len(_tallies())


def test_the_overview_read_from_the_rollup_asks_few_queries(full_demo: dict[str, Area], login: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(User.objects.get(username="city"))
    url = reverse("monthly:overview")
    with CaptureQueriesContext(connection) as live:
        assert client.get(url).status_code == 200
    rollup_current_task.call()
    with CaptureQueriesContext(connection) as kept:
        assert client.get(url).status_code == 200
    assert sum("indicators_tallyrollup" in q["sql"] for q in kept.captured_queries) == 1  # one read a request
    assert len(kept) < len(live) - 15  # no tally counted live


def test_the_due_list_above_county_level_lists_the_areas_below(full_demo: dict[str, Area], login: Any) -> None:
    import re

    from xieguan.inspections.selectors import current_month, patrol_status

    city, bureau = User.objects.get(username="city"), User.objects.get(username="bureau")
    today = timezone.localdate()
    year, month = current_month(bureau, today)
    county = patrol_status(bureau, year=year, month=month, today=today, rows=False).total
    assert county.due > 0
    expected = [str(county.due), str(county.done), str(county.overdue)]
    for kept in (False, True):  # counted live, then read from the worker's rollup
        if kept:
            rollup_current_task.call()
        page = login(city).get(reverse("inspections:due"), {"year": year, "month": month}).text
        assert 'id="units-due"' not in page  # no unit list at prefecture level
        row = re.search(r"<tr>\s*<td[^>]*><a href=\"\?[^\"]*area=([0-9a-f-]+)\">示范县</a></td>(.*?)</tr>", page, re.S)
        assert row is not None and row[1] == str(full_demo["county"].pk)
        assert re.findall(r"<td[^>]*>(?:<span[^>]*>)?(\d+)", row[2])[:3] == expected
        assert ("统计于" in page) is kept
    county_page = login(city).get(reverse("inspections:due"), {"area": full_demo["county"].pk}).text
    assert 'id="units-due"' in county_page and "城关镇" in county_page  # a click goes down to townships and units
    assert login(bureau).get(reverse("inspections:due"), {"area": full_demo["prefecture"].pk}).status_code == 404
