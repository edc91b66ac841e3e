"""A complaint tied after the fact to its unit and to the inspection record
and 意见书 that settled it (issue 20 item 7): by its handler, audited,
refused in Chinese beside and above, and shown in the unit's file."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from xieguan.complaints import services
from xieguan.complaints.models import Complaint
from xieguan.complaints.tests.conftest import file_public
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.services.opinions import opinion_issue
from xieguan.inspections.tests.factories import draft, submitted
from xieguan.units.services import unit_merge
from xieguan.units.tests.factories import credit_code, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotel(demo, comanager_in):
    """A unit in 李家村 of 城关镇 (cg1's township)."""
    return make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))


@pytest.fixture
def record(demo, hotel, comanager_in):
    return submitted(comanager_in, hotel, inspectors=[comanager_in, demo.users["cg2"]], fails=1)


@pytest.fixture
def opinion(record, comanager_in):
    return opinion_issue(
        actor=comanager_in,
        inspection=record,
        text="请办理健康证",
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )


@pytest.fixture
def complaint(demo):
    """Filed on the public page about 城关镇, naming no unit; not yet accepted."""
    return file_public(demo.townships[0], unit_name="红星那家饭店").complaint


@pytest.fixture
def theirs(demo, outsider):
    """A unit of 河东镇, the sibling township."""
    return make_unit(outsider, demo.townships[1], name="河东饭庄", credit_code=credit_code(2, "990102"))


def _links(complaint):
    complaint.refresh_from_db()
    return complaint.unit_id, complaint.inspection_id, complaint.opinion_id


# ---------------------------------------------------------------- the service


def test_handler_ties_a_filed_complaint_to_unit_inspection_and_opinion(
    demo, comanager_in, complaint, hotel, record, opinion
):
    services.complaint_accept(actor=comanager_in, complaint=complaint)
    services.complaint_link(actor=comanager_in, complaint=complaint, unit=hotel, inspection=record, opinion=opinion)
    assert _links(complaint) == (hotel.pk, record.pk, opinion.pk)
    assert complaint.unit_name == "红星那家饭店"  # the complainant's words are kept
    event = AuditEvent.objects.get(action="complaint.link", object_id=str(complaint.pk))
    assert event.actor_username == "cg1"
    assert event.changes["unit"] == [None, "红星酒店"]
    assert event.changes["opinion"] == [None, opinion.number]
    assert set(event.changes) == {"unit", "inspection", "opinion"}


def test_an_opinion_alone_links_its_inspection_and_linking_again_unchanged_records_nothing(
    comanager_in, complaint, hotel, record, opinion
):
    services.complaint_link(actor=comanager_in, complaint=complaint, unit=hotel, opinion=opinion)
    assert _links(complaint) == (hotel.pk, record.pk, opinion.pk)
    services.complaint_link(actor=comanager_in, complaint=complaint, unit=hotel, inspection=record, opinion=opinion)
    assert AuditEvent.objects.filter(action="complaint.link").count() == 1
    services.complaint_link(actor=comanager_in, complaint=complaint, unit=hotel)  # unlinks what settled it
    assert _links(complaint) == (hotel.pk, None, None)
    assert AuditEvent.objects.filter(action="complaint.link").count() == 2


def _refused(actor, complaint, field, message, **links):
    before = _links(complaint)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.complaint_link(actor=actor, complaint=complaint, **links)
    assert exc.value.message_dict[field] == [message]
    assert _links(complaint) == before and AuditEvent.objects.count() == events


def test_a_unit_beside_is_refused_in_chinese(demo, comanager_in, county_admin, complaint, theirs):
    # cg1 cannot see 河东镇's unit at all; the county can, but it is not where the complaint happened.
    _refused(comanager_in, complaint, "unit", "这个单位不在您的辖区内。", unit=theirs)
    _refused(county_admin, complaint, "unit", "该单位不在投诉发生的乡镇（街道）内。", unit=theirs)
    _refused(comanager_in, complaint, "unit", "请选择投诉涉及的已登记单位。", unit=None)


def test_records_of_another_unit_or_a_draft_are_refused(demo, comanager_in, complaint, hotel, record, opinion):
    cg2 = demo.users["cg2"]
    other = make_unit(comanager_in, demo.villages[0], name="城北餐馆", credit_code=credit_code(3))
    other_record = submitted(comanager_in, other, inspectors=[comanager_in, cg2])
    other_opinion = opinion_issue(
        actor=comanager_in, inspection=other_record, text="请整改", deadline=timezone.localdate()
    )
    unfinished = draft(comanager_in, hotel, inspectors=[comanager_in, cg2])
    _refused(comanager_in, complaint, "inspection", "这份检查记录是另一家单位的。", unit=hotel, inspection=other_record)
    _refused(
        comanager_in,
        complaint,
        "inspection",
        "请选择已提交的检查记录，这份还是草稿。",
        unit=hotel,
        inspection=unfinished,
    )
    _refused(comanager_in, complaint, "opinion", "这份意见书是出具给另一家单位的。", unit=hotel, opinion=other_opinion)
    second = submitted(comanager_in, hotel, inspectors=[comanager_in, cg2])
    _refused(
        comanager_in,
        complaint,
        "opinion",
        "这份意见书是依据另一份检查记录出具的。",
        unit=hotel,
        inspection=second,
        opinion=opinion,
    )


def test_a_merged_unit_is_refused(demo, comanager_in, complaint, hotel):
    twin = make_unit(comanager_in, demo.villages[1], name="红星酒家", credit_code=credit_code(4))
    unit_merge(actor=comanager_in, survivor=hotel, merged=twin)
    twin.refresh_from_db()
    _refused(comanager_in, complaint, "unit", "该单位已并入另一家单位，请选择合并后保留的单位。", unit=twin)


def test_beside_gets_404_above_and_those_not_handling_it_get_403(demo, comanager_in, supervisor_of, complaint, hotel):
    services.complaint_accept(actor=comanager_in, complaint=complaint)  # the station handles it now
    for who, refusal in [
        (demo.users["dh1"], Http404),
        (demo.users["city"], PermissionDenied),
        (supervisor_of, PermissionDenied),
    ]:
        with pytest.raises(refusal):
            services.complaint_link(actor=who, complaint=complaint, unit=hotel)
    assert _links(complaint) == (None, None, None)
    assert not AuditEvent.objects.filter(action="complaint.link").exists()
    # cg2 works at the station that handles it.
    services.complaint_link(actor=demo.users["cg2"], complaint=complaint, unit=hotel)
    assert _links(complaint)[0] == hotel.pk


def test_a_linked_unit_finds_duplicates_about_it(comanager_in, complaint, hotel):
    from xieguan.complaints.selectors import possible_duplicates

    earlier = file_public(complaint.area, ip="10.0.0.9", unit=hotel).complaint
    assert possible_duplicates(comanager_in, complaint) == []
    services.complaint_link(actor=comanager_in, complaint=complaint, unit=hotel)
    assert possible_duplicates(comanager_in, complaint) == [earlier]


# ---------------------------------------------------------------- the page


def test_detail_page_offers_the_links_to_its_handlers_only(
    demo, login, comanager_in, complaint, hotel, record, opinion
):
    url = reverse("complaints:detail", args=[complaint.pk])
    assert 'id="link-form"' not in login(demo.users["city"]).get(url).content.decode()
    services.complaint_link(actor=comanager_in, complaint=complaint, unit=hotel)
    page = login(comanager_in).get(url).content.decode()
    assert 'id="link-form"' in page and "关联单位档案" in page
    assert f'value="{hotel.pk}" checked' in page  # the unit picker holds the linked unit
    assert f'value="{record.pk}"' in page and opinion.number in page  # that unit's records are offered
    assert f"within={complaint.area.pk}" in page or 'type="search"' not in page


def test_posting_the_links_ties_them_and_the_page_and_unit_file_show_them(
    demo, login, comanager_in, complaint, hotel, record, opinion
):
    client = login(comanager_in)
    response = client.post(
        reverse("complaints:link", args=[complaint.pk]),
        {"ln-unit": hotel.pk, "ln-inspection": record.pk, "ln-opinion": opinion.pk},
    )
    assert response.status_code == 302
    assert _links(complaint) == (hotel.pk, record.pk, opinion.pk)
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="linked-opinion"' in page and opinion.number in page
    assert reverse("inspections:detail", args=[record.pk]) in page
    unit_file = client.get(reverse("units:detail", args=[hotel.pk])).content.decode()
    assert reverse("complaints:detail", args=[complaint.pk]) in unit_file
    assert f"意见书{opinion.number}" in unit_file.replace(" ", "")


def test_a_refused_post_keeps_the_choice_and_says_why(demo, login, comanager_in, county_admin, complaint, theirs):
    response = login(county_admin).post(reverse("complaints:link", args=[complaint.pk]), {"ln-unit": theirs.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择投诉所在乡镇（街道）中您辖区内的单位。" in page
    assert _links(complaint) == (None, None, None)


def test_a_post_beside_or_above_changes_nothing(demo, login, complaint, hotel):
    url = reverse("complaints:link", args=[complaint.pk])
    assert login(demo.users["dh1"]).post(url, {"ln-unit": hotel.pk}).status_code == 404
    assert login(demo.users["city"]).post(url, {"ln-unit": hotel.pk}).status_code == 403
    assert _links(complaint) == (None, None, None)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (make system-deps) reads the PDF's text")
def test_the_unit_files_pdf_lists_the_linked_complaint(login, comanager_in, complaint, hotel, opinion):
    services.complaint_link(actor=comanager_in, complaint=complaint, unit=hotel, opinion=opinion)
    response = login(comanager_in).get(reverse("units:pdf", args=[hotel.pk]))
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    text = subprocess.run([pdftotext, "-", "-"], input=response.content, capture_output=True, check=True).stdout  # noqa: S603
    text = "".join(text.decode().split())
    assert "投诉举报" in text and "餐具不消毒" in text and opinion.number.replace(" ", "") in text


def test_unit_file_queries_stay_constant_with_linked_complaints_and_reports(demo, login, comanager_in, hotel, opinion):
    from xieguan.reports import services as reports

    client = login(comanager_in)
    url = reverse("units:detail", args=[hotel.pk])

    def grow():
        for n in range(3):
            filed = file_public(demo.townships[0], ip=f"10.0.1.{n}").complaint
            services.complaint_link(actor=comanager_in, complaint=filed, unit=hotel, opinion=opinion)
            report, _created = reports.report_create(
                actor=comanager_in,
                category="food_safety",
                found_at=timezone.now() - datetime.timedelta(hours=1),
                place="李家村",
                content="销售过期食品",
            )
            reports.report_link(actor=comanager_in, report=report, unit=hotel, inspection=opinion.inspection)

    grow()
    client.get(url)  # the process's content-type cache warmed, as a server's is
    assert_constant_queries(
        lambda: client.get(url),
        grow,
        exactly=29,  # the fields, licences and certificates read once (33 before)
    )  # the unit file's sections in the archive order (issue 25): the inspection's answers, inspectors, photos;
    # possible duplicates ask the township and the hotel's credit code apart


# ---------------------------------------------------------------- the API


def test_api_ties_the_links_and_answers_them(demo, api_token, comanager_in, complaint, hotel, opinion):
    from django.test import Client

    response = Client().post(
        f"/api/complaints/{complaint.pk}/links",
        data={"unit_id": str(hotel.pk), "opinion_id": str(opinion.pk)},
        content_type="application/json",
        **api_token(comanager_in),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["unit_id"], body["inspection_id"], body["opinion_id"]) == (
        str(hotel.pk),
        str(opinion.inspection_id),
        str(opinion.pk),
    )
    assert _links(complaint) == (hotel.pk, opinion.inspection_id, opinion.pk)


def test_api_refusals_are_chinese_and_change_nothing(demo, api_token, comanager_in, complaint, hotel, theirs):
    import uuid

    from django.test import Client

    def post(user, **body):
        return Client().post(
            f"/api/complaints/{complaint.pk}/links", data=body, content_type="application/json", **api_token(user)
        )

    beside = post(comanager_in, unit_id=str(theirs.pk))
    assert beside.status_code == 422 and beside.json()["fields"]["unit"] == ["这个单位不在您的辖区内。"]
    made_up = post(comanager_in, unit_id=str(hotel.pk), inspection_id=str(uuid.uuid4()))
    assert made_up.status_code == 422 and made_up.json()["fields"]["inspection"] == ["这份检查记录不在您的辖区内。"]
    assert post(demo.users["city"], unit_id=str(hotel.pk)).status_code == 403
    assert post(demo.users["dh1"], unit_id=str(hotel.pk)).status_code == 404
    assert _links(complaint) == (None, None, None)
    assert Complaint.objects.filter(unit__isnull=False).count() == 0
