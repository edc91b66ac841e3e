"""Issue 25 item 6: an evidence photo is stamped with the local time, the
place (the unit's name and address) and the GPS fix with its accuracy — the
one sent with the photo from the phone, else the record's, else 无定位 — in
the embedded CJK font; the SHA-256 kept is that of the bytes sent, before
stamping, and the record page shows it. A fix out of range is refused in
Chinese and nothing is kept."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from xieguan.areas.models import Area
from xieguan.core import photos
from xieguan.field.models import Upload
from xieguan.inspections.models import Photo
from xieguan.inspections.services.common import (
    GpsFix,
    evidence_stamp_lines,
    gps_fix_checked,
    gps_fix_text,
    stamp_place,
)
from xieguan.inspections.services.followups import reinspection_photo_add, reinspection_record
from xieguan.inspections.services.opinions import opinion_issue
from xieguan.inspections.tests.factories import draft, jpeg, plain_unit, submitted
from xieguan.units.models import Unit


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def record(demo, comanager_in, township):
    unit = plain_unit(township, name="红星酒店")
    return draft(
        comanager_in,
        unit,
        inspectors=[comanager_in, demo.users["cg2"]],
        latitude=Decimal("30.123456"),
        longitude=Decimal("120.654321"),
        accuracy_m=8.4,
    )


def upload_bytes(color: str = "teal") -> bytes:
    upload = jpeg(color, (1600, 1200))
    return upload.read()


def test_the_stamp_reads_local_time_place_and_fix() -> None:
    when = datetime.datetime(2026, 5, 6, 1, 30, tzinfo=datetime.UTC)
    unit = Unit(name="红星酒店", address="人民路 1 号")
    fix = GpsFix(Decimal("31.230416"), Decimal("121.473701"), 12.2)
    lines = photos.stamp_text(when, evidence_stamp_lines(unit=unit, area=Area(name="城关镇"), fix=fix))
    assert lines == ["2026-05-06 09:30", "红星酒店 人民路 1 号", "GPS 31.2304, 121.4737 ±12 m"]
    assert gps_fix_text(GpsFix(Decimal("31.2304"), Decimal("121.4737"))) == "GPS 31.2304, 121.4737"


def test_without_a_fix_the_stamp_says_so_in_chinese_and_names_the_area(demo, township) -> None:
    with translation.override("zh-hans"):
        assert gps_fix_text(None) == "无定位"
    with translation.override("en"):
        assert gps_fix_text(None) == "No location fix"
    assert stamp_place(None, township) == township.full_name() and township.name in stamp_place(None, township)
    assert stamp_place(Unit(name="小店", address=""), township) == f"小店 {township.name}"


def test_a_stamped_photo_differs_from_the_original_only_in_the_stamp_area() -> None:
    raw = upload_bytes("white")
    lines = evidence_stamp_lines(unit=Unit(name="红星酒店", address="人民路 1 号"), area=Area(name="城关镇"), fix=None)
    prepared = photos.prepare_photo(io.BytesIO(raw), stamp=True, stamp_lines=lines)
    assert prepared.sha256 == hashlib.sha256(raw).hexdigest()
    image = Image.open(io.BytesIO(prepared.content)).convert("RGB")
    # The band holds three lines (time, place, fix): dark pixels well above the last line.
    size = image.width // 40
    band_top = image.height - 3 * (size + size // 3)
    assert image.getpixel((image.width - 5, image.height - 5)) < (60, 60, 60)
    assert image.getpixel((image.width - 5, band_top + 5)) < (60, 60, 60)
    assert image.getpixel((image.width - 5, band_top - 3 * size)) > (230, 230, 230)
    assert image.getpixel((5, 5)) > (230, 230, 230)  # the rest is the original
    # Glyphs are drawn in the band (yellow on black), not an empty rectangle.
    band = image.crop((image.width // 2, band_top, image.width, image.height))
    assert any(r > 200 and b < 100 for r, _g, b in band.get_flattened_data())


def test_the_api_stamps_the_fix_sent_with_the_photo_and_keeps_the_originals_hash(
    api_token, comanager_in, record, stamped
) -> None:
    raw = upload_bytes()
    response = Client().post(
        f"/api/inspections/{record.pk}/photos",
        {"image": io.BytesIO(raw), "latitude": "31.2304", "longitude": "121.4737", "accuracy_m": "12"},
        **api_token(comanager_in),
    )
    assert response.status_code == 201
    assert response.json()["sha256"] == hashlib.sha256(raw).hexdigest() == Photo.objects.get().sha256
    assert stamped[-1][1:] == ["红星酒店 人民路 1 号", "GPS 31.2304, 121.4737 ±12 m"]
    with Photo.objects.get().image.open("rb") as kept:
        assert hashlib.sha256(kept.read()).hexdigest() != response.json()["sha256"]  # the stamped copy


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"latitude": "91", "longitude": "121"}, "latitude", "纬度须在 -90 到 90 之间"),
        ({"latitude": "31", "longitude": "-181"}, "longitude", "经度须在 -180 到 180 之间"),
        ({"latitude": "31", "longitude": "121", "accuracy_m": "-1"}, "accuracy_m", "定位精度不能为负数"),
        ({"latitude": "31"}, "latitude", "经度和纬度"),
        ({"latitude": "nan", "longitude": "121"}, "latitude", "定位须为有效数字"),
    ],
)
def test_a_fix_out_of_range_is_refused_in_chinese_and_nothing_is_kept(
    api_token, comanager_in, record, fields, field, message
) -> None:
    response = Client().post(
        f"/api/inspections/{record.pk}/photos",
        {"image": io.BytesIO(upload_bytes()), **fields},
        **api_token(comanager_in),
    )
    assert response.status_code == 422
    assert message in response.json()["detail"] and field in response.json()["fields"]
    assert not Photo.objects.exists()


def test_a_fix_that_is_not_a_number_is_refused_in_chinese(api_token, comanager_in, record) -> None:
    response = Client().post(
        f"/api/inspections/{record.pk}/photos",
        {"image": io.BytesIO(upload_bytes()), "latitude": "北纬", "longitude": "121"},
        **api_token(comanager_in),
    )
    assert response.status_code == 422 and any("\u4e00" <= c <= "\u9fff" for c in response.json()["detail"])
    assert not Photo.objects.exists()


def test_a_web_upload_is_stamped_with_the_records_fix_and_the_page_shows_the_hash(
    login, comanager_in, record, stamped
) -> None:
    raw = upload_bytes()
    client = login(comanager_in)
    response = client.post(reverse("inspections:photo_add", args=[record.pk]), {"image": io.BytesIO(raw)})
    assert response.status_code == 302
    assert stamped[-1][1:] == ["红星酒店 人民路 1 号", "GPS 30.1235, 120.6543 ±8 m"]
    page = client.get(reverse("inspections:detail", args=[record.pk])).content.decode()
    assert hashlib.sha256(raw).hexdigest() in page and "原图 SHA-256" in page


def test_the_phones_upload_carries_its_fix_to_the_stamp(api_token, comanager_in, record, stamped) -> None:
    raw, headers, client = upload_bytes("navy"), api_token(comanager_in), Client()
    body = {
        "id": str(uuid.uuid4()),
        "target": "inspection_photo",
        "record_id": str(record.pk),
        "length": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "content_type": "image/jpeg",
        "latitude": 31.5,
        "longitude": 121.25,
        "accuracy_m": 30,
    }
    bad = client.post(
        "/api/uploads", json.dumps({**body, "accuracy_m": -5}), content_type="application/json", **headers
    )
    assert bad.status_code == 422 and "定位精度不能为负数" in bad.json()["detail"] and not Upload.objects.exists()
    started = client.post("/api/uploads", json.dumps(body), content_type="application/json", **headers)
    assert started.status_code == 201
    done = client.patch(
        f"/api/uploads/{body['id']}",
        raw,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **headers,
    )
    assert done.status_code == 200 and done.json()["complete"]
    assert stamped[-1][2] == "GPS 31.5000, 121.2500 ±30 m"
    assert Photo.objects.get().sha256 == body["sha256"]


def test_a_reinspection_photo_without_a_fix_says_no_fix_and_one_sent_is_stamped(
    api_token, demo, comanager_in, township, stamped
) -> None:
    cg2 = demo.users["cg2"]
    done = submitted(comanager_in, plain_unit(township, name="绿叶餐馆"), inspectors=[comanager_in, cg2], fails=1)
    opinion = opinion_issue(actor=comanager_in, inspection=done, text="请整改", deadline=timezone.localdate())
    again = reinspection_record(
        actor=comanager_in,
        opinion=opinion,
        inspected_at=timezone.now(),
        result="rectified",
        inspectors=[comanager_in, cg2],
    )
    with translation.override("zh-hans"):
        reinspection_photo_add(actor=comanager_in, reinspection=again, upload=io.BytesIO(upload_bytes()))
    assert stamped[-1][1:] == ["绿叶餐馆 人民路 1 号", "无定位"]
    response = Client().post(
        f"/api/reinspections/{again.pk}/photos",
        {"image": io.BytesIO(upload_bytes("olive")), "latitude": "30.5", "longitude": "120.5", "accuracy_m": "5"},
        **api_token(comanager_in),
    )
    assert response.status_code == 201 and stamped[-1][2] == "GPS 30.5000, 120.5000 ±5 m"
    assert gps_fix_checked(None, None, None) is None
