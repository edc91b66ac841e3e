"""The history of whether a unit's file is complete (``UnitFiling``, issue
22 item 1): every writer of ``is_complete`` records it — create, update,
the recompute after a category's required fields change, the Excel
import, a merge, the demo loaders — and migration 0013's backfill gives
the units already there one row each."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from xieguan.demo.units import load_units
from xieguan.units import batches, categories, services
from xieguan.units.models import Category, ImportStatus, Unit, UnitFiling
from xieguan.units.tests.factories import FOOD_EXTRA, credit_code, make_unit
from xieguan.units.tests.test_imports import HEADERS, food_row, sheet_bytes, upload

backfill_filings = importlib.import_module("xieguan.units.migrations.0013_unit_filing").backfill_filings


def history(unit: Unit) -> list[tuple[datetime.date, bool]]:
    return list(UnitFiling.objects.filter(unit=unit).order_by("since").values_list("since", "complete"))


def test_a_new_unit_has_its_file_recorded_from_today(demo, comanager_in):
    complete = make_unit(comanager_in, demo.villages[1])
    incomplete = make_unit(comanager_in, demo.villages[2], name="第二饭店", phone="")
    today = timezone.localdate()
    assert history(complete) == [(today, True)]
    assert history(incomplete) == [(today, False)]


def test_an_update_records_a_change_of_the_file_and_only_a_change(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1], phone="")
    today = timezone.localdate()
    UnitFiling.objects.filter(unit=unit).update(since=datetime.date(2026, 1, 5))
    services.unit_update(actor=comanager_in, unit=unit, address="城关镇人民路 20 号")
    assert history(unit) == [(datetime.date(2026, 1, 5), False)]  # still incomplete: nothing new
    services.unit_update(actor=comanager_in, unit=unit, phone="13800002222")
    assert history(unit) == [(datetime.date(2026, 1, 5), False), (today, True)]
    # A second change the same day overwrites that day's row: the day ends incomplete.
    services.unit_update(actor=comanager_in, unit=unit, phone="")
    assert history(unit) == [(datetime.date(2026, 1, 5), False), (today, False)]


def test_a_new_required_field_records_the_files_it_makes_incomplete(demo, comanager_in, county_admin):
    food = Category.objects.get(code="food")
    unit = make_unit(comanager_in, demo.villages[1])
    UnitFiling.objects.filter(unit=unit).update(since=datetime.date(2026, 1, 5))
    categories.category_field_add(
        actor=county_admin, county=demo.county, category=food, label="许可证有效期至", kind="date", required=True
    )
    unit.refresh_from_db()
    assert not unit.is_complete
    assert history(unit) == [(datetime.date(2026, 1, 5), True), (timezone.localdate(), False)]


def test_imported_units_have_their_files_recorded(demo, comanager_in):
    food = Category.objects.get(code="food")
    content = sheet_bytes([HEADERS, food_row("好运饭店", code=credit_code(701)), food_row("金鼎饭店", 联系电话="")])
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content))
    assert batch.status == ImportStatus.READY
    batch = batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert batch.created_count == 2
    today = timezone.localdate()
    assert history(Unit.objects.get(name="好运饭店")) == [(today, True)]
    assert history(Unit.objects.get(name="金鼎饭店")) == [(today, False)]


def test_a_merge_records_the_survivors_file_and_leaves_the_merged_ones_history_with_it(demo, comanager_in):
    survivor = make_unit(comanager_in, demo.townships[0], name="福满楼饭店", phone="")
    merged = make_unit(comanager_in, demo.townships[0], name="福满楼饭店。", extra=dict(FOOD_EXTRA))
    for unit in (survivor, merged):
        UnitFiling.objects.filter(unit=unit).update(since=datetime.date(2026, 1, 5))
    services.unit_merge(actor=comanager_in, survivor=survivor, merged=merged, take_from_merged=["phone"])
    survivor.refresh_from_db()
    assert survivor.is_complete
    assert history(survivor) == [(datetime.date(2026, 1, 5), False), (timezone.localdate(), True)]
    assert history(merged) == [(datetime.date(2026, 1, 5), True)]


def test_the_demo_registry_is_filed_since_each_unit_opened(demo):
    units = load_units(demo, count=40)
    rows = {
        unit_id: (since, complete)
        for unit_id, since, complete in UnitFiling.objects.values_list("unit", "since", "complete")
    }
    assert len(rows) == 40
    for unit in units:
        assert rows[unit.pk] == (unit.opened_on, unit.is_complete)


def _bare_unit(demo, name: str, **fields) -> Unit:
    """A unit saved without the services: no filing history, as before migration 0013."""
    food = Category.objects.get(code="food")
    return Unit.objects.create(name=name, area=demo.villages[1], category=food, **fields)


@pytest.mark.parametrize("runs", [1, 2])
def test_the_backfill_gives_each_unit_its_file_since_it_opened(demo, comanager_in, runs):
    opened = _bare_unit(demo, "老店", opened_on=datetime.date(2019, 4, 1), is_complete=True)
    unopened = _bare_unit(demo, "新店", is_complete=False)
    Unit.objects.filter(pk=unopened.pk).update(created_at=timezone.make_aware(datetime.datetime(2026, 2, 3, 10)))
    filed = make_unit(comanager_in, demo.villages[2])  # already has its row: left alone
    editor = SimpleNamespace(connection=connection)
    for _ in range(runs):
        backfill_filings(apps, editor)
    assert history(opened) == [(datetime.date(2019, 4, 1), True)]
    assert history(unopened) == [(datetime.date(2026, 2, 3), False)]
    assert history(filed) == [(timezone.localdate(), True)]


def test_the_backfill_writes_in_batches(demo, monkeypatch):
    module = importlib.import_module("xieguan.units.migrations.0013_unit_filing")
    monkeypatch.setattr(module, "BATCH", 2)
    made = [
        _bare_unit(demo, f"店{n}", opened_on=datetime.date(2020, 1, n + 1), is_complete=n % 2 == 0) for n in range(5)
    ]
    module.backfill_filings(apps, SimpleNamespace(connection=connection))
    for n, unit in enumerate(made):
        assert history(unit) == [(datetime.date(2020, 1, n + 1), n % 2 == 0)]


def test_the_baseline_is_one_statement_and_skips_units_with_history(demo, comanager_in, django_assert_num_queries):
    bare = [_bare_unit(demo, f"店{n}", opened_on=datetime.date(2021, 3, 1), is_complete=True) for n in range(3)]
    filed = make_unit(comanager_in, demo.villages[2])
    with django_assert_num_queries(1):
        written = services.record_filing_baseline(Unit.objects.all())
    assert written == 3
    assert all(history(unit) == [(datetime.date(2021, 3, 1), True)] for unit in bare)
    assert history(filed) == [(timezone.localdate(), True)]
