"""A report tied after the fact to its unit and to the inspection record that
followed it up (issue 20 item 7): by those who verify or handle it, audited,
refused in Chinese beside and above, and shown in the unit's file."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xieguan.core.models import AuditEvent
from xieguan.inspections.tests.factories import draft, submitted
from xieguan.reports import services
from xieguan.reports.tests.factories import make_report
from xieguan.units.tests.factories import credit_code, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def clue(demo):
    """Filed by the village officer of 李家村 (城关镇), naming no unit."""
    return make_report(
        area=demo.villages[1],
        by=demo.users["cun1"],
        found_at=timezone.now() - datetime.timedelta(minutes=30),
        place="李家村小卖部",
        content="销售过期食品",
    )


@pytest.fixture
def shop(demo, comanager_in):
    """A unit in 城北社区, another village of the same township."""
    return make_unit(comanager_in, demo.villages[0], name="城北小卖部", credit_code=credit_code(1))


@pytest.fixture
def record(demo, shop, comanager_in):
    return submitted(comanager_in, shop, inspectors=[comanager_in, demo.users["cg2"]], fails=1)


@pytest.fixture
def theirs(demo, outsider):
    return make_unit(outsider, demo.townships[1], name="河东饭庄", credit_code=credit_code(2, "990102"))


def _links(report):
    report.refresh_from_db()
    return report.unit_id, report.inspection_id


@pytest.mark.parametrize("who", ["cg1", "inst"])
def test_the_township_or_the_institute_ties_a_filed_report_audited(demo, clue, shop, record, who):
    services.report_link(actor=demo.users[who], report=clue, unit=shop, inspection=record)
    assert _links(clue) == (shop.pk, record.pk)
    assert clue.area == demo.villages[1]  # where it was found does not move
    event = AuditEvent.objects.get(action="report.link", object_id=str(clue.pk))
    assert event.actor_username == who and event.changes["unit"] == [None, "城北小卖部"]
    services.report_link(actor=demo.users[who], report=clue, unit=shop, inspection=record)
    assert AuditEvent.objects.filter(action="report.link").count() == 1  # nothing changed, nothing recorded


def _refused(actor, report, field, message, **links):
    before, events = _links(report), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.report_link(actor=actor, report=report, **links)
    assert exc.value.message_dict[field] == [message]
    assert _links(report) == before and AuditEvent.objects.count() == events


def test_units_and_records_that_are_not_the_reports_are_refused_in_chinese(
    demo, comanager_in, supervisor_of, clue, shop, theirs
):
    _refused(comanager_in, clue, "unit", "这个单位不在您的辖区内。", unit=theirs)
    _refused(supervisor_of, clue, "unit", "该单位不在报告所在的乡镇（街道）内。", unit=theirs)
    _refused(comanager_in, clue, "unit", "请选择报告涉及的已登记单位。", unit=None)
    other = make_unit(comanager_in, demo.villages[1], name="李家村饭店", credit_code=credit_code(3))
    other_record = submitted(comanager_in, other, inspectors=[comanager_in, demo.users["cg2"]])
    _refused(comanager_in, clue, "inspection", "这份检查记录是另一家单位的。", unit=shop, inspection=other_record)
    unfinished = draft(comanager_in, shop, inspectors=[comanager_in, demo.users["cg2"]])
    _refused(
        comanager_in, clue, "inspection", "请选择已提交的检查记录，这份还是草稿。", unit=shop, inspection=unfinished
    )


def test_beside_gets_404_and_roles_that_take_no_step_get_403(demo, clue, shop):
    for who, refusal in [("dh1", Http404), ("city", PermissionDenied), ("bureau", PermissionDenied)]:
        with pytest.raises(refusal):
            services.report_link(actor=demo.users[who], report=clue, unit=shop)
    with pytest.raises(PermissionDenied):  # the village officer files, the township links
        services.report_link(actor=demo.users["cun1"], report=clue, unit=shop)
    assert _links(clue) == (None, None)
    assert not AuditEvent.objects.filter(action="report.link").exists()


def test_the_page_ties_the_links_and_the_unit_file_shows_the_report(demo, login, comanager_in, clue, shop, record):
    client = login(comanager_in)
    detail = reverse("reports:detail", args=[clue.pk])
    assert 'id="link-form"' in client.get(detail).content.decode()
    assert 'id="link-form"' not in login(demo.users["cun1"]).get(detail).content.decode()
    response = client.post(reverse("reports:link", args=[clue.pk]), {"ln-unit": shop.pk})
    assert response.status_code == 302 and _links(clue) == (shop.pk, None)
    page = client.get(detail).content.decode()
    assert f'value="{record.pk}"' in page  # now that the unit is known, its records are offered
    client.post(reverse("reports:link", args=[clue.pk]), {"ln-unit": shop.pk, "ln-inspection": record.pk})
    assert _links(clue) == (shop.pk, record.pk)
    assert 'id="linked-inspection"' in client.get(detail).content.decode()
    unit_file = client.get(reverse("units:detail", args=[shop.pk])).content.decode()
    assert reverse("reports:detail", args=[clue.pk]) in unit_file and "现场检查跟进" in unit_file


def test_a_refused_post_says_why_and_changes_nothing(demo, login, comanager_in, supervisor_of, clue, theirs):
    response = login(supervisor_of).post(reverse("reports:link", args=[clue.pk]), {"ln-unit": theirs.pk})
    assert response.status_code == 400
    assert "请选择报告所在乡镇（街道）中您辖区内的单位。" in response.content.decode()
    url = reverse("reports:link", args=[clue.pk])
    assert login(demo.users["dh1"]).post(url, {"ln-unit": theirs.pk}).status_code == 404
    assert login(demo.users["city"]).post(url, {"ln-unit": theirs.pk}).status_code == 403
    assert _links(clue) == (None, None)


def test_api_ties_the_links_and_refuses_in_chinese(demo, api_token, comanager_in, clue, shop, record, theirs):
    def post(user, **body):
        return Client().post(
            f"/api/reports/{clue.pk}/links", data=body, content_type="application/json", **api_token(user)
        )

    refused = post(comanager_in, unit_id=str(theirs.pk))
    assert refused.status_code == 422 and refused.json()["fields"]["unit"] == ["这个单位不在您的辖区内。"]
    made_up = post(comanager_in, unit_id=str(shop.pk), inspection_id=str(uuid.uuid4()))
    assert made_up.status_code == 422 and made_up.json()["fields"]["inspection"] == ["这份检查记录不在您的辖区内。"]
    assert post(demo.users["city"], unit_id=str(shop.pk)).status_code == 403
    assert post(demo.users["dh1"], unit_id=str(shop.pk)).status_code == 404
    assert _links(clue) == (None, None)
    done = post(comanager_in, unit_id=str(shop.pk), inspection_id=str(record.pk))
    assert done.status_code == 200, done.content
    assert (done.json()["unit_id"], done.json()["inspection_id"]) == (str(shop.pk), str(record.pk))
    assert _links(clue) == (shop.pk, record.pk)
