"""Area lists in code order: the 建档率 page, the unit form's areas, and
areas without a code (issue 20 item 7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xieguan.areas.models import Area, Level

pytestmark = pytest.mark.django_db

# The demo county's townships by their division codes (990101001000 …).
IN_CODE_ORDER = ["东关街道", "西湖街道", "城关镇", "河东镇", "青山镇", "柳林镇", "石桥镇", "白沙乡", "马坊乡", "杨庄乡"]


def test_filing_rate_lists_townships_in_code_order(demo, login, county_admin):
    page = login(county_admin).get(reverse("units:filing_rate")).content.decode()
    positions = [page.index(name) for name in IN_CODE_ORDER]
    assert positions == sorted(positions)


def test_the_unit_forms_areas_are_in_code_order_each_township_before_its_villages(demo, county_admin):
    from xieguan.units.forms import unit_areas_for

    areas = list(unit_areas_for(county_admin))
    townships = [a.name for a in areas if a.level == Level.TOWNSHIP]
    assert townships == IN_CODE_ORDER
    for area in areas:
        if area.level == Level.VILLAGE:
            parent = next(i for i, a in enumerate(areas) if a.pk == area.parent_id)
            assert parent < areas.index(area)


def test_areas_without_a_code_come_after_those_with_one(demo):
    Area.objects.filter(pk=demo.townships[0].pk).update(code=None)
    names = list(Area.objects.townships().in_code_order().values_list("name", flat=True))
    assert names == [n for n in IN_CODE_ORDER if n != "城关镇"] + ["城关镇"]
