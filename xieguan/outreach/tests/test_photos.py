import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from xieguan.outreach.models import OutreachPhoto
from xieguan.outreach.tests.factories import make_outreach


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def activity(demo, comanager_in):
    return make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 5, 10))


def jpeg(width=2400, height=1200, color="red"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def test_photo_is_resized_and_kept_once(demo, login, comanager_in, activity, tmp_path):
    client = login(comanager_in)
    url = reverse("outreach:detail", args=[activity.pk])
    assert client.post(url, {"image": jpeg()}).status_code == 302
    assert client.post(url, {"image": jpeg()}).status_code == 302
    photo = OutreachPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 800) and len(photo.sha256) == 64
    assert str(tmp_path) in photo.image.path and "/outreach/" in photo.image.path


def test_not_an_image_is_refused_in_chinese_and_nothing_kept(demo, login, comanager_in, activity):
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = login(comanager_in).post(reverse("outreach:detail", args=[activity.pk]), {"image": bad})
    assert response.status_code == 200 and "不是照片" in response.content.decode()
    assert not OutreachPhoto.objects.exists()


def test_over_20_mb_is_refused(demo, comanager_in, activity, monkeypatch):
    from xieguan.core import photos
    from xieguan.outreach import services

    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 10)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.outreach_photo_add(actor=comanager_in, outreach=activity, upload=jpeg())
    assert "20 MB" in " ".join(caught.value.messages)
    assert not OutreachPhoto.objects.exists()


def test_photo_is_served_inside_and_above(login, comanager_in, activity, inside_or_above):
    from xieguan.outreach import services

    photo, _ = services.outreach_photo_add(actor=comanager_in, outreach=activity, upload=jpeg())
    response = login(inside_or_above).get(reverse("outreach:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(("who", "status"), [("bureau", 403), ("dh1", 404)])
def test_denied_upload_keeps_nothing(demo, login, activity, who, status):
    response = login(demo.users[who]).post(reverse("outreach:detail", args=[activity.pk]), {"image": jpeg()})
    assert response.status_code == status
    assert not OutreachPhoto.objects.exists()
