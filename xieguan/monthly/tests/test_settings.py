"""The county's monthly report rules: the settings page, the service and
/api/monthly-settings, with users inside (cg1, bureau, inst), above (city)
and beside (dh1; the bureau of a neighbouring county). A new period start
day applies from a month on; the months reported keep their boundaries."""

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
from xieguan.monthly.models import MonthlySetting, PeriodRule
from xieguan.monthly.periods import period_containing, reporting_period
from xieguan.monthly.tests.factories import set_clock

URL = reverse("monthly:settings")
D = datetime.date
TODAY = D(2026, 12, 6)
NOTHING = ((), None)
NEW_RULES = {"period_start_day": 26, "applies_from": "2027-01", "deadline_day": 28}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return set_clock(monkeypatch, TODAY)


@pytest.fixture
def neighbour(demo):
    """The bureau of another county under the same prefecture."""
    county = Area.objects.create(name="邻县", code="990200000000", level=Level.COUNTY, parent=demo.prefecture)
    bureau = Institution.objects.create(name="邻县卫生健康局", type="bureau", area=county)
    user = User.objects.create(username="linxian", full_name="邻县局长", institution=bureau)
    user.roles.set(Role.objects.filter(code=RoleCode.COUNTY_LEADER))
    return user


def _rules(county) -> tuple[tuple[tuple[str, int], ...], int | None]:
    """(the start days as ("YYYY-MM", day) from oldest, the deadline day or None)."""
    starts = tuple(
        (f"{applies:%Y-%m}", day)
        for applies, day in PeriodRule.objects.filter(county=county)
        .order_by("applies_from")
        .values_list("applies_from", "start_day")
    )
    return starts, MonthlySetting.objects.filter(county=county).values_list("deadline_day", flat=True).first()


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
    response = login(demo.users[who]).post(f"{URL}?county={demo.county.pk}", NEW_RULES)
    assert response.status_code == 403
    assert _rules(demo.county) == NOTHING


def test_bureau_of_another_county_gets_404(demo, login, neighbour):
    client = login(neighbour)
    assert client.get(f"{URL}?county={demo.county.pk}").status_code == 404
    response = client.post(f"{URL}?county={demo.county.pk}", NEW_RULES)
    assert response.status_code == 404 and _rules(demo.county) == NOTHING
    with pytest.raises(Http404):
        services.monthly_setting_set(actor=neighbour, county=demo.county, deadline_day=28, period_start_day=26)


def test_bureau_sets_the_rules_audited_and_the_report_page_follows(demo, login, township, county_admin, comanager_in):
    client = login(county_admin)
    form = client.get(URL).text
    assert 'type="month"' in form and 'value="2026-12"' in form  # the current month is offered
    response = client.post(URL, NEW_RULES)
    assert response.status_code == 302
    assert _rules(demo.county) == ((("2027-01", 26),), 28)
    event = AuditEvent.objects.get(object_id=str(MonthlySetting.objects.get().pk))
    assert event.changes["deadline_day"] == [None, 28] and event.area_path == demo.county.path
    rule = AuditEvent.objects.get(action="period_rule.set")
    assert rule.changes["start_day"] == [None, 26] and "2027年1月" in rule.note and rule.area_path == demo.county.path
    page = client.get(response["Location"])
    assert "已保存" in page.text and "自2027年1月起" in page.text and "上月26日至本月25日" in page.text
    # December keeps the calendar; January, the month the change applies from, ends on the 25th.
    assert reporting_period(township, 2026, 12).last_day == D(2026, 12, 31)
    assert (reporting_period(township, 2027, 1).first_day, reporting_period(township, 2027, 1).last_day) == (
        D(2027, 1, 1),
        D(2027, 1, 25),
    )
    report = login(comanager_in).get(reverse("monthly:report", args=[township.pk, 2027, 3]))
    assert "统计周期 2027-02-26 至 2027-03-25" in report.text
    assert "2027-03-28" in report.text  # the deadline: the first 28th after the 25th
    # The form saved unchanged changes nothing and records nothing more.
    assert client.post(URL, NEW_RULES).status_code == 302
    assert _rules(demo.county) == ((("2027-01", 26),), 28)
    assert AuditEvent.objects.filter(action="period_rule.set").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period_start_day": 29, "applies_from": "2027-01", "deadline_day": 23}, "period_start_day", "1 到 28"),
        ({"period_start_day": 1, "deadline_day": 0}, "deadline_day", "1 到 31"),
        ({"period_start_day": "x", "deadline_day": 23}, "period_start_day", "1 到 28"),
        ({"period_start_day": 26, "applies_from": "2027-13", "deadline_day": 23}, "applies_from", "2027-03"),
        ({"period_start_day": 26, "applies_from": "", "deadline_day": 23}, "applies_from", "从哪个月起施行"),
    ],
)
def test_invalid_rules_are_refused_in_chinese_keeping_the_input(demo, login, county_admin, data, field, message):
    response = login(county_admin).post(URL, data)
    assert response.status_code == 422 and message in response.text
    assert f'value="{data[field]}"' in response.text or data[field] in ("x", "")
    assert _rules(demo.county) == NOTHING


def test_a_new_start_day_applies_after_the_months_reported(demo, township, comanager_in, supervisor_of, county_admin):
    """November is reported and approved: a new start day can apply from
    December on, and November keeps its boundaries and its lock."""
    from xieguan.monthly.locks import assert_month_open

    report, _ = services.monthly_report_submit(actor=comanager_in, township=township, year=2026, month=11)
    services.monthly_report_approve(actor=supervisor_of, report=report)
    with pytest.raises(ValidationError) as exc:
        services.monthly_setting_set(
            actor=county_admin, county=demo.county, deadline_day=23, period_start_day=26, applies_from="2026-11"
        )
    assert "最早自2026年12月起施行" in str(exc.value) and "2026年11月的月报已上报或已审核" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.monthly_setting_set(actor=county_admin, county=demo.county, deadline_day=23, period_start_day=26)
    assert "从哪个月起施行" in str(exc.value)
    assert _rules(demo.county) == NOTHING
    # The deadline day may change alone; the submitted report keeps its deadline.
    setting = services.monthly_setting_set(actor=county_admin, county=demo.county, deadline_day=25, period_start_day=1)
    assert setting.deadline_day == 25 and _rules(demo.county) == ((), 25)
    report.refresh_from_db()
    assert report.deadline == D(2026, 12, 23)

    services.monthly_setting_set(
        actor=county_admin, county=demo.county, deadline_day=25, period_start_day=26, applies_from="2026-12"
    )
    assert _rules(demo.county) == ((("2026-12", 26),), 25)
    november, december, january = (reporting_period(township, *m) for m in ((2026, 11), (2026, 12), (2027, 1)))
    assert (november.first_day, november.last_day) == (D(2026, 11, 1), D(2026, 11, 30))
    assert (december.first_day, december.last_day) == (D(2026, 12, 1), D(2026, 12, 25))
    assert (january.first_day, january.last_day) == (D(2026, 12, 26), D(2027, 1, 25))
    assert january.year_first_day == D(2026, 12, 26)
    # November stays locked to its last day; December (1–25) is still running.
    with pytest.raises(ValidationError, match="已审核并锁定"):
        assert_month_open(township, D(2026, 11, 30))
    assert_month_open(township, D(2026, 12, 1))
    # Back to the calendar from February: January keeps 26 Dec – 25 Jan, February runs 26 Jan – 28 Feb.
    services.monthly_setting_set(
        actor=county_admin, county=demo.county, deadline_day=25, period_start_day=1, applies_from="2027-02"
    )
    assert _rules(demo.county) == ((("2026-12", 26), ("2027-02", 1)), 25)
    february = reporting_period(township, 2027, 2)
    assert (february.first_day, february.last_day) == (D(2027, 1, 26), D(2027, 2, 28))
    assert reporting_period(township, 2027, 1).last_day == D(2027, 1, 25)
    # A later change from January replaces the one set for February.
    services.monthly_setting_set(
        actor=county_admin, county=demo.county, deadline_day=25, period_start_day=15, applies_from="2027-01"
    )
    assert _rules(demo.county) == ((("2026-12", 26), ("2027-01", 15)), 25)


def test_api_get_and_put_are_scoped(demo, client, api_token, neighbour):
    url = f"/api/monthly-settings/{demo.county.pk}"
    got = client.get(url, **api_token(demo.users["cg1"]))
    assert got.status_code == 200 and got.json()["period_start_day"] == 1 and got.json()["deadline_day"] == 23
    assert got.json()["period_start_days"] == []
    assert client.get(url, **api_token(demo.users["city"])).status_code == 200
    assert client.get(url, **api_token(neighbour)).status_code == 404
    body = {"period_start_day": 26, "applies_from": "2026-12", "deadline_day": 28}
    denied = client.put(url, body, content_type="application/json", **api_token(demo.users["cg1"]))
    assert denied.status_code == 403 and denied.json()["detail"]
    assert client.put(url, body, content_type="application/json", **api_token(neighbour)).status_code == 404
    assert _rules(demo.county) == NOTHING
    inst = api_token(demo.users["inst"])
    bad = client.put(url, {**body, "period_start_day": 30}, content_type="application/json", **inst)
    assert bad.status_code == 422 and "period_start_day" in bad.json()["fields"], bad.json()
    no_month = client.put(url, {"period_start_day": 26, "deadline_day": 28}, content_type="application/json", **inst)
    assert no_month.status_code == 422 and "从哪个月起施行" in no_month.json()["detail"]
    assert _rules(demo.county) == NOTHING
    ok = client.put(url, body, content_type="application/json", **inst)
    assert ok.status_code == 200
    data = ok.json()
    assert (data["period_start_day"], data["deadline_day"]) == (26, 28)
    assert data["period_start_days"] == [{"applies_from": "2026-12", "start_day": 26}]
    current = period_containing(timezone.localdate(), start_day=26)
    assert data["current_period"] == ["2026-12-01", current.last_day.isoformat()]
    assert datetime.date.fromisoformat(data["current_deadline"]) == current.deadline(28)


def test_openapi_describes_the_settings_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    operations = paths["/api/monthly-settings/{county_id}"]
    assert set(operations) == {"get", "put"}
    assert {"200", "403", "404", "422"} <= set(operations["put"]["responses"])
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["MonthlySettingIn"]
    assert "applies_from" in schema["properties"]
