"""A 17 KB PNG declaring 12000×12000 one-bit pixels (144 MP, under Pillow's
own hard limit) is refused in Chinese by every page and endpoint that takes
a photo, before it is decoded (issue 17, finding 3). The memory bound itself
is measured in test_photos."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from xieguan.complaints.models import Complaint, ComplaintPhoto, PendingUpload
from xieguan.core.tests.test_photos import one_bit_bomb
from xieguan.inspections.models import Photo, Signature

pytestmark = pytest.mark.django_db

REFUSED = "百万像素"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def bomb_bytes():
    return one_bit_bomb()


def bomb(data: bytes, name: str = "bomb.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture
def records(demo, comanager_in):
    from xieguan.inspections.services.followups import reinspection_record
    from xieguan.inspections.services.opinions import opinion_issue
    from xieguan.inspections.tests.factories import draft, plain_unit, submitted
    from xieguan.outreach.tests.factories import make_outreach
    from xieguan.reports.tests.factories import make_report

    township = demo.townships[0]
    cg2 = demo.users["cg2"]
    unit = plain_unit(township)
    done = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    opinion = opinion_issue(actor=comanager_in, inspection=done, text="请整改", deadline=timezone.localdate())
    reinspection = reinspection_record(
        actor=comanager_in,
        opinion=opinion,
        inspected_at=timezone.now(),
        result="partly",
        inspectors=[comanager_in, cg2],
    )
    return {
        "inspection": draft(comanager_in, unit, inspectors=[comanager_in]),
        "outreach": make_outreach(area=township, by=comanager_in, date=timezone.localdate()),
        "reinspection": reinspection,
        "report": make_report(area=township, by=comanager_in, found_at=timezone.now()),
    }


def _stored(settings) -> list[str]:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("endpoint", ["inspection-photo", "signature", "outreach", "reinspection", "report"])
def test_api_upload_refuses_the_144_megapixel_png_in_chinese(
    records, api_token, comanager_in, settings, bomb_bytes, endpoint
):
    paths = {
        "inspection-photo": (f"/api/inspections/{records['inspection'].pk}/photos", {}),
        "signature": (
            f"/api/inspections/{records['inspection'].pk}/signatures",
            {"role": "inspector", "user_id": str(comanager_in.pk)},
        ),
        "outreach": (f"/api/outreach/{records['outreach'].pk}/photos", {}),
        "reinspection": (f"/api/reinspections/{records['reinspection'].pk}/photos", {}),
        "report": (f"/api/reports/{records['report'].pk}/photos", {}),
    }
    path, fields = paths[endpoint]
    before = (_stored(settings), Photo.objects.count(), Signature.objects.count())
    response = Client().post(path, {**fields, "image": bomb(bomb_bytes)}, **api_token(comanager_in))
    assert response.status_code == 422
    assert REFUSED in response.json()["detail"]
    assert (_stored(settings), Photo.objects.count(), Signature.objects.count()) == before


def test_public_api_refuses_the_144_megapixel_png_in_chinese(demo, settings, bomb_bytes):
    from xieguan.complaints.tests.conftest import ANSWER

    settings.COMPLAINTS_CAPTCHA_FIXED = ANSWER
    client = Client()
    token = client.get("/api/public/captcha").json()["token"]
    response = client.post(
        "/api/public/complaints",
        {
            "captcha_token": token,
            "captcha_answer": ANSWER,
            "township_id": str(demo.townships[0].pk),
            "category": "food",
            "content": "饭店后厨有老鼠",
            "photos": [bomb(bomb_bytes)],
        },
    )
    assert response.status_code == 422
    assert REFUSED in response.json()["detail"]
    assert Complaint.objects.count() == 0 and _stored(settings) == []


def test_public_form_refuses_the_144_megapixel_png_keeps_the_text_and_stores_nothing(demo, settings, bomb_bytes):
    from xieguan.complaints.tests.conftest import ANSWER

    settings.COMPLAINTS_CAPTCHA_FIXED = ANSWER
    client = Client()
    page = client.get("/complaints/new").content.decode()
    token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/complaints/new",
        {
            "township": str(demo.townships[0].pk),
            "category": "food",
            "content": "红星饭店后厨有老鼠",
            "is_anonymous": "on",
            "captcha_token": token,
            "captcha_answer": ANSWER,
            "photos": [bomb(bomb_bytes)],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert REFUSED in html and "红星饭店后厨有老鼠" in html
    assert (Complaint.objects.count(), ComplaintPhoto.objects.count(), PendingUpload.objects.count()) == (0, 0, 0)
    assert _stored(settings) == []
