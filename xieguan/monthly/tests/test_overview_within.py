"""A province user's overview of one city reads that city only (issue 19
item 5: it read the province's 300,000 units and every county's report
states, 60 s under load): the same figures as the city's own user, at the
same cost, and nothing from a city beside it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xieguan.accounts.models import Institution, InstitutionType, Role, RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.inspections.selectors import patrol_status
from xieguan.inspections.tests.factories import plain_unit
from xieguan.monthly.overview import month_overview
from xieguan.monthly.selectors import reporting_rates
from xieguan.units.selectors import filing_rate_by_township


def _other_city(demo):
    city = Area.objects.create(parent=demo.province, name="邻市", level=Level.PREFECTURE, code="990200000000")
    county = Area.objects.create(parent=city, name="邻县", level=Level.COUNTY, code="990201000000")
    township = Area.objects.create(parent=county, name="邻镇", level=Level.TOWNSHIP, code="990201001000")
    return county, township


def _province_user(demo):
    commission = Institution.objects.create(
        name="示范省卫生健康委员会", type=InstitutionType.BUREAU, area=demo.province
    )
    user = User.objects.create_user("prov", password=None, institution=commission, full_name="省级")
    user.roles.add(Role.objects.get(code=RoleCode.HIGHER_READONLY))
    return user


def test_a_province_users_city_overview_is_the_citys(demo, township):
    plain_unit(township, name="本市酒店", is_key_unit=True)
    other_county, other_township = _other_city(demo)
    beside = plain_unit(other_township, name="邻市酒店", is_key_unit=True)
    province_user, city_user = _province_user(demo), demo.users["city"]
    today = timezone.localdate()
    figures = {}
    cost = {}
    for who, user in (("city", city_user), ("province", province_user)):
        month_overview(user, area=demo.prefecture, year=today.year, month=today.month, today=today)
        with CaptureQueriesContext(connection) as queries:
            seen = month_overview(user, area=demo.prefecture, year=today.year, month=today.month, today=today)
        cost[who] = len(queries)
        figures[who] = (
            dict(seen.total.counts),
            seen.total.expected,
            [(r.area.pk, dict(r.counts), r.expected) for r in seen.rows],
        )
    assert figures["province"] == figures["city"] and figures["city"][0]
    assert cost["province"] == cost["city"]
    # Each piece keeps to the area it is given.
    view = patrol_status(province_user, year=today.year, month=today.month, today=today, within=demo.prefecture)
    assert beside.pk not in {r.unit.pk for r in view.rows} and len(view.rows) == 1
    assert other_township not in [c.township for c in view.coverage]
    rates = reporting_rates(province_user, year=today.year, month=today.month, within=demo.prefecture)
    assert [r.area for r in rates] == [demo.county]
    everywhere = reporting_rates(province_user, year=today.year, month=today.month)
    assert {r.area for r in everywhere} == {demo.county, other_county}
    filing = filing_rate_by_township(province_user, within=demo.prefecture)
    assert other_township not in [f.township for f in filing] and sum(f.units for f in filing) == 1
