"""The unit file's 记录检查 action and the picker narrowed to one area
(issue 20 item 7)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xieguan.units import services
from xieguan.units.models import UnitStatus
from xieguan.units.tests.factories import credit_code, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(demo, comanager_in):
    return make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))


@pytest.mark.parametrize(
    ("who", "shown"), [("cg1", True), ("inst", True), ("bureau", False), ("city", False), ("cun1", False)]
)
def test_record_an_inspection_is_offered_to_those_who_record_inspections(demo, login, unit, who, shown):
    page = login(demo.users[who]).get(reverse("units:detail", args=[unit.pk])).content.decode()
    link = f'href="{reverse("inspections:create")}?unit={unit.pk}"'
    assert (link in page) is shown
    assert ("记录检查" in page) is shown


def test_record_an_inspection_opens_the_form_with_the_unit_chosen(demo, login, comanager_in, unit):
    client = login(comanager_in)
    page = client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    href = re.search(r'id="record-inspection" href="([^"]+)"', page).group(1)
    form = client.get(href.replace("&amp;", "&"))
    assert form.status_code == 200
    assert f'value="{unit.pk}" checked' in form.content.decode()


def test_a_closed_unit_offers_no_inspection(demo, login, comanager_in, unit):
    services.unit_update(actor=comanager_in, unit=unit, status=UnitStatus.CLOSED, closed_on=unit.opened_on)
    page = login(comanager_in).get(reverse("units:detail", args=[unit.pk])).content.decode()
    assert 'id="record-inspection"' not in page


def test_the_picker_searches_within_one_area_when_asked(demo, login, county_admin, unit, outsider):
    theirs = make_unit(outsider, demo.townships[1], name="河东红星饭店", credit_code=credit_code(2, "990102"))
    client = login(county_admin)

    def found(**extra):
        body = client.get(reverse("units:pick"), {"name": "unit", "unit__q": "红星", **extra}).content.decode()
        return {pk for pk in (unit.pk, theirs.pk) if f'value="{pk}"' in body}

    assert found() == {unit.pk, theirs.pk}
    assert found(within=str(demo.townships[0].pk)) == {unit.pk}
    assert found(within=str(demo.townships[1].pk)) == {theirs.pk}
    # An area the user may not see, or no area at all, narrows to nothing.
    dh1 = login(outsider)
    body = dh1.get(reverse("units:pick"), {"name": "unit", "unit__q": "红星", "within": str(demo.townships[0].pk)})
    assert str(unit.pk) not in body.content.decode() and str(theirs.pk) not in body.content.decode()
    assert found(within="not-an-id") == set()
