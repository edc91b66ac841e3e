import datetime
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xieguan.core.testing import assert_constant_queries, assert_pdf_with_cjk_font
from xieguan.reports.models import Report, ReportStatus, StepKind
from xieguan.reports.tests.factories import at, make_report


@pytest.fixture
def clue(demo):
    return make_report(
        area=demo.villages[1],
        by=demo.users["cun1"],
        found_at=timezone.now() - datetime.timedelta(minutes=30),
        code="foodborne",
        place="李家村村民婚宴",
        content="婚宴后多人腹泻",
    )


def test_reading_a_report_inside_and_above(login, clue, inside_or_above):
    response = login(inside_or_above).get(reverse("reports:detail", args=[clue.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "婚宴后多人腹泻" in page and "剩余1小时" in page and "data-deadline" in page


@pytest.mark.parametrize(("who", "shown"), [("cg1", True), ("inst", True), ("bureau", True), ("dh1", False)])
def test_list_and_home_show_reports_in_scope_only(demo, login, clue, who, shown):
    client = login(demo.users[who])
    assert ("李家村村民婚宴" in client.get(reverse("reports:list")).content.decode()) is shown
    assert ("食源性疾病" in client.get(reverse("core:home")).content.decode()) is shown


def test_open_list_puts_the_report_nearest_its_limit_first(demo, login, clue):
    later = make_report(
        area=demo.villages[1],
        by=demo.users["cun1"],
        found_at=timezone.now() - datetime.timedelta(minutes=10),
        code="food_safety",
        place="小卖部",
    )
    reached = make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 1, 5), reached_after=30)
    page = login(demo.users["inst"]).get(reverse("reports:list")).content.decode()
    assert page.index(str(clue.pk)) < page.index(str(later.pk)) < page.index(str(reached.pk))


def test_late_report_is_marked_red(demo, login):
    late = make_report(
        area=demo.villages[1],
        by=demo.users["cun1"],
        found_at=timezone.now() - datetime.timedelta(hours=3),
        code="emergency",
    )
    page = login(demo.users["cg1"]).get(reverse("reports:detail", args=[late.pk])).content.decode()
    assert "badge-danger" in page and "已超时1小时" in page


def test_list_queries_do_not_grow_with_rows(demo, login):
    client = login(demo.users["inst"])

    def grow():
        for day in range(1, 8):
            make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 2, day), reached_after=30)

    for state in ("open", "all"):
        assert_constant_queries(lambda s=state: client.get(reverse("reports:list") + f"?state={s}"), grow, exactly=9)


def form_data(**extra):
    data = {
        "id": str(uuid.uuid4()),
        "category": "foodborne",
        "found_at": timezone.localtime(timezone.now() - datetime.timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M"),
        "place": "李家村村民婚宴",
        "content": "婚宴后多人腹泻",
        "affected_count": "8",
        "latitude": "34.123456",
        "longitude": "108.654321",
    }
    data.update(extra)
    return data


def test_village_officer_files_from_the_page_once_per_id(demo, login):
    client = login(demo.users["cun1"])
    data = form_data()
    first = client.post(reverse("reports:create"), data)
    again = client.post(reverse("reports:create"), data)
    report = Report.objects.get()
    assert first.status_code == again.status_code == 302 and str(report.pk) == data["id"]
    assert report.area == demo.villages[1] and report.latitude is not None


def test_future_found_time_keeps_what_was_typed(demo, login):
    future = timezone.localtime(timezone.now() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(demo.users["cun1"]).post(reverse("reports:create"), form_data(found_at=future))
    page = response.content.decode()
    assert response.status_code == 200 and "发现时间不能晚于现在。" in page and "婚宴后多人腹泻" in page
    assert Report.objects.count() == 0


def test_photos_on_filing_are_served_only_in_scope(demo, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1200), "red").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "p.jpg"
    client = login(demo.users["cun1"])
    client.post(reverse("reports:create"), {**form_data(), "photos": buffer})
    report = Report.objects.get()
    photo = report.photos.get()
    assert photo.width == 1600
    assert client.get(reverse("reports:photo", args=[photo.pk])).status_code == 200
    assert login(demo.users["dh1"]).get(reverse("reports:photo", args=[photo.pk])).status_code == 404


def test_steps_by_page_and_a_refused_step_keeps_the_note(demo, login, clue):
    cg1 = login(demo.users["cg1"])
    response = cg1.post(reverse("reports:step", args=[clue.pk, "close-unforwarded"]), {"note": ""})
    assert response.status_code == 302
    clue.refresh_from_db()
    assert clue.status == ReportStatus.FILED
    cg1.post(reverse("reports:step", args=[clue.pk, "verify"]), {"note": "已电话核实"})
    cg1.post(reverse("reports:step", args=[clue.pk, "forward"]), {"note": ""})
    clue.refresh_from_db()
    assert clue.status == ReportStatus.FORWARDED and clue.reported_at is not None
    page = cg1.get(reverse("reports:detail", args=[clue.pk])).content.decode()
    assert "按时报告" in page
    assert login(demo.users["dh1"]).post(reverse("reports:step", args=[clue.pk, "handle"])).status_code == 404
    inst = login(demo.users["inst"])
    inst.post(reverse("reports:step", args=[clue.pk, "handle"]), {"note": "已流调"})
    inst.post(reverse("reports:step", args=[clue.pk, "feedback"]), {"note": "细菌性食物中毒"})
    clue.refresh_from_db()
    assert clue.status == ReportStatus.FED_BACK and clue.steps.filter(kind=StepKind.FED_BACK).count() == 1


def test_step_refused_for_a_note_required_keeps_it_in_the_form(demo, login, clue):
    cg1 = login(demo.users["cg1"])
    cg1.post(reverse("reports:step", args=[clue.pk, "handle"]), {"note": "我写的说明"})
    # cg1 may not handle: 403 page, and nothing changed
    clue.refresh_from_db()
    assert clue.status == ReportStatus.FILED


@pytest.fixture
def year_of_reports(demo):
    cun1 = demo.users["cun1"]
    make_report(area=demo.villages[1], by=cun1, found_at=at(2026, 3, 2, 8, 30), reached_after=60, place="李家村小卖部")
    make_report(
        area=demo.villages[2],
        by=demo.users["cg1"],
        found_at=at(2026, 3, 9),
        status=ReportStatus.NOT_FORWARDED,
        closing_reason="正常经营",
        place="王庄村浴室",
    )
    make_report(
        area=demo.townships[1], by=demo.users["dh1"], found_at=at(2026, 3, 3), reached_after=20, place="河东饭店"
    )


def test_register_on_screen_excel_and_pdf(demo, login, year_of_reports):
    client = login(demo.users["cg1"])
    station = demo.stations[0]
    url = reverse("reports:register") + f"?institution={station.pk}&year=2026&month=3"
    page = client.get(url).content.decode()
    assert "李家村小卖部" in page and "王庄村浴室" in page and "未上报：正常经营" in page and "河东饭店" not in page
    response = client.get(url + "&format=xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert "卫生监督协管信息报告登记表" in rows[0][0]
    assert list(rows[1]) == ["序号", "发现时间", "信息类别", "信息内容", "报告时间", "报告人"]
    assert rows[2][:3] == (1, "2026-03-02 08:30", "食品安全") and rows[2][4] == "2026-03-02 09:30"
    assert len(rows) == 4
    pdf = client.get(url + "&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert_pdf_with_cjk_font(pdf.content)


def test_register_of_another_township_is_404(demo, login):
    url = reverse("reports:register") + f"?institution={demo.stations[1].pk}&year=2026"
    assert login(demo.users["cg1"]).get(url).status_code == 404


def test_indicators_page_shows_formula_figures_and_drills(demo, login, year_of_reports):
    page = login(demo.users["bureau"]).get(reverse("reports:indicators") + "?year=2026&month=3").content.decode()
    assert "信息报告率 = " in page and "及时报告率 = " in page
    assert "66.7%" in page and "100.0%" in page
    assert "measure=not_reported" in page
    drill = login(demo.users["bureau"]).get(
        reverse("reports:list") + f"?measure=not_reported&area={demo.county.pk}&year=2026&month=3"
    )
    text = drill.content.decode()
    assert "王庄村浴室" in text and "李家村小卖部" not in text


def test_zero_report_page_makes_one_and_shows_missing(demo, login):
    client = login(demo.users["cg1"])
    response = client.post(reverse("reports:zero"), {"month": "2026-02"})
    assert response.status_code == 302
    page = client.get(reverse("reports:zero") + "?year=2026").content.decode()
    assert 'data-state="zero"' in page and 'data-state="missing"' in page


def test_county_admin_edits_a_category_limit(demo, login):
    client = login(demo.users["bureau"])
    response = client.post(
        reverse("reports:category_edit", args=["school"]),
        {"name": "学校卫生", "limit_minutes": "480", "sort": "30", "is_active": "on"},
    )
    assert response.status_code == 302
    assert "8小时" in client.get(reverse("reports:categories")).content.decode()
    refused = client.post(
        reverse("reports:category_edit", args=["emergency"]),
        {"name": "突发", "is_emergency": "on", "limit_minutes": "300", "sort": "1", "is_active": "on"},
    )
    assert refused.status_code == 200 and "2小时" in refused.content.decode() and "突发" in refused.content.decode()
    assert login(demo.users["cg1"]).get(reverse("reports:category_edit", args=["school"])).status_code == 403


def test_exposed_person_page_and_occupational_report_link(demo, login):
    client = login(demo.users["cun1"])
    response = client.post(
        reverse("reports:exposed_create"),
        {"name": "王石头", "employer": "石材厂", "hazard_factors": "矽尘", "id_number": "990101197502113215"},
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "990101********3215" in detail and "报告疑似职业病" in detail
    assert "王石头" not in login(demo.users["dh1"]).get(reverse("reports:exposed_list")).content.decode()
