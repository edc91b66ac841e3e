"""A county's scope is read through the units' own ``county`` column (issue
19 item 5: given as a list of its areas, PostgreSQL walked the province's
name index for a county's first page). The rows must stay exactly those of
the one scope mechanism."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieguan.areas.models import Area, Level
from xieguan.inspections.tests.factories import plain_unit
from xieguan.units.models import Unit
from xieguan.units.selectors import UnitFilters, units_filtered, units_in_scope


def _neighbour_county_unit(demo):
    county = Area.objects.create(parent=demo.prefecture, name="邻县", level=Level.COUNTY, code="990199000000")
    township = Area.objects.create(parent=county, name="邻镇", level=Level.TOWNSHIP, code="990199001000")
    return plain_unit(township, name="邻县红星酒店")


def test_a_county_user_sees_the_same_units_through_the_county_column(demo, county_admin, township):
    village = Area.objects.filter(parent=township, level=Level.VILLAGE).first()
    in_village = plain_unit(village, name="村里的小卖部", category="public_place")
    beside = _neighbour_county_unit(demo)
    scoped = units_in_scope(county_admin)
    assert '"units_unit"."county_id" =' in str(scoped.query)
    mine = set(scoped.values_list("pk", flat=True))
    assert mine == set(Unit.objects.visible_to(county_admin).values_list("pk", flat=True))
    assert in_village.pk in mine and beside.pk not in mine
    # A township below it and the city above keep their own forms and rows.
    for who in ("cg1", "city"):
        user = demo.users[who]
        rows = set(units_in_scope(user).values_list("pk", flat=True))
        assert rows == set(Unit.objects.visible_to(user).values_list("pk", flat=True))
        assert '"units_unit"."county_id" =' not in str(units_in_scope(user).query)
    assert beside.pk in set(units_in_scope(demo.users["city"]).values_list("pk", flat=True))


def test_a_county_search_finds_within_the_county_only(demo, county_admin, township):
    mine = plain_unit(township, name="红星酒店")
    beside = _neighbour_county_unit(demo)
    found = set(units_filtered(county_admin, UnitFilters(q="红星酒店")).values_list("pk", flat=True))
    assert mine.pk in found and beside.pk not in found


def test_a_county_list_page_costs_the_same_queries_for_more_units(demo, county_admin, login, township):
    client = login(county_admin)
    client.get("/units/")
    with CaptureQueriesContext(connection) as before:
        assert client.get("/units/").status_code == 200
    for n in range(30):
        plain_unit(township, name=f"加测单位{n:02d}")
    with CaptureQueriesContext(connection) as after:
        assert client.get("/units/").status_code == 200
    assert len(after) == len(before)
