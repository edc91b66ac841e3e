"""Pages and API of the monthly report: three users (inside, above, beside),
idempotent creates, Chinese errors, query counts."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.core.testing import assert_constant_queries, count_queries
from xieguan.monthly import services
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.tests.factories import set_clock
from xieguan.outreach.tests.factories import make_outreach

# November's last day: its report can be submitted, and today's records are November's.
LAST_DAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return set_clock(monkeypatch, LAST_DAY)


def ym():
    today = timezone.localdate()
    return today.year, today.month


def page_url(township, name="monthly:report", **kw):
    year, month = ym()
    return reverse(name, args=[township.pk, year, month], kwargs=kw or None)


def test_report_page_inside_and_above(login, township, inside_or_above):
    response = login(inside_or_above).get(page_url(township))
    assert response.status_code == 200
    assert "报告事件线索数" in response.text and "填报单位" in response.text


def test_comanager_sees_figures_and_drills_into_a_cell(demo, login, township, comanager_in):
    make_outreach(area=township, by=comanager_in, date=timezone.localdate(), theme="饮水安全宣传")
    client = login(comanager_in)
    response = client.get(page_url(township))
    assert 'data-cell="publicity-month"><a href=' in response.text
    year, month = ym()
    cell = reverse("monthly:cell", args=[township.pk, year, month, "other", "publicity", "month"])
    assert cell in response.text
    drilled = client.get(cell)
    assert drilled.status_code == 200 and "饮水安全宣传" in drilled.text
    assert (
        client.get(
            reverse("monthly:cell", args=[township.pk, year, month, "nonsense", "publicity", "month"])
        ).status_code
        == 404
    )


def test_submit_page_keeps_what_was_typed_on_error(demo, login, township, comanager_in):
    client = login(comanager_in)
    response = client.post(page_url(township, "monthly:submit"), {"remarks": "x" * 2001})
    assert response.status_code == 422 and "x" * 2001 in response.text
    assert not MonthlyReport.objects.exists()
    response = client.post(page_url(township, "monthly:submit"), {"remarks": "本月正常"})
    assert response.status_code == 302
    assert MonthlyReport.objects.get().remarks == "本月正常"


def test_outsider_cannot_submit_by_page(demo, login, township, outsider):
    assert login(outsider).post(page_url(township, "monthly:submit"), {"remarks": "x"}).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_review_by_page_return_requires_a_comment(demo, login, township, comanager_in, supervisor_of):
    services.monthly_report_submit(actor=comanager_in, township=township, year=ym()[0], month=ym()[1])
    client = login(supervisor_of)
    response = client.post(page_url(township, "monthly:return"), {"review_comment": ""})
    assert response.status_code == 422 and MonthlyReport.objects.get().status == MonthlyStatus.SUBMITTED
    assert client.post(page_url(township, "monthly:return"), {"review_comment": "请补充"}).status_code == 302
    assert MonthlyReport.objects.get().status == MonthlyStatus.RETURNED


def reports_of_other_townships(demo, by):
    """Reports of the month from four more townships, approved, returned,
    submitted and unlocked: the rows a review list and the API show."""
    year, month = ym()
    now = timezone.now()
    statuses = [MonthlyStatus.APPROVED, MonthlyStatus.RETURNED, MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED]
    for township, status in zip(demo.townships[1:5], statuses, strict=True):
        MonthlyReport.objects.create(
            township=township,
            year=year,
            month=month,
            status=status,
            deadline=timezone.localdate(),
            submitted_at=now,
            submitted_by=by,
            on_time=True,
            reviewed_at=now if status != MonthlyStatus.SUBMITTED else None,
            reviewed_by=by if status != MonthlyStatus.SUBMITTED else None,
            unlock_requested_at=now if township == demo.townships[4] else None,
        )


def test_review_list_shows_each_township_and_query_count_is_flat(demo, login, township, comanager_in, county_admin):
    client = login(county_admin)
    year, month = ym()
    url = reverse("monthly:review") + f"?year={year}&month={month}"
    services.monthly_report_submit(actor=comanager_in, township=township, year=year, month=month)
    response = client.get(url)
    assert response.status_code == 200 and township.name in response.text and "按时上报" in response.text
    # the session, its user, institution and area (4); the month due now and
    # the county's rules, its townships and their reports for the rows (4);
    # the county, its rules, townships and reports again for the rates (4);
    # the roles; the session saved again (3, in a savepoint)
    assert_constant_queries(lambda: client.get(url), lambda: reports_of_other_townships(demo, county_admin), exactly=16)
    assert client.get(reverse("monthly:rates")).status_code == 200


def test_review_list_of_a_township_user_shows_only_their_township(
    demo, login, comanager_in, township, sibling_township
):
    response = login(comanager_in).get(reverse("monthly:review"))
    assert township.name in response.text and sibling_township.name not in response.text


# ---------------------------------------------------------------- API


def test_api_submit_is_idempotent_and_actions_flow(demo, client, api_token, township, comanager_in, supervisor_of):
    year, month = ym()
    rid = str(uuid.uuid4())
    body = {"id": rid, "township_id": str(township.pk), "year": year, "month": month, "remarks": "正常"}
    first = client.post("/api/monthly-reports", body, content_type="application/json", **api_token(comanager_in))
    again = client.post("/api/monthly-reports", body, content_type="application/json", **api_token(comanager_in))
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"] == rid
    inst = api_token(supervisor_of)
    bad = client.post(f"/api/monthly-reports/{rid}/return", {"comment": ""}, content_type="application/json", **inst)
    assert bad.status_code == 422 and "必填" in bad.json()["detail"]
    ok = client.post(f"/api/monthly-reports/{rid}/approve", {}, content_type="application/json", **inst)
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    cg = api_token(comanager_in)
    req = client.post(
        f"/api/monthly-reports/{rid}/unlock-request", {"reason": "漏录"}, content_type="application/json", **cg
    )
    assert req.status_code == 200 and req.json()["unlock_reason"] == "漏录"
    today = timezone.localdate().isoformat()
    grant = client.post(
        f"/api/monthly-reports/{rid}/unlock-grant", {"until": today}, content_type="application/json", **inst
    )
    assert grant.status_code == 200 and grant.json()["unlocked_until"]
    again = client.post(
        f"/api/monthly-reports/{rid}/submit", {"remarks": "补录"}, content_type="application/json", **cg
    )
    assert again.status_code == 200 and again.json()["versions"] == 2
    detail = client.get(f"/api/monthly-reports/{rid}", **cg).json()
    assert detail["figures"]["rows"]["total"]["clues"] == [0, 0]


def test_api_list_is_scoped_and_paged(
    demo, client, api_token, township, sibling_township, comanager_in, outsider, county_admin
):
    year, month = ym()
    services.monthly_report_submit(actor=comanager_in, township=township, year=year, month=month)
    services.monthly_report_submit(actor=outsider, township=sibling_township, year=year, month=month)
    headers = api_token(county_admin)
    page = client.get("/api/monthly-reports?limit=1", **headers).json()
    assert len(page["items"]) == 1 and page["next"]
    rest = client.get(f"/api/monthly-reports?limit=1&after={page['next']}", **headers).json()
    assert {page["items"][0]["township_name"], rest["items"][0]["township_name"]} == {
        township.name,
        sibling_township.name,
    }
    mine = client.get("/api/monthly-reports", **api_token(comanager_in)).json()["items"]
    assert [r["township_name"] for r in mine] == [township.name]
    other = MonthlyReport.objects.get(township=sibling_township)
    assert client.get(f"/api/monthly-reports/{other.pk}", **api_token(comanager_in)).status_code == 404
    denied = client.post(
        f"/api/monthly-reports/{other.pk}/approve", {}, content_type="application/json", **api_token(comanager_in)
    )
    assert denied.status_code == 404
    other.refresh_from_db()
    assert other.status == MonthlyStatus.SUBMITTED


def test_api_list_query_count_is_flat(demo, client, api_token, township, comanager_in, county_admin):
    year, month = ym()
    headers = api_token(county_admin)
    services.monthly_report_submit(actor=comanager_in, township=township, year=year, month=month)
    # the token and its last use, the page with townships and people
    assert_constant_queries(
        lambda: client.get("/api/monthly-reports", **headers),
        lambda: reports_of_other_townships(demo, county_admin),
        exactly=3,
    )
    assert len(client.get("/api/monthly-reports", **headers).json()["items"]) == 5


def test_monthly_index_costs_the_same_queries_however_many_reports(demo, login, township, comanager_in, county_admin):
    """The menu's 月报 sends a township to its month and the county to its review list."""
    year, month = ym()
    services.monthly_report_submit(actor=comanager_in, township=township, year=year, month=month)
    township_client, county_client = login(comanager_in), login(county_admin)

    def both():
        url = reverse("monthly:index")
        return count_queries(lambda: township_client.get(url)), count_queries(lambda: county_client.get(url))

    # the session, its user, institution and area; for a township, the
    # county's rules to know the month due now; the session saved again (3,
    # in a savepoint). No report is read.
    one = both()
    reports_of_other_townships(demo, county_admin)
    assert one == both() == (8, 7)


def test_api_refuses_locked_edit_with_chinese_detail(
    monkeypatch, demo, client, api_token, township, comanager_in, supervisor_of
):
    year, month = ym()
    report, _ = services.monthly_report_submit(actor=comanager_in, township=township, year=year, month=month)
    services.monthly_report_approve(actor=supervisor_of, report=report)
    body = {"area_id": str(township.pk), "place": "卫生院", "form": "consultation", "theme": "宣传"}
    # Approved on the period's last day: that day's work goes on.
    today = {**body, "date": LAST_DAY.isoformat(), "id": str(uuid.uuid4())}
    response = client.post("/api/outreach", today, content_type="application/json", **api_token(comanager_in))
    assert response.status_code == 201, response.json()
    set_clock(monkeypatch, LAST_DAY + datetime.timedelta(days=1))
    late = {**body, "date": LAST_DAY.isoformat()}
    response = client.post("/api/outreach", late, content_type="application/json", **api_token(comanager_in))
    assert response.status_code == 409 and "已审核并锁定" in response.json()["detail"]
    fresh = {**body, "date": timezone.localdate().isoformat()}
    response = client.post("/api/outreach", fresh, content_type="application/json", **api_token(comanager_in))
    assert response.status_code == 201


def test_a_double_tapped_first_submit_makes_one_report(demo, login, township, comanager_in):
    client = login(comanager_in)
    page = client.get(page_url(township))
    new_id = page.context["new_id"]
    assert f'name="id" value="{new_id}"' in page.text
    for _ in range(2):
        assert (
            client.post(page_url(township, "monthly:submit"), {"id": str(new_id), "remarks": "正常"}).status_code == 302
        )
    report = MonthlyReport.objects.get()
    assert str(report.pk) == str(new_id) and report.versions.count() == 1


def test_report_page_prints_split_rows_and_a_part_drills_to_its_reports(demo, login, township, comanager_in):
    from xieguan.reports.tests.factories import make_report

    now = timezone.now()
    hazard = make_report(area=township, by=comanager_in, found_at=now, content="食堂餐具未消毒", nature="hazard")
    violation = make_report(area=township, by=comanager_in, found_at=now, content="无证经营熟食", nature="violation")
    client = login(comanager_in)
    page = client.get(page_url(township)).text
    assert "事故/隐患" in page and "违法行为" in page and "统计周期" in page
    # 食品安全 spans its two parts; 非法行医 stays one row.
    assert 'rowspan="2" data-row-label="food_safety"' in page
    assert 'data-row="illegal_practice"' in page and 'data-row="illegal_practice-hazard"' not in page
    year, month = ym()
    for key, record, other in (("food_safety-hazard", hazard, violation), ("food_safety-violation", violation, hazard)):
        cell = reverse("monthly:cell", args=[township.pk, year, month, key, "clues", "month"])
        assert cell in page
        drilled = client.get(cell).text
        assert record.content in drilled and other.content not in drilled
    shared = reverse("monthly:cell", args=[township.pk, year, month, "food_safety-hazard", "patrols", "month"])
    assert client.get(shared).status_code == 404


def test_summary_lists_the_parts_of_split_rows(demo, login, township, comanager_in):
    from xieguan.monthly.summaries import summary_of
    from xieguan.reports.tests.factories import make_report

    make_report(area=township, by=comanager_in, found_at=timezone.now(), nature="violation")
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    data = summary_of(comanager_in, township=township, year=today.year, quarter=quarter, today=today)
    food = next(r for r in data.rows if r.key == "food_safety")
    assert [(p.key, p.values["clues"]) for p in food.parts] == [("food_safety-hazard", 0), ("food_safety-violation", 1)]
    assert food.values["clues"] == 1
    page = login(comanager_in).get(reverse("monthly:summary", args=[township.pk, today.year]) + f"?quarter={quarter}")
    assert "其中：违法行为" in page.text


def test_review_list_tells_not_yet_due_from_missing(demo, login, county_admin):
    """This month's report is due next month: not 缺报 yet; a past month's
    unsent report is."""
    client = login(county_admin)
    year, month = ym()
    current = client.get(reverse("monthly:review") + f"?year={year}&month={month}").text
    assert current.count("未到截止日") == 10 and "缺报" not in current.split("<table", 1)[1]
    past = client.get(reverse("monthly:review") + f"?year={year - 1}&month={month}").text
    assert "未到截止日" not in past and "缺报" in past.split("<table", 1)[1]
