import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from xieguan.core.testing import assert_constant_queries, assert_pdf_with_cjk_font
from xieguan.inspections.models import Handover, Inspection, InspectionStatus, Opinion
from xieguan.inspections.services.evidence import inspection_photo_add
from xieguan.inspections.services.followups import handover_create, reinspection_record
from xieguan.inspections.services.opinions import opinion_issue
from xieguan.inspections.tests.factories import draft, plain_unit, submitted


@pytest.fixture
def cg2(demo):
    return demo.users["cg2"]


@pytest.fixture
def unit(township):
    return plain_unit(township, name="城关镇红星宾馆")


@pytest.fixture
def record(demo, comanager_in, cg2, unit, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=2)


@pytest.fixture
def opinion(comanager_in, record):
    return opinion_issue(actor=comanager_in, inspection=record, text="请规范索证。", deadline=timezone.localdate())


def test_record_page_inside_and_above(login, record, inside_or_above):
    response = login(inside_or_above).get(reverse("inspections:detail", args=[record.pk]))
    assert response.status_code == 200 and "城关镇红星宾馆" in response.content.decode()


def test_opinion_pdf_inside_and_above(login, opinion, inside_or_above):
    response = login(inside_or_above).get(reverse("inspections:opinion_pdf", args=[opinion.pk]))
    assert response.status_code == 200
    assert_pdf_with_cjk_font(response.content)


def test_record_pdf_has_the_cjk_font(demo, login, record):
    response = login(demo.users["cg1"]).get(reverse("inspections:pdf", args=[record.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert_pdf_with_cjk_font(response.content)


def test_record_pdf_is_named_in_chinese_by_its_local_day(demo, login, comanager_in, cg2, unit, tmp_path, settings):
    """Issue 20 item 3: a record made at 02:14 local time (18:14 UTC the day
    before) downloads under its local day, in Chinese, as RFC 6266 filename*."""
    from urllib.parse import quote

    settings.MEDIA_ROOT = tmp_path
    day = timezone.localdate() - datetime.timedelta(days=1)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(2, 14)))
    assert at.astimezone(datetime.UTC).date() == day - datetime.timedelta(days=1)
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], at=at)
    response = login(comanager_in).get(reverse("inspections:pdf", args=[record.pk]))
    name = f"检查记录-城关镇红星宾馆-{day.year}年{day.month}月{day.day}日.pdf"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote(name)}"


@pytest.mark.parametrize(("who", "shown"), [("cg1", True), ("inst", True), ("bureau", True), ("dh1", False)])
def test_lists_show_records_in_scope_only(demo, login, opinion, who, shown):
    client = login(demo.users[who])
    for name in ("inspections:list", "inspections:opinions"):
        page = client.get(reverse(name)).content.decode()
        assert ("城关镇红星宾馆" in page) is shown, name


def test_inspection_list_queries_do_not_grow(demo, login, comanager_in, cg2, unit):
    client = login(comanager_in)
    draft(comanager_in, unit, inspectors=[comanager_in])

    def grow():
        for n in range(5):
            draft(comanager_in, plain_unit(unit.area, name=f"单位{n}"), inspectors=[comanager_in, cg2])

    # the scope as area ids, then the page: on PostgreSQL the first rows of
    # each area, then the page's rows (core.pagination's parts)
    by_parts = 1 if connection.features.supports_slicing_ordering_in_compound else 0
    assert_constant_queries(lambda: client.get(reverse("inspections:list")), grow, exactly=10 + by_parts)


def test_handover_list_queries_do_not_grow(demo, login, comanager_in, cg2, unit, supervisor_of):
    client = login(supervisor_of)
    one = submitted(comanager_in, unit, inspectors=[comanager_in, cg2])
    handover_create(actor=comanager_in, reason="serious", inspection=one)

    def grow():
        for n in range(4):
            other = submitted(comanager_in, plain_unit(unit.area, name=f"单位{n}"), inspectors=[comanager_in, cg2])
            handover_create(actor=comanager_in, reason="refused", inspection=other)

    assert_constant_queries(lambda: client.get(reverse("inspections:handovers")), grow, exactly=9)


def test_opinion_list_queries_do_not_grow(demo, login, comanager_in, cg2, unit, supervisor_of):
    def issue(unit, reinspected):
        record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
        opinion = opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=timezone.localdate())
        if reinspected:
            reinspection_record(
                actor=comanager_in,
                opinion=opinion,
                inspected_at=timezone.now(),
                result="rectified",
                inspectors=[comanager_in, cg2],
            )

    issue(unit, reinspected=False)

    def grow():
        for n in range(4):
            issue(plain_unit(unit.area, name=f"单位{n}"), reinspected=n % 2 == 0)

    client = login(supervisor_of)
    # the session, its user, institution and area; those awaiting
    # re-inspection, the page of all; the user's roles (the menu); the
    # session saved again (in a savepoint)
    assert_constant_queries(lambda: client.get(reverse("inspections:opinions")), grow, exactly=10)
    awaiting, everything = client.get(reverse("inspections:opinions")).content.decode().split('id="opinions"')
    # the three not re-inspected await it; all five are listed
    assert (awaiting.count('<a href="/opinions/'), everything.count('<a href="/opinions/')) == (3, 5)


def test_refused_submit_keeps_what_was_typed(demo, login, comanager_in, unit):
    inspection = draft(comanager_in, unit, inspectors=[comanager_in])
    item = inspection.answers.order_by("item__sort").first().item_id
    data = {
        "inspectors": [str(comanager_in.pk)],
        "place": "前台",
        "problems": "消毒间堆放杂物",
        "overall_result": "rectify",
        f"a_{item}": "fails",
        f"n_{item}": "无消毒记录",
        "action": "submit",
    }
    response = login(comanager_in).get(reverse("inspections:detail", args=[inspection.pk]))
    assert response.status_code == 200
    response = login(comanager_in).post(reverse("inspections:detail", args=[inspection.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "每次检查不得少于两名检查人员" in page
    assert "消毒间堆放杂物" in page and "无消毒记录" in page
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT and inspection.problems == "消毒间堆放杂物"


def test_submitted_record_refuses_a_post(demo, login, comanager_in, record):
    response = login(comanager_in).post(reverse("inspections:detail", args=[record.pk]), {"problems": "改"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.problems == "从业人员健康证过期"


def test_penalty_wording_is_marked_on_the_page(demo, login, comanager_in, record):
    url = reverse("inspections:opinion_create", args=[record.pk])
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = login(comanager_in).post(url, {"text": "请于期限内整改，否则责 令停业并罚款。", "deadline": deadline})
    page = response.content.decode()
    assert "<mark>责 令</mark>" in page and "<mark>罚款</mark>" in page
    assert "处罚性用语" in page
    assert not Opinion.objects.exists()


def test_opinion_from_the_page_is_idempotent_on_the_form_id(demo, login, comanager_in, record):
    url = reverse("inspections:opinion_create", args=[record.pk])
    data = {"id": "0b0c6d1e-0000-4000-8000-000000000001", "text": "请规范索证。", "deadline": timezone.localdate()}
    login(comanager_in).post(url, data)
    login(comanager_in).post(url, data)
    assert Opinion.objects.count() == 1


def test_outsider_cannot_open_or_issue_an_opinion(demo, login, outsider, record):
    url = reverse("inspections:opinion_create", args=[record.pk])
    response = login(outsider).post(url, {"text": "请整改", "deadline": timezone.localdate()})
    assert response.status_code == 404
    assert not Opinion.objects.exists()


def test_outcome_is_written_by_the_institute_and_read_by_the_township(
    demo, login, comanager_in, supervisor_of, outsider, record
):
    handover = handover_create(actor=comanager_in, reason="serious", inspection=record)
    url = reverse("inspections:handover", args=[handover.pk])
    refused = login(comanager_in).post(url, {"investigation": "x", "outcome": "罚款 500 元"})
    assert refused.status_code == 403
    login(supervisor_of).post(url, {"investigation": "核实属实", "outcome": "已依法查处，结果告知协管站"})
    handover.refresh_from_db()
    assert handover.status == "closed"
    page = login(comanager_in).get(url).content.decode()
    assert "已依法查处" in page and "<textarea" not in page
    unit_page = login(comanager_in).get(reverse("units:detail", args=[record.unit.pk])).content.decode()
    assert "已依法查处" in unit_page
    assert login(outsider).get(url).status_code == 404
    assert Handover.objects.count() == 1


def test_photo_is_served_only_in_scope(demo, login, comanager_in, outsider, unit, tmp_path, settings):
    from xieguan.inspections.tests.factories import jpeg

    settings.MEDIA_ROOT = tmp_path
    inspection = draft(comanager_in, unit, inspectors=[comanager_in])
    photo, _ = inspection_photo_add(actor=comanager_in, inspection=inspection, upload=jpeg())
    url = reverse("inspections:photo", args=[photo.pk])
    assert login(comanager_in).get(url).status_code == 200
    assert login(outsider).get(url).status_code == 404


def test_register_downloads_as_excel_and_pdf(demo, login, comanager_in, record):
    from io import BytesIO

    import openpyxl

    client = login(comanager_in)
    year = timezone.localtime(record.started_at).year
    station = comanager_in.institution
    response = client.get(reverse("inspections:register"), {"institution": station.pk, "year": year, "format": "xlsx"})
    book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert "巡查登记表" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == ["序号", "巡查地点与内容", "发现的主要问题", "巡查日期", "巡查人", "备注"]
    assert sheet["A3"].value == 1 and "城关镇红星宾馆" in sheet["B3"].value
    assert sheet["C3"].value == "从业人员健康证过期" and sheet["E3"].value == "王秀兰、刘志强"
    pdf = client.get(reverse("inspections:register"), {"institution": station.pk, "year": year, "format": "pdf"})
    assert_pdf_with_cjk_font(pdf.content)


def test_home_lists_what_is_due_this_month(demo, login, comanager_in, unit):
    page = login(comanager_in).get(reverse("core:home")).content.decode()
    assert "本月待巡查" in page and "城关镇红星宾馆" in page
    assert "待复查" not in page


def test_home_lists_reinspections_due_at_the_deadline(demo, login, comanager_in, outsider, opinion):
    page = login(comanager_in).get(reverse("core:home")).content.decode()
    assert "到期待复查" in page and opinion.number in page
    # The row links to the opinion by the unit's name, with its number and deadline, as before the registry.
    row = re.search(r'id="reinspections-due">.*?<li>(.*?)</li>', page, re.S).group(1)
    assert f'<a href="{reverse("inspections:opinion", args=[opinion.pk])}">{opinion.unit.name}</a>' in row
    assert f"{opinion.number} · " in row and f"{opinion.deadline:%Y-%m-%d}" in row
    assert opinion.number not in login(outsider).get(reverse("core:home")).content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "inspections:due",
        "inspections:plan",
        "inspections:register",
        "inspections:checklists",
        "inspections:settings",
        "inspections:handovers",
        "inspections:create",
    ],
)
def test_pages_open_for_a_comanager(demo, login, comanager_in, unit, name):
    assert login(comanager_in).get(reverse(name)).status_code == 200


def test_due_page_queries_do_not_grow_with_units(demo, login, comanager_in, unit):
    client = login(comanager_in)

    def grow():
        for n in range(6):
            plain_unit(unit.area, name=f"新单位{n}")

    # 14: the county's period start days, once for the month shown and once for the windows
    assert_constant_queries(lambda: client.get(reverse("inspections:due")), grow, exactly=14)


def test_start_form_makes_a_draft_once_per_client_id(demo, login, comanager_in, cg2, unit):
    data = {
        "client_id": "0b0c6d1e-0000-4000-8000-0000000000aa",
        "unit": str(unit.pk),
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "inspectors": [str(comanager_in.pk), str(cg2.pk)],
        "place": "",
    }
    client = login(comanager_in)
    first = client.post(reverse("inspections:create"), data)
    second = client.post(reverse("inspections:create"), data)
    assert first.status_code == second.status_code == 302
    assert Inspection.objects.count() == 1


def test_unit_file_queries_do_not_grow_with_inspections(demo, login, comanager_in, cg2, unit):
    client = login(comanager_in)
    url = reverse("units:detail", args=[unit.pk])
    submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    client.get(url)  # the process's content-type cache warmed, as a server's is

    def grow():
        for _ in range(3):
            record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
            opinion = opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=timezone.localdate())
            handover_create(actor=comanager_in, reason="serious", inspection=record, opinion=opinion)

    assert_constant_queries(
        lambda: client.get(url), grow, exactly=28
    )  # the unit's risk panel (issue 27) is one query more; the county's fields, licences and certificates read once


def test_institute_home_shows_its_inbox(demo, login, supervisor_of, comanager_in, record):
    handover_create(actor=comanager_in, reason="serious", inspection=record)
    page = login(supervisor_of).get(reverse("core:home")).content.decode()
    assert 'id="handover-inbox"' in page and "移交监督所的案件" in page
