import datetime

import pytest
from django.urls import reverse

from xieguan.core.testing import assert_constant_queries
from xieguan.outreach.models import Outreach
from xieguan.outreach.tests.factories import make_outreach


@pytest.fixture
def activity(demo, comanager_in):
    return make_outreach(
        area=demo.villages[1], by=comanager_in, date=datetime.date(2026, 5, 10), theme="学校传染病防控讲座"
    )


def test_reading_a_record_inside_and_above(login, activity, inside_or_above):
    response = login(inside_or_above).get(reverse("outreach:detail", args=[activity.pk]))
    assert response.status_code == 200 and "学校传染病防控讲座" in response.content.decode()


@pytest.mark.parametrize(("who", "shown"), [("cg1", True), ("inst", True), ("bureau", True), ("dh1", False)])
def test_list_shows_records_in_scope_only(demo, login, activity, who, shown):
    page = login(demo.users[who]).get(reverse("outreach:list")).content.decode()
    assert ("学校传染病防控讲座" in page) is shown


def form_data(area, **extra):
    data = {
        "area": str(area.pk),
        "date": "2026-05-10",
        "place": "城关镇中心小学",
        "form": "school",
        "theme": "学生饮用水卫生",
        "audience": "小学生",
        "audience_count": "200",
        "materials": "",
        "materials_count": "0",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "status", "made"), [("cg1", 302, 1), ("inst", 302, 1), ("bureau", 403, 0), ("dh1", 200, 0)]
)
def test_recording_in_the_first_township_inside_above_and_beside(demo, login, who, status, made):
    # dh1 cannot choose 城关镇 at all: the form refuses the choice and keeps the page.
    response = login(demo.users[who]).post(reverse("outreach:create"), form_data(demo.townships[0]))
    assert response.status_code == status
    assert Outreach.objects.count() == made


def test_service_error_keeps_what_was_typed(demo, login, comanager_in):
    response = login(comanager_in).post(reverse("outreach:create"), form_data(demo.townships[0], date="2999-01-01"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "不能" in page and 'value="城关镇中心小学"' in page and 'value="学生饮用水卫生"' in page
    assert not Outreach.objects.exists()


def test_list_query_count_does_not_grow(demo, login, comanager_in, outsider):
    client = login(demo.users["bureau"])

    def grow():
        for i in range(5):
            make_outreach(area=demo.villages[1], by=comanager_in, date=datetime.date(2026, 1, 1 + i))
            make_outreach(area=demo.townships[1], by=outsider, date=datetime.date(2026, 2, 1 + i))

    make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 1, 20))
    assert_constant_queries(lambda: client.get(reverse("outreach:list")), grow, exactly=10)


def test_due_page_for_county_and_township(demo, login, comanager_in):
    make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 1, 20))
    county_page = login(demo.users["bureau"]).get(reverse("outreach:due") + "?year=2026").content.decode()
    assert "城关镇" in county_page and "河东镇" in county_page
    own_page = login(comanager_in).get(reverse("outreach:due") + "?year=2026").content.decode()
    assert "城关镇" in own_page and "河东镇" not in own_page
    assert "已逾期" in county_page or "待完成" in county_page


def test_due_page_query_count_does_not_grow(demo, login, comanager_in, outsider):
    client = login(demo.users["bureau"])

    def grow():
        for month in range(1, 10):
            make_outreach(area=demo.townships[1], by=outsider, date=datetime.date(2026, month, 3))

    assert_constant_queries(lambda: client.get(reverse("outreach:due") + "?year=2026"), grow, exactly=12)
