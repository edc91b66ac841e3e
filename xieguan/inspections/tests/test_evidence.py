"""Issue 20 item 2: an inspection's evidence is kept once per record and
purpose — a photo once per the phone's id of it (its slot), a signature once
per signer — never matched by what the image looks like across people. A
retry of the same send makes nothing twice."""

import uuid

import pytest
from django.db import IntegrityError, transaction

from xieguan.inspections.models import Answer, InspectionStatus, Photo, Signature, SignerRole
from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
from xieguan.inspections.services.records import inspection_correct, inspection_save_draft, inspection_submit
from xieguan.inspections.tests.factories import draft, jpeg, plain_unit, png


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cg2(demo):
    return demo.users["cg2"]


@pytest.fixture
def record(demo, comanager_in, cg2, township):
    inspection = draft(comanager_in, plain_unit(township), inspectors=[comanager_in, cg2])
    inspection_save_draft(
        actor=comanager_in,
        inspection=inspection,
        answers={a.item_id: (Answer.CONFORMS, "") for a in inspection.answers.all()},
        overall_result="conforming",
        representative="张红星",
    )
    return inspection


def small_photo(color: str = "teal"):
    return jpeg(color, (64, 48))


def test_two_inspectors_whose_signatures_are_the_same_image_both_sign(comanager_in, cg2, record):
    first = signature_add(
        actor=comanager_in, inspection=record, role=SignerRole.INSPECTOR, user=comanager_in, upload=png()
    )
    second = signature_add(actor=comanager_in, inspection=record, role=SignerRole.INSPECTOR, user=cg2, upload=png())
    retried = signature_add(actor=comanager_in, inspection=record, role=SignerRole.INSPECTOR, user=cg2, upload=png())
    assert first.sha256 == second.sha256 and first.pk != second.pk and retried.pk == second.pk
    assert {s.user for s in Signature.objects.filter(inspection=record)} == {comanager_in, cg2}
    signature_add(actor=comanager_in, inspection=record, role=SignerRole.REPRESENTATIVE, refused=True)
    for _n in range(2):
        inspection_photo_add(actor=comanager_in, inspection=record, upload=small_photo(), client_id=uuid.uuid4())
    inspection_submit(actor=comanager_in, inspection=record)
    record.refresh_from_db()
    assert record.status == InspectionStatus.SUBMITTED
    # The phone's retry after the submit answers with what is held.
    again = signature_add(actor=comanager_in, inspection=record, role=SignerRole.INSPECTOR, user=cg2, upload=png())
    assert again.pk == second.pk and Signature.objects.filter(inspection=record).count() == 3


def test_a_photo_the_phone_named_is_kept_once_per_name_never_merged_by_content(comanager_in, record):
    slot_a, slot_b = uuid.uuid4(), uuid.uuid4()
    a, made_a = inspection_photo_add(actor=comanager_in, inspection=record, upload=small_photo(), client_id=slot_a)
    b, made_b = inspection_photo_add(actor=comanager_in, inspection=record, upload=small_photo(), client_id=slot_b)
    again, made_again = inspection_photo_add(
        actor=comanager_in, inspection=record, upload=small_photo(), client_id=slot_a
    )
    assert made_a and made_b and not made_again
    assert a.sha256 == b.sha256 and a.pk != b.pk and again.pk == a.pk
    assert (a.client_id, b.client_id) == (slot_a, slot_b)
    # A photo added on the web names no slot: the same bytes again are the photo held.
    web, made_web = inspection_photo_add(actor=comanager_in, inspection=record, upload=small_photo("olive"))
    web_again, made_web_again = inspection_photo_add(actor=comanager_in, inspection=record, upload=small_photo("olive"))
    assert made_web and not made_web_again and web_again.pk == web.pk and web.client_id is None
    assert Photo.objects.filter(inspection=record).count() == 3


def test_the_database_keeps_one_signature_per_signer_and_one_photo_per_slot(comanager_in, cg2, record):
    signature_add(actor=comanager_in, inspection=record, role=SignerRole.INSPECTOR, user=cg2, upload=png())
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(inspection=record, role=SignerRole.INSPECTOR, user=cg2, name="x")
    signature_add(actor=comanager_in, inspection=record, role=SignerRole.REPRESENTATIVE, refused=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(inspection=record, role=SignerRole.REPRESENTATIVE, name="y", refused=True)
    slot = uuid.uuid4()
    photo, _made = inspection_photo_add(actor=comanager_in, inspection=record, upload=small_photo(), client_id=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Photo.objects.create(
            area=record.area,
            inspection=record,
            image=photo.image.name,
            sha256="0" * 64,
            client_id=slot,
            uploaded_by=comanager_in,
        )


def test_a_correction_keeps_each_photo_and_its_slot(comanager_in, cg2, record):
    slots = [uuid.uuid4(), uuid.uuid4()]
    for slot in slots:
        inspection_photo_add(actor=comanager_in, inspection=record, upload=small_photo(), client_id=slot)
    for person in (comanager_in, cg2):
        signature_add(actor=comanager_in, inspection=record, role=SignerRole.INSPECTOR, user=person, upload=png())
    signature_add(actor=comanager_in, inspection=record, role=SignerRole.REPRESENTATIVE, refused=True)
    inspection_submit(actor=comanager_in, inspection=record)
    new = inspection_correct(actor=comanager_in, inspection=record, reason="地点写错")
    assert sorted(new.photos.values_list("client_id", flat=True)) == sorted(slots)
