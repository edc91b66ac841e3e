"""Resumable uploads (issue 10): tus-like start / offset / append, checked by
size and sha256 at the end, kept once per record and hash, scoped to the
user who started them; and the OpenAPI document describing them."""

import datetime
import hashlib
import json
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from xieguan.field.models import Upload
from xieguan.field.services import PARTIAL_DIR, partial_chunks, partial_size
from xieguan.inspections.models import Inspection, InspectionStatus, Photo, Signature
from xieguan.inspections.tests.factories import draft, jpeg, plain_unit, png
from xieguan.reports.models import ReportPhoto
from xieguan.reports.services import report_create


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _bytes(upload) -> bytes:
    upload.seek(0)
    return upload.read()


def start(client, headers, *, record_id, data, target="inspection_photo", upload_id=None, **extra):
    body = {
        "id": str(upload_id or uuid.uuid4()),
        "target": target,
        "record_id": str(record_id),
        "length": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": "image/jpeg",
        **extra,
    }
    return client.post("/api/uploads", json.dumps(body), content_type="application/json", **headers)


def chunk(client, headers, upload_id, data, offset):
    return client.patch(
        f"/api/uploads/{upload_id}",
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **headers,
    )


@pytest.fixture
def record(demo, comanager_in, township):
    return draft(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])


def test_a_cut_upload_resumes_from_the_servers_offset_and_keeps_the_bytes_once(comanager_in, api_token, record):
    headers = api_token(comanager_in)
    data = _bytes(jpeg("teal", (900, 600)))
    client = Client()
    first = start(client, headers, record_id=record.pk, data=data)
    assert first.status_code == 201 and first.json()["offset"] == 0 and first["Upload-Offset"] == "0"
    upload_id = first.json()["id"]
    assert chunk(client, headers, upload_id, data[:1000], 0).json()["offset"] == 1000
    # The link is cut; the phone starts the same upload again and asks the offset.
    again = start(client, headers, record_id=record.pk, data=data, upload_id=upload_id)
    assert again.status_code == 200 and again.json()["offset"] == 1000
    head = client.head(f"/api/uploads/{upload_id}", **headers)
    assert head.status_code == 200 and head["Upload-Offset"] == "1000" and head["Upload-Length"] == str(len(data))
    assert partial_size(Upload.objects.get(pk=upload_id)) == 1000
    # A chunk sent from the wrong place is refused with the offset held.
    wrong = chunk(client, headers, upload_id, data[500:900], 500)
    assert wrong.status_code == 409 and wrong["Upload-Offset"] == "1000"
    assert "1000" in wrong.json()["detail"] and "继续" in wrong.json()["detail"]
    done = chunk(client, headers, upload_id, data[1000:], 1000)
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["complete"] and body["offset"] == len(data)
    photo = Photo.objects.get(inspection=record)
    assert body["result"]["id"] == str(photo.pk) and photo.sha256 == hashlib.sha256(data).hexdigest()
    assert (photo.width, photo.height) == (900, 600)
    assert not partial_chunks(Upload.objects.get(pk=upload_id))
    assert not [p for p in Path(photo.image.storage.location, PARTIAL_DIR).rglob("*") if p.is_file()]
    # The last chunk repeated (its answer lost), the upload started again
    # after it finished (its row pruned): still one photo, the phone's.
    assert chunk(client, headers, upload_id, data[1000:], 1000).json()["result"]["id"] == str(photo.pk)
    assert photo.client_id == uuid.UUID(upload_id)
    Upload.objects.filter(pk=upload_id).delete()
    resent = start(client, headers, record_id=record.pk, data=data, upload_id=upload_id)
    assert resent.json()["complete"] and resent.json()["result"]["id"] == str(photo.pk)
    assert Photo.objects.filter(inspection=record).count() == 1


def test_two_photos_of_the_same_bytes_are_two_photos_of_the_record(comanager_in, api_token, record):
    """Issue 20: evidence is kept per slot (the phone's id of each photo),
    never merged by content: a photo chosen twice counts twice, as the
    phone counted it when it checked the record."""
    headers = api_token(comanager_in)
    data = _bytes(jpeg("teal", (300, 200)))
    made = []
    for _ in range(2):
        body = start(Client(), headers, record_id=record.pk, data=data).json()
        made.append(chunk(Client(), headers, body["id"], data, 0).json()["result"]["id"])
    photos = Photo.objects.filter(inspection=record)
    assert photos.count() == 2 and set(made) == {str(p.pk) for p in photos}
    assert {p.client_id for p in photos} == {u.pk for u in Upload.objects.all()}


def test_a_damaged_upload_starts_again_from_zero(comanager_in, api_token, record):
    headers = api_token(comanager_in)
    data = _bytes(jpeg("olive", (300, 200)))
    upload_id = start(Client(), headers, record_id=record.pk, data=data).json()["id"]
    damaged = bytes([data[0] ^ 1]) + data[1:]
    response = chunk(Client(), headers, upload_id, damaged, 0)
    assert response.status_code == 422 and "损坏" in response.json()["detail"]
    assert Upload.objects.get(pk=upload_id).offset == 0
    assert Photo.objects.count() == 0
    assert chunk(Client(), headers, upload_id, data, 0).json()["complete"] is True
    assert Photo.objects.filter(inspection=record).count() == 1


@pytest.mark.parametrize("who", ["bureau", "dh1", "cg2"])
def test_another_users_upload_is_404_and_unchanged(demo, comanager_in, api_token, record, who):
    data = _bytes(jpeg("navy", (300, 200)))
    upload_id = start(Client(), api_token(comanager_in), record_id=record.pk, data=data).json()["id"]
    theirs = api_token(demo.users[who])
    assert Client().head(f"/api/uploads/{upload_id}", **theirs).status_code == 404
    assert Client().get(f"/api/uploads/{upload_id}", **theirs).status_code == 404
    assert chunk(Client(), theirs, upload_id, data, 0).status_code == 404
    assert Upload.objects.get(pk=upload_id).offset == 0 and Photo.objects.count() == 0


@pytest.mark.parametrize("who,status", [("cg1", 201), ("inst", 201), ("bureau", 403), ("city", 403), ("dh1", 404)])
def test_an_upload_starts_only_for_a_record_the_user_may_add_to(demo, api_token, record, who, status):
    """Found by the route sweep: the county leader and the prefecture, who may
    only read an inspection, could start an upload and send its bytes; only
    attaching the finished file was refused."""
    data = _bytes(jpeg("navy", (300, 200)))
    response = start(Client(), api_token(demo.users[who]), record_id=record.pk, data=data)
    assert response.status_code == status
    assert Upload.objects.count() == (1 if status == 201 else 0)


def test_bad_uploads_are_refused_in_chinese(comanager_in, api_token, record):
    headers = api_token(comanager_in)
    big = start(Client(), headers, record_id=record.pk, data=b"x", length=21 * 1024 * 1024)
    assert big.status_code == 422 and "20 MB" in big.json()["detail"]
    wrong_type = start(Client(), headers, record_id=record.pk, data=b"x", content_type="application/pdf")
    assert wrong_type.status_code == 422 and "JPEG" in wrong_type.json()["detail"]
    upload_id = start(Client(), headers, record_id=record.pk, data=b"abc").json()["id"]
    no_offset = Client().patch(
        f"/api/uploads/{upload_id}", b"abc", content_type="application/offset+octet-stream", **headers
    )
    assert no_offset.status_code == 400 and "Upload-Offset" in no_offset.json()["detail"]
    json_body = Client().patch(
        f"/api/uploads/{upload_id}", b"abc", content_type="application/json", HTTP_UPLOAD_OFFSET="0", **headers
    )
    assert json_body.status_code == 415
    too_long = chunk(Client(), headers, upload_id, b"abcd", 0)
    assert too_long.status_code == 422
    not_a_photo = chunk(Client(), headers, upload_id, b"abc", 0)
    assert not_a_photo.status_code == 422 and "照片" in not_a_photo.json()["detail"]
    assert Photo.objects.count() == 0


def test_a_signature_through_an_upload_is_kept_once(demo, comanager_in, api_token, record):
    headers = api_token(comanager_in)
    data = _bytes(png("black"))
    for _ in range(2):
        response = start(
            Client(),
            headers,
            record_id=record.pk,
            data=data,
            target="inspection_signature",
            content_type="image/png",
            role="inspector",
            user_id=str(comanager_in.pk),
        )
        body = response.json()
        if not body["complete"]:
            body = chunk(Client(), headers, body["id"], data, 0).json()
        assert body["complete"]
    signatures = Signature.objects.filter(inspection=record)
    assert signatures.count() == 1 and signatures.get().user == comanager_in
    assert signatures.get().sha256 == hashlib.sha256(data).hexdigest()


def test_two_inspectors_with_the_same_drawing_both_sign(demo, comanager_in, api_token, record):
    """Issue 20: the second inspector's signature, the same image as the
    first's, was taken for the first's and the submit answered 422 for
    good. A signature is kept per signer, never matched across people."""
    headers = api_token(comanager_in)
    data = _bytes(png("black"))
    made = {}
    for person in (comanager_in, demo.users["cg2"], demo.users["cg2"]):
        body = start(
            Client(),
            headers,
            record_id=record.pk,
            data=data,
            target="inspection_signature",
            content_type="image/png",
            role="inspector",
            user_id=str(person.pk),
        ).json()
        if not body["complete"]:
            body = chunk(Client(), headers, body["id"], data, 0).json()
        made.setdefault(person.username, set()).add(body["result"]["id"])
    signatures = Signature.objects.filter(inspection=record, role="inspector")
    assert sorted(signatures.values_list("user__username", flat=True)) == ["cg1", "cg2"]
    assert {s.sha256 for s in signatures} == {hashlib.sha256(data).hexdigest()}
    # Each answered with their own, and cg2's second send (a retry) with the one held.
    assert made == {s.user.username: {str(s.pk)} for s in signatures}
    # One upload id stands for one signer: the same id for another person is refused.
    upload = Upload.objects.filter(meta__user_id=str(comanager_in.pk)).first()
    reused = start(
        Client(),
        headers,
        record_id=record.pk,
        data=data,
        target="inspection_signature",
        content_type="image/png",
        role="inspector",
        user_id=str(demo.users["cg2"].pk),
        upload_id=upload.pk,
    )
    assert reused.status_code == 422 and Signature.objects.filter(inspection=record).count() == 2


def test_a_report_photo_goes_through_an_upload(demo, comanager_in, api_token):
    report, _created = report_create(
        actor=comanager_in,
        id=uuid.uuid4(),
        category="drinking_water",
        found_at=timezone.now() - datetime.timedelta(hours=1),
        place="水井",
        content="井水浑浊",
        affected_count=0,
    )
    headers = api_token(comanager_in)
    data = _bytes(jpeg("teal", (2000, 1500)))
    upload_id = start(Client(), headers, record_id=report.pk, data=data, target="report_photo").json()["id"]
    for offset in range(0, len(data), 4096):
        last = chunk(Client(), headers, upload_id, data[offset : offset + 4096], offset)
    assert last.json()["complete"]
    photo = ReportPhoto.objects.get(report=report)
    assert photo.sha256 == hashlib.sha256(data).hexdigest() and max(photo.width, photo.height) == 1600


def test_submit_twice_answers_the_submitted_record(demo, comanager_in, api_token, record):
    from xieguan.inspections.tests.factories import submitted

    done = submitted(
        comanager_in, plain_unit(demo.townships[0], name="城关茶馆"), inspectors=[comanager_in, demo.users["cg2"]]
    )
    response = Client().post(f"/api/inspections/{done.pk}/submit", **api_token(comanager_in))
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert Inspection.objects.get(pk=done.pk).status == InspectionStatus.SUBMITTED


def test_prune_removes_expired_uploads_and_stray_partials(comanager_in, api_token, record, media):
    headers = api_token(comanager_in)
    data = _bytes(jpeg("navy", (300, 200)))
    old_id = start(Client(), headers, record_id=record.pk, data=data).json()["id"]
    chunk(Client(), headers, old_id, data[:100], 0)
    new_id = start(Client(), headers, record_id=record.pk, data=data[:-1] + b"\0").json()["id"]
    chunk(Client(), headers, new_id, data[:100], 0)
    Upload.objects.filter(pk=old_id).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    stray = media / PARTIAL_DIR / "stray.part"
    stray.write_bytes(b"x")
    orphan = media / PARTIAL_DIR / str(uuid.uuid4()) / "000000000000.part"
    orphan.parent.mkdir()
    orphan.write_bytes(b"y")
    call_command("prune_uploads", stdout=open("/dev/null", "w"))
    assert list(Upload.objects.values_list("pk", flat=True)) == [uuid.UUID(new_id)]
    left = sorted(str(p.relative_to(media / PARTIAL_DIR)) for p in (media / PARTIAL_DIR).rglob("*") if p.is_file())
    assert left == [f"{new_id}/000000000000.part"]


def test_openapi_describes_the_bootstrap_etag_and_the_upload_protocol(demo):
    doc = Client().get("/api/openapi.json").json()
    boot = doc["paths"]["/api/field/bootstrap"]["get"]
    assert any(p["name"] == "If-None-Match" and p["in"] == "header" for p in boot["parameters"])
    assert "304" in boot["responses"] and "ETag" in boot["responses"]["304"]["headers"]
    assert "ETag" in boot["responses"]["200"]["headers"]
    assert "colleagues" in doc["components"]["schemas"]["BootstrapOut"]["properties"]
    uploads = doc["paths"]["/api/uploads"]["post"]
    assert {"200", "201", "422"} <= set(uploads["responses"])
    item = doc["paths"]["/api/uploads/{upload_id}"]
    assert {"head", "get", "patch"} <= set(item)
    patch = item["patch"]
    assert any(p["name"] == "Upload-Offset" and p["required"] for p in patch["parameters"])
    assert "application/offset+octet-stream" in patch["requestBody"]["content"]
    assert {"200", "409", "415"} <= set(patch["responses"])
    assert "Upload-Offset" in patch["responses"]["409"]["headers"]
    assert "Upload-Offset" in item["head"]["responses"]["200"]["headers"]
    conflict = doc["paths"]["/api/reports"]["post"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/ConflictOut")
