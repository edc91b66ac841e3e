"""Issue 25 item 6 for information reports and publicity records: their
photos are stamped like inspection evidence — the local time, the place and
the GPS fix with its accuracy (sent with the photo, on the web form, the API
or the phone's resumable upload; else the report's own position; else
无定位) — and the SHA-256 kept is that of the bytes sent, before stamping."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from xieguan.outreach.models import OutreachPhoto
from xieguan.outreach.tests.factories import make_outreach
from xieguan.reports.models import ReportPhoto
from xieguan.reports.tests.factories import at, make_report


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg_bytes(color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), color).save(out, format="JPEG")
    return out.getvalue()


def named(raw: bytes) -> io.BytesIO:
    upload = io.BytesIO(raw)
    upload.name = "x.jpg"
    return upload


def test_report_photo_by_api_is_stamped_with_place_and_fix_and_keeps_the_original_hash(demo, api_token, stamped):
    report = make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 5, 1))
    raw = jpeg_bytes()
    response = Client().post(
        f"/api/reports/{report.pk}/photos",
        {"image": named(raw), "latitude": "31.2304", "longitude": "121.4737", "accuracy_m": "12"},
        **api_token(demo.users["cun1"]),
    )
    assert response.status_code == 201, response.content
    photo = ReportPhoto.objects.get()
    assert photo.sha256 == hashlib.sha256(raw).hexdigest() == response.json()["sha256"]
    [lines] = stamped
    assert report.place in lines[1] and report.area.name in lines[1]
    assert lines[2] == "GPS 31.2304, 121.4737 ±12 m"


def test_report_photo_without_a_fix_takes_the_reports_position_else_none(demo, comanager_in, stamped):
    from xieguan.reports import services

    report = make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 5, 1))
    services.report_photo_add(actor=demo.users["cun1"], report=report, upload=named(jpeg_bytes("red")))
    report.latitude, report.longitude = 30.5, 120.25
    report.save(update_fields=["latitude", "longitude"])
    report.refresh_from_db()
    services.report_photo_add(actor=demo.users["cun1"], report=report, upload=named(jpeg_bytes("blue")))
    assert [lines[2] for lines in stamped] == ["无定位", "GPS 30.5000, 120.2500"]


def test_report_api_refuses_a_fix_out_of_range_in_chinese_and_keeps_nothing(demo, api_token):
    report = make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 5, 1))
    response = Client().post(
        f"/api/reports/{report.pk}/photos",
        {"image": named(jpeg_bytes()), "latitude": "95", "longitude": "121"},
        **api_token(demo.users["cun1"]),
    )
    assert response.status_code == 422 and "纬度" in response.json()["detail"]
    assert not ReportPhoto.objects.exists()


def test_outreach_photo_on_the_web_form_is_stamped_with_its_place_and_fix(demo, login, comanager_in, stamped):
    record = make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 5, 10))
    raw = jpeg_bytes()
    url = reverse("outreach:detail", args=[record.pk])
    page = login(comanager_in).get(url).content.decode()
    assert "data-photo-fix" in page and 'name="accuracy_m"' in page and "core/photo_fix" in page
    response = login(comanager_in).post(
        url, {"image": named(raw), "latitude": "31.1", "longitude": "121.2", "accuracy_m": "6.4"}
    )
    assert response.status_code == 302
    photo = OutreachPhoto.objects.get()
    assert photo.sha256 == hashlib.sha256(raw).hexdigest()
    [lines] = stamped
    assert record.place in lines[1] and lines[2] == "GPS 31.1000, 121.2000 ±6 m"


def test_outreach_photo_by_api_carries_its_fix(demo, api_token, comanager_in, stamped):
    record = make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 5, 10))
    response = Client().post(
        f"/api/outreach/{record.pk}/photos",
        {"image": named(jpeg_bytes()), "latitude": "31.1", "longitude": "121.2", "accuracy_m": "3"},
        **api_token(comanager_in),
    )
    assert response.status_code == 201, response.content
    assert stamped[0][2] == "GPS 31.1000, 121.2000 ±3 m"
