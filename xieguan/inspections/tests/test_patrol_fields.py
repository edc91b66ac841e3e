"""The due rows load only the unit fields their readers use (issue 19 item
5: a county's 3,000 units loaded in half the time); what those readers read
must then cost no query per row."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xieguan.inspections.models import FrequencyRule
from xieguan.inspections.selectors import due_this_month, frequency_of, patrol_status
from xieguan.inspections.tests.factories import plain_unit


def test_what_the_rows_carry_is_read_without_a_query(demo, county_admin, township, sibling_township):
    plain_unit(township, name="加测酒店", is_key_unit=True)
    for n in range(5):
        plain_unit(sibling_township, name=f"邻镇单位{n}")
    today = timezone.localdate()
    view = patrol_status(county_admin, year=today.year, month=today.month, today=today)
    rules = list(FrequencyRule.objects.select_related("county"))
    assert len(view.rows) == 6
    with CaptureQueriesContext(connection) as read:
        seen = [
            (
                r.unit.pk,
                r.unit.name,
                r.unit.is_key_unit,
                r.unit.area.name,
                r.unit.area.path,
                frequency_of(r.unit, rules),
            )
            for r in view.rows
        ]
    assert len(read) == 0
    assert any(name == "加测酒店" and key for _pk, name, key, *_rest in seen)


def test_the_due_page_and_home_panel_cost_the_same_for_more_units(demo, login, county_admin, comanager_in, township):
    pages = [(login(county_admin), reverse("inspections:due")), (login(comanager_in), "/")]
    for client, url in pages:
        client.get(url)
    counts = []
    for extra in (0, 15):
        for n in range(extra):
            plain_unit(township, name=f"加测单位{n:02d}")
        row = []
        for client, url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
    assert counts[0] == counts[1]


def test_the_phones_due_list_still_names_the_units(demo, comanager_in, township):
    unit = plain_unit(township, name="加测理发店", is_key_unit=True)
    rows = due_this_month(comanager_in, today=timezone.localdate() + datetime.timedelta(days=0))
    assert unit.pk in {r.unit.pk for r in rows}
    assert {r.unit.name for r in rows if r.unit.pk == unit.pk} == {"加测理发店"}
