"""The county's monthly report rules: the settings page, the service and
/api/monthly-settings, with users inside (cg1, bureau, inst), above (city)
and beside (dh1; the bureau of a neighbouring county)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import Institution, Role, RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.models import AuditEvent
from xieguan.monthly import services
from xieguan.monthly.models import MonthlySetting
from xieguan.monthly.periods import period_containing

URL = reverse("monthly:settings")


@pytest.fixture
def neighbour(demo):
    """The bureau of another county under the same prefecture."""
    county = Area.objects.create(name="邻县", code="990200000000", level=Level.COUNTY, parent=demo.prefecture)
    bureau = Institution.objects.create(name="邻县卫生健康局", type="bureau", area=county)
    user = User.objects.create(username="linxian", full_name="邻县局长", institution=bureau)
    user.roles.set(Role.objects.filter(code=RoleCode.COUNTY_LEADER))
    return user


def _rules(county) -> tuple[int, int] | None:
    row = MonthlySetting.objects.filter(county=county).values_list("period_start_day", "deadline_day").first()
    return row


@pytest.mark.parametrize(
    ("who", "status", "form_shown"),
    [
        ("bureau", 200, True),
        ("inst", 200, True),
        ("admin", 200, True),
        ("cg1", 200, False),
        ("dh1", 200, False),
        ("city", 200, False),
    ],
)
def test_settings_page_shows_the_rules_and_the_form_only_to_the_county(demo, login, who, status, form_shown):
    user = demo.users[who]
    url = f"{URL}?county={demo.county.pk}"
    response = login(user).get(url)
    assert response.status_code == status
    current = period_containing(timezone.localdate())
    assert current.first_day.isoformat() in response.text
    assert ('id="settings-form"' in response.text) is form_shown


@pytest.mark.parametrize("who", ["cg1", "dh1", "city"])
def test_who_may_not_change_the_rules_gets_403_and_nothing_changes(demo, login, who):
    response = login(demo.users[who]).post(
        f"{URL}?county={demo.county.pk}", {"period_start_day": 26, "deadline_day": 28}
    )
    assert response.status_code == 403
    assert _rules(demo.county) is None


def test_bureau_of_another_county_gets_404(demo, login, neighbour):
    client = login(neighbour)
    assert client.get(f"{URL}?county={demo.county.pk}").status_code == 404
    response = client.post(f"{URL}?county={demo.county.pk}", {"period_start_day": 26, "deadline_day": 28})
    assert response.status_code == 404 and _rules(demo.county) is None
    with pytest.raises(Http404):
        services.monthly_setting_set(actor=neighbour, county=demo.county, deadline_day=28, period_start_day=26)


def test_bureau_sets_the_rules_audited_and_the_report_page_follows(demo, login, township, county_admin, comanager_in):
    client = login(county_admin)
    response = client.post(URL, {"period_start_day": 26, "deadline_day": 28})
    assert response.status_code == 302
    assert _rules(demo.county) == (26, 28)
    event = AuditEvent.objects.get(object_id=str(MonthlySetting.objects.get().pk))
    assert event.changes["period_start_day"] == [None, 26] and event.changes["deadline_day"] == [None, 28]
    assert event.area_path == demo.county.path
    page = client.get(response["Location"])
    assert "已保存" in page.text
    year = timezone.localdate().year
    report = login(comanager_in).get(reverse("monthly:report", args=[township.pk, year, 3]))
    assert f"统计周期 {year}-02-26 至 {year}-03-25" in report.text
    assert f"{year}-03-28" in report.text  # the deadline: the first 28th after the 25th


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period_start_day": 29, "deadline_day": 23}, "period_start_day", "1 到 28"),
        ({"period_start_day": 1, "deadline_day": 0}, "deadline_day", "1 到 31"),
        ({"period_start_day": "x", "deadline_day": 23}, "period_start_day", "1 到 28"),
    ],
)
def test_invalid_days_are_refused_in_chinese_keeping_the_input(demo, login, county_admin, data, field, message):
    response = login(county_admin).post(URL, data)
    assert response.status_code == 422 and message in response.text
    assert f'value="{data[field]}"' in response.text or data[field] == "x"
    assert _rules(demo.county) is None


def test_the_period_start_cannot_change_once_a_report_is_submitted(demo, township, comanager_in, county_admin):
    today = timezone.localdate()
    services.monthly_report_submit(actor=comanager_in, township=township, year=today.year, month=today.month)
    with pytest.raises(ValidationError) as exc:
        services.monthly_setting_set(actor=county_admin, county=demo.county, deadline_day=23, period_start_day=26)
    assert "已有上报或已审核的月报" in str(exc.value)
    assert _rules(demo.county) is None
    # The deadline day may still change; the submitted report keeps its deadline.
    setting = services.monthly_setting_set(actor=county_admin, county=demo.county, deadline_day=25, period_start_day=1)
    assert (setting.period_start_day, setting.deadline_day) == (1, 25)


def test_api_get_and_put_are_scoped(demo, client, api_token, neighbour):
    url = f"/api/monthly-settings/{demo.county.pk}"
    got = client.get(url, **api_token(demo.users["cg1"]))
    assert got.status_code == 200 and got.json()["period_start_day"] == 1 and got.json()["deadline_day"] == 23
    assert client.get(url, **api_token(demo.users["city"])).status_code == 200
    assert client.get(url, **api_token(neighbour)).status_code == 404
    body = {"period_start_day": 26, "deadline_day": 28}
    denied = client.put(url, body, content_type="application/json", **api_token(demo.users["cg1"]))
    assert denied.status_code == 403 and denied.json()["detail"]
    assert client.put(url, body, content_type="application/json", **api_token(neighbour)).status_code == 404
    assert _rules(demo.county) is None
    bad = client.put(
        url,
        {"period_start_day": 30, "deadline_day": 28},
        content_type="application/json",
        **api_token(demo.users["inst"]),
    )
    assert bad.status_code == 422 and "1 到 28" in bad.json()["detail"]
    ok = client.put(url, body, content_type="application/json", **api_token(demo.users["inst"]))
    assert ok.status_code == 200
    data = ok.json()
    assert (data["period_start_day"], data["deadline_day"]) == (26, 28)
    current = period_containing(timezone.localdate(), start_day=26)
    assert data["current_period"] == [current.first_day.isoformat(), current.last_day.isoformat()]
    assert datetime.date.fromisoformat(data["current_deadline"]) == current.deadline(28)


def test_openapi_describes_the_settings_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    operations = paths["/api/monthly-settings/{county_id}"]
    assert set(operations) == {"get", "put"}
    assert {"200", "403", "404", "422"} <= set(operations["put"]["responses"])
