"""Files in an S3-compatible object store (issue 26), against a real
SeaweedFS started on loopback by the ``seaweedfs`` fixture: a photo is
stored in the bucket (not on the disk), served only after the scope check
with its content type and nosniff, deleted with the record that owns it;
the resumable upload keeps its chunks in the bucket; a big file streams in
with flat memory; a PDF reads its photos from the bucket; the bucket
answers nobody without the key."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import tracemalloc
import urllib.error
import urllib.request
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from xieguan.core.storage import PART_BYTES, open_stream, save_stream
from xieguan.field.models import Upload
from xieguan.field.services import partial_chunks
from xieguan.inspections.models import Photo
from xieguan.inspections.tests.factories import draft, plain_unit
from xieguan.outreach.models import OutreachPhoto
from xieguan.outreach.tests.factories import make_outreach

pytestmark = pytest.mark.s3


def jpeg_bytes(color: str = "teal", size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def noisy_jpeg() -> bytes:
    """A photo that does not compress to nothing: several chunks long."""
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 300), hashlib.sha256(b"x").digest() * 11250).save(out, format="JPEG", quality=95)
    return out.getvalue()


@pytest.fixture
def activity(demo, comanager_in):
    return make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 5, 10))


def test_the_storage_in_use_is_the_bucket(s3_storage):
    from storages.backends.s3 import S3Storage

    default_storage.exists("nothing-here")  # made on first use
    assert isinstance(default_storage._wrapped, S3Storage)


def test_a_photo_goes_to_the_bucket_and_is_served_only_inside_scope(
    demo, login, comanager_in, activity, s3_storage, settings
):
    client = login(comanager_in)
    url = reverse("outreach:detail", args=[activity.pk])
    sent = SimpleUploadedFile("photo.jpg", jpeg_bytes(), content_type="image/jpeg")
    assert client.post(url, {"image": sent}).status_code == 302
    photo = OutreachPhoto.objects.get()
    assert s3_storage["keys"]() == [photo.image.name]
    assert not (settings.MEDIA_ROOT).exists() or not any(settings.MEDIA_ROOT.rglob("*.jpg"))
    # Inside and above: the bytes, as a JPEG, never sniffed, privately cached.
    for who in ("cg1", "inst", "bureau"):
        response = login(demo.users[who]).get(reverse("outreach:photo", args=[photo.pk]))
        assert response.status_code == 200, who
        body = b"".join(response.streaming_content)
        assert body[:2] == b"\xff\xd8" and response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"].startswith("private")
        assert int(response["Content-Length"]) == len(body)
        stored = s3_storage["client"].get_object(
            Bucket=s3_storage["store"].bucket, Key=f"{s3_storage['prefix']}/{photo.image.name}"
        )
        assert hashlib.sha256(body).hexdigest() == hashlib.sha256(stored["Body"].read()).hexdigest()
    # Beside: 404, nothing of the file.
    denied = login(demo.users["dh1"]).get(reverse("outreach:photo", args=[photo.pk]))
    assert denied.status_code == 404 and b"\xff\xd8" not in denied.content
    # The bucket itself answers no one without the key: no public read, no listing.
    object_url = (
        f"{s3_storage['store'].endpoint}/{s3_storage['store'].bucket}/{s3_storage['prefix']}/{photo.image.name}"
    )
    for address in (object_url, f"{s3_storage['store'].endpoint}/{s3_storage['store'].bucket}"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(address, timeout=10)  # noqa: S310 - loopback store of this test
        assert refused.value.code == 403


def test_deleting_the_record_deletes_its_photos_in_the_bucket(
    demo, comanager_in, activity, s3_storage, django_capture_on_commit_callbacks
):
    from xieguan.outreach import services

    for color in ("red", "blue"):
        services.outreach_photo_add(
            actor=comanager_in, outreach=activity, upload=SimpleUploadedFile("p.jpg", jpeg_bytes(color))
        )
    assert len(s3_storage["keys"]()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.outreach_delete(actor=comanager_in, record=activity)
    assert not OutreachPhoto.objects.exists()
    assert s3_storage["keys"]() == []


def test_a_missing_object_is_a_chinese_404_not_a_500(demo, login, comanager_in, activity, s3_storage):
    from xieguan.outreach import services

    photo, _ = services.outreach_photo_add(
        actor=comanager_in, outreach=activity, upload=SimpleUploadedFile("p.jpg", jpeg_bytes())
    )
    default_storage.delete(photo.image.name)
    response = login(comanager_in).get(reverse("outreach:photo", args=[photo.pk]))
    assert response.status_code == 404 and "文件" in response.content.decode()


def _start(client, headers, record, data, upload_id):
    body = {
        "id": str(upload_id),
        "target": "inspection_photo",
        "record_id": str(record.pk),
        "length": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": "image/jpeg",
    }
    return client.post("/api/uploads", json.dumps(body), content_type="application/json", **headers)


def _chunk(client, headers, upload_id, data, offset):
    return client.patch(
        f"/api/uploads/{upload_id}",
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **headers,
    )


def test_a_resumable_upload_is_assembled_in_the_bucket(demo, comanager_in, township, api_token, s3_storage):
    record = draft(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    headers = api_token(comanager_in)
    data = noisy_jpeg()
    upload_id = uuid.uuid4()
    assert _start(Client(), headers, record, data, upload_id).status_code == 201
    step = 16 * 1024
    # First chunk through one client, a cut, the same chunk again (its answer
    # lost), then the rest: each chunk an object in the bucket by its offset.
    assert _chunk(Client(), headers, upload_id, data[:step], 0).json()["offset"] == step
    assert _chunk(Client(), headers, upload_id, data[:step], 0).status_code == 409
    held = [name for _o, name in partial_chunks(Upload.objects.get(pk=upload_id))]
    assert held == [f"uploads-partial/{upload_id}/{0:012d}.part"]
    assert s3_storage["keys"]() == held
    offset = step
    while offset < len(data):
        answer = _chunk(Client(), headers, upload_id, data[offset : offset + step], offset)
        assert answer.status_code == 200, answer.content
        offset = answer.json()["offset"]
    photo = Photo.objects.get(inspection=record)
    assert photo.sha256 == hashlib.sha256(data).hexdigest() and photo.client_id == upload_id
    # The chunks are gone; only the photo is left in the bucket.
    assert s3_storage["keys"]() == [photo.image.name]
    served = Client()
    served.force_login(comanager_in)
    response = served.get(reverse("inspections:photo", args=[photo.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    # The inspection's PDF reads the photo from the bucket.
    pdf = served.get(reverse("inspections:pdf", args=[record.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = pdf.getvalue() if hasattr(pdf, "getvalue") else b"".join(pdf.streaming_content)
    assert b"/Subtype /Image" in body or b"/Subtype/Image" in body


def _pattern(total: int, piece: int = 1024 * 1024):
    """``total`` bytes that are not all the same, made piece by piece."""
    block = hashlib.sha256(b"xieguan").digest() * (piece // 32)
    sent = 0
    while sent < total:
        n = min(piece, total - sent)
        yield block[:n]
        sent += n


def test_a_big_file_streams_into_the_bucket_with_flat_memory(s3_storage):
    total = 64 * 1024 * 1024 + 12345
    expected = hashlib.sha256()
    for piece in _pattern(total):
        expected.update(piece)
    tracemalloc.start()
    try:
        stored = save_stream("archives/2026/big.zip", _pattern(total), content_type="application/zip")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == total and stored.sha256 == expected.hexdigest()
    assert stored.name in s3_storage["keys"]()
    # Flat: a part in the buffer, the copy sent, the read piece: far below the file.
    assert peak < 3 * PART_BYTES, peak
    # Read back as a stream, the same bytes.
    digest = hashlib.sha256()
    with open_stream(stored.name) as handle:
        assert handle.size == total
        while piece := handle.read(1024 * 1024):
            digest.update(piece)
    assert digest.hexdigest() == expected.hexdigest()
    # The same name again is a new name, never an overwrite.
    again = save_stream("archives/2026/big.zip", [b"small"])
    assert again.name != stored.name and default_storage.size(again.name) == 5


def test_a_failed_stream_leaves_nothing_in_the_bucket(s3_storage):
    def broken():
        yield b"x" * (PART_BYTES + 10)
        raise OSError("the source went away")

    with pytest.raises(OSError):
        save_stream("archives/broken.zip", broken())
    assert s3_storage["keys"]() == []
    uploads = s3_storage["client"].list_multipart_uploads(
        Bucket=s3_storage["store"].bucket, Prefix=s3_storage["prefix"]
    )
    assert not uploads.get("Uploads")


def test_migrate_media_copies_the_disk_into_the_bucket_once_and_resumes(s3_storage, tmp_path):
    from django.core.management import CommandError, call_command

    from xieguan.core.storage import stored_sha256

    local = tmp_path / "old-media"
    made = {
        "inspections/2026/05/a.jpg": jpeg_bytes("red"),
        "inspections/2026/05/b.jpg": jpeg_bytes("blue"),
        "signatures/2026/05/c.png": b"\x89PNG" + b"s" * 5000,
        "imports/2026/sheet.xlsx": b"PK" + bytes(range(256)) * 50,
    }
    for name, data in made.items():
        (local / name).parent.mkdir(parents=True, exist_ok=True)
        (local / name).write_bytes(data)
    (local / "uploads-partial" / "x").mkdir(parents=True)
    (local / "uploads-partial" / "x" / "000000000000.part").write_bytes(b"half")

    def run(*args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        call_command("migrate_media", "--from", str(local), *args, stdout=out, stderr=err)
        return out.getvalue() + err.getvalue()

    # Cut short after two files; run again: it goes on from there.
    first = run("--limit", "2")
    assert "复制 2 个" in first and len(s3_storage["keys"]()) == 2
    second = run()
    assert "复制 2 个" in second and "已在存储中且校验一致 2 个" in second
    assert s3_storage["keys"]() == sorted(made)
    for name, data in made.items():
        assert stored_sha256(name) == (len(data), hashlib.sha256(data).hexdigest())
        with open_stream(name) as handle:
            assert handle.read() == data
    # Idempotent: a third run copies nothing.
    assert "复制 0 个" in run() and "已在存储中且校验一致 4 个" in run()
    # A stored file with other bytes is reported and kept unless --replace.
    s3_storage["client"].put_object(
        Bucket=s3_storage["store"].bucket, Key=f"{s3_storage['prefix']}/inspections/2026/05/a.jpg", Body=b"other"
    )
    with pytest.raises(CommandError):
        run()
    with open_stream("inspections/2026/05/a.jpg") as handle:
        assert handle.read() == b"other"
    assert "复制 1 个" in run("--replace")
    with open_stream("inspections/2026/05/a.jpg") as handle:
        assert handle.read() == made["inspections/2026/05/a.jpg"]


def test_migrate_media_refuses_while_the_store_is_the_same_disk(settings, tmp_path):
    from django.core.management import CommandError, call_command

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(CommandError, match="MEDIA_S3"):
        call_command("migrate_media", stdout=io.StringIO())
