"""Issue 17 finding 7 (audit): the log keeps who changed what, but never a
whole phone number or ID number, a file's storage path or a piece of an API
token — neither in the stored rows nor on the audit-log page."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xieguan.accounts import services as account_services
from xieguan.accounts.models import ApiToken
from xieguan.core.audit import audit_changes
from xieguan.core.models import AuditEvent
from xieguan.outreach.models import OutreachPhoto
from xieguan.outreach.tests.factories import make_outreach
from xieguan.units.models import Unit
from xieguan.units.tests.factories import make_unit

PHONE, NEW_PHONE = "13912345678", "13887655678"
ID_NUMBER = "11010519491231002X"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _stored() -> str:
    """Everything the log keeps, as one text."""
    rows = AuditEvent.objects.values("object_repr", "changes", "note")
    return json.dumps(list(rows), ensure_ascii=False)


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, format="JPEG")
    return SimpleUploadedFile("现场照片.jpg", out.getvalue(), content_type="image/jpeg")


def test_the_log_keeps_phones_and_id_numbers_masked_and_no_paths_or_token_pieces(
    demo, login, county_admin, comanager_in, demo_password
):
    account_services.user_update(actor=county_admin, person=comanager_in, phone=PHONE, id_number=ID_NUMBER)
    account_services.user_update(actor=county_admin, person=comanager_in, phone=NEW_PHONE)
    made = account_services.user_create(
        actor=county_admin,
        username="newbie",
        password="Xieguan@2026!x",
        institution=comanager_in.institution,
        roles=["comanager"],
        full_name="新同事",
        phone="13700001111",
        id_number=ID_NUMBER,
    )
    unit = make_unit(comanager_in, demo.villages[1], phone="13600002222")
    activity = make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 5, 10))
    client = login(comanager_in)
    assert client.post(reverse("outreach:detail", args=[activity.pk]), {"image": _jpeg()}).status_code == 302
    photo = OutreachPhoto.objects.get()
    api = Client()
    key = api.post(
        "/api/auth/token", {"username": "cg1", "password": demo_password}, content_type="application/json"
    ).json()["token"]
    assert api.delete("/api/auth/token", HTTP_AUTHORIZATION=f"Bearer {key}").status_code in (200, 204)
    token = ApiToken.objects.get(user=comanager_in)

    stored = _stored()
    page = login(demo.users["admin"]).get(reverse("core:audit")).content.decode()
    for text in (stored, page):
        secrets = (PHONE, NEW_PHONE, "13800001001", "13700001111", "13600002222", ID_NUMBER, photo.image.name)
        for secret in (*secrets, key[:8]):
            assert secret not in text
        assert "outreach/20" not in text and ".jpg" not in text
    # What changed is still there, masked.
    event = AuditEvent.objects.filter(object_id=str(comanager_in.pk), action="user.update").order_by("id")
    assert [e.changes for e in event] == [
        {"phone": ["138****1001", "139****5678"], "id_number": ["", "110***********002X"]},
        {"phone": ["139****5678", "138****5678"]},
    ]
    assert AuditEvent.objects.get(object_id=str(made.pk), action="user.create").changes["phone"] == [
        None,
        "137****1111",
    ]
    assert AuditEvent.objects.get(object_id=str(unit.pk), action="unit.create").changes["phone"] == [
        None,
        "136****2222",
    ]
    photo_event = AuditEvent.objects.get(object_id=str(photo.pk))
    assert photo_event.changes == {"image": [None, "文件已上传"]} and photo_event.object_repr == "照片"
    issued, revoked = (
        AuditEvent.objects.get(action=a, object_id=str(comanager_in.pk)) for a in ("token.issue", "token.revoke")
    )
    # Named by when it was issued, in local time: no piece of the key, no id.
    assert issued.note == revoked.note == f"{timezone.localtime(token.created_at):%Y-%m-%d %H:%M:%S} 签发的 API 令牌"


def test_an_imported_units_phone_is_masked_in_the_log(demo, comanager_in):
    from xieguan.units import imports
    from xieguan.units.models import Category
    from xieguan.units.services import clean_unit_data

    food = Category.objects.get(code="food")
    clean = clean_unit_data(
        comanager_in,
        {"name": "导入饭店", "area": demo.villages[1], "category": food, "phone": "13500003333"},
        unit=None,
    )
    assert imports.write_units(comanager_in, [(4, clean)], fields=list(food.fields.all())) == 1
    unit = Unit.objects.get(name="导入饭店")
    assert AuditEvent.objects.get(object_id=str(unit.pk)).changes["phone"] == [None, "135****3333"]


def test_a_replaced_file_is_named_as_replaced_not_by_its_path(demo):
    changes = audit_changes(OutreachPhoto, {"image": ["outreach/2026/12/a.jpg", "outreach/2026/12/b.jpg"]})
    assert changes == {"image": ["文件", "文件已更换"]}
    assert audit_changes(OutreachPhoto, {"image": ["outreach/2026/12/a.jpg", ""]}) == {"image": ["文件", ""]}
