"""Searching the registry by one or two characters (issue 19 item 4): the
search column ``Unit.search_grams`` is kept by every path that writes a
unit, and the search through it finds exactly what a plain substring test
finds, on either database."""

from __future__ import annotations

import types

import pytest
from django.db import connection
from django.urls import reverse

from xieguan.demo.units import load_units
from xieguan.units import selectors, services
from xieguan.units.models import Category, Unit, name_initials_of, search_grams_of
from xieguan.units.selectors import UnitFilters, units_filtered
from xieguan.units.tests.factories import make_unit
from xieguan.units.tests.test_imports import HEADERS, food_row, sheet_bytes


def _expected(unit: Unit) -> str:
    return search_grams_of(unit.name, unit.address, name_initials_of(unit.name))


def test_the_column_holds_every_character_and_pair_of_name_address_and_initials():
    grams = search_grams_of("王记饭店", "人民路 8号", "wjfd").split()
    assert {"王", "王记", "记饭", "饭店", "店", "人民", "民路", "8号", "wj", "jf", "fd"} <= set(grams)
    # Pairs never span a space, nor run from the name into the address.
    assert "路8" not in grams and "店人" not in grams
    assert search_grams_of("ABC", "") == "a ab b bc c"


@pytest.fixture
def units(demo, comanager_in, outsider):
    make_unit(comanager_in, demo.villages[1], name="王记饭店", address="城关镇人民路 8 号")
    make_unit(comanager_in, demo.villages[1], name="李家面馆", address="城关镇王记巷 2 号")
    make_unit(comanager_in, demo.villages[1], name="丰收超市", address="城关镇饭店街 1 号")
    make_unit(comanager_in, demo.villages[1], name="红星店", address="王庄路 3 号")  # 店 + 王: no 店王
    make_unit(outsider, demo.villages[3], name="河东王记饭店", address="河东镇人民路 1 号")


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("饭店", {"王记饭店", "丰收超市"}),
        ("王记", {"王记饭店", "李家面馆"}),
        ("店王", set()),
        ("馆", {"李家面馆"}),
        ("wj", {"王记饭店"}),
        ("WJ", {"王记饭店"}),
    ],
)
def test_a_short_search_finds_name_and_address_in_scope_only(demo, login, comanager_in, units, q, found):
    page = login(comanager_in).get(reverse("units:list"), {"q": q}).content.decode()
    for name in ["王记饭店", "李家面馆", "丰收超市", "红星店"]:
        assert (name in page) == (name in found), name
    assert "河东王记饭店" not in page


@pytest.mark.parametrize("rare_term_units", [0, 3, 1000])
def test_short_search_finds_what_a_substring_test_finds(
    demo, comanager_in, county_admin, units, monkeypatch, rare_term_units
):
    """On the demo county's units (a few hundred), for every one- and
    two-character piece of their names and a few that appear nowhere: the
    search column gives the same units as comparing the text itself, whether
    a term is looked up by the ids of its units (rare) or by the token test
    (common): 0 makes every found term common, 1000 every term rare."""
    monkeypatch.setattr(selectors, "RARE_TERM_UNITS", rare_term_units)
    load_units(demo, count=150)
    everyone = list(Unit.objects.current().visible_to(county_admin))
    terms = {u.name[i : i + 2] for u in everyone for i in range(0, len(u.name) - 1, 3)}
    terms |= {u.address[2:4] for u in everyone[::7]} | {u.name[:1] for u in everyone[::11]}
    terms |= {"hx", "wj", "zz", "鑫鑫", "Ａ"}
    assert len(terms) > 50
    for q in sorted(terms):
        found = set(units_filtered(county_admin, UnitFilters(q=q)).values_list("pk", flat=True))
        low = q.lower()
        expected = {
            u.pk
            for u in everyone
            if low in u.name.lower()
            or low in u.address.lower()
            or (len(q) == 2 and q.isascii() and q.isalnum() and low in u.name_initials)
            or (len(q) == 1 and q.isascii() and q.isalnum() and u.name_initials.startswith(low))
            or (u.credit_code or "").startswith(q.upper())
        }
        assert found == expected, q


def test_every_unit_of_the_demo_county_has_its_column(demo):
    load_units(demo, count=60)
    assert Unit.objects.count() >= 60
    for unit in Unit.objects.all():
        assert unit.search_grams == _expected(unit), unit.name


def test_editing_a_unit_renews_its_column(demo, login, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1], name="王记饭店", address="人民路 8 号")
    services.unit_update(actor=comanager_in, unit=unit, name="李家面馆", address="和平路 3 号")
    unit.refresh_from_db()
    assert unit.search_grams == _expected(unit)
    filters = UnitFilters(q="王记")
    assert not units_filtered(comanager_in, filters).filter(pk=unit.pk).exists()
    assert units_filtered(comanager_in, UnitFilters(q="和平")).filter(pk=unit.pk).exists()


def test_an_update_of_some_fields_renews_the_column(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1], name="王记饭店")
    unit.address = "饭店街 9 号"
    unit.save(update_fields=["address", "updated_at"])
    unit.refresh_from_db()
    assert unit.search_grams == _expected(unit) and "店街" in unit.search_grams.split()


def test_merging_takes_the_merged_name_into_the_column(demo, county_admin, comanager_in):
    survivor = make_unit(comanager_in, demo.villages[1], name="红星酒店")
    merged = make_unit(comanager_in, demo.villages[1], name="红星大酒店", address="王记巷 1 号")
    services.unit_merge(actor=county_admin, survivor=survivor, merged=merged, take_from_merged=["name", "address"])
    survivor.refresh_from_db()
    assert survivor.search_grams == _expected(survivor)
    assert list(units_filtered(comanager_in, UnitFilters(q="王记"))) == [survivor]


def test_imported_units_have_their_column(demo, comanager_in, tmp_path):
    from xieguan.units import imports

    food = Category.objects.get(code="food")
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(sheet_bytes([HEADERS, food_row("导入王记饭店", 地址="饭店街 5 号"), food_row("阳光面馆")]))
    assert imports.import_rows_for_bench(comanager_in, food, path) == 2
    imported = Unit.objects.get(name="导入王记饭店")
    assert imported.search_grams == _expected(imported)
    assert units_filtered(comanager_in, UnitFilters(q="王记")).filter(pk=imported.pk).exists()


def test_the_generated_province_has_its_column(db):
    from xieguan.demo.province import make_province

    make_province(units=300, counties=1, seed=3)
    sample = list(Unit.objects.order_by("pk")[:300])
    assert len(sample) == 300
    for unit in sample:
        assert unit.search_grams == search_grams_of(unit.name, unit.address, unit.name_initials)


def test_the_migration_fills_the_column_in_batches(demo, monkeypatch):
    """The backfill of migration 0010, run on units whose column is empty."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("xieguan.units.migrations.0010_unit_search_grams")
    monkeypatch.setattr(migration, "BATCH", 7)
    load_units(demo, count=20)
    Unit.objects.update(search_grams="")
    migration.fill(apps, types.SimpleNamespace(connection=connection))
    units = list(Unit.objects.all())
    assert len(units) > 7
    for unit in units:
        assert unit.search_grams == search_grams_of(unit.name, unit.address, unit.name_initials)
