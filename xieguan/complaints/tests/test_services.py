import datetime

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from xieguan.complaints import services
from xieguan.complaints.calendar import add_working_days
from xieguan.complaints.guard import captcha_check, captcha_new
from xieguan.complaints.models import RECEIPT_ALPHABET, Complaint, ComplaintSettings, Status, StepKind
from xieguan.complaints.selectors import possible_duplicates
from xieguan.complaints.tests.conftest import ANSWER, file_public
from xieguan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_public_filing_gives_receipt_and_hashed_pin_and_accept_deadline(demo):
    filed = file_public(demo.townships[0])
    c = filed.complaint
    assert len(c.receipt) == 8 and set(c.receipt) <= set(RECEIPT_ALPHABET)
    assert filed.pin.isdigit() and len(filed.pin) == 6
    assert c.pin_hash != filed.pin and check_password(filed.pin, c.pin_hash)
    assert c.status == Status.REGISTERED and c.channel == "web" and c.is_anonymous
    today = timezone.localtime(c.registered_at).date()
    assert c.due_on == add_working_days(demo.county, today, 3)
    assert list(c.steps.values_list("kind", flat=True)) == [StepKind.REGISTERED]


def test_anonymous_keeps_no_contact_even_if_typed(demo):
    c = file_public(demo.townships[0], is_anonymous=True, name="李四", phone="13800000000").complaint
    assert (c.complainant_name, c.complainant_phone) == ("", "")


def test_audit_log_never_holds_the_complainant(demo, named_complaint):
    event = AuditEvent.objects.get(object_id=str(named_complaint.complaint.pk), action="complaint.file")
    assert "13912345678" not in str(event.changes) and "张三丰" not in str(event.changes)
    assert "pin_hash" not in event.changes


def test_wrong_captcha_refused_in_chinese_and_nothing_made(demo, fixed_captcha):
    token = captcha_new().token
    with pytest.raises(ValidationError) as exc:
        services.complaint_file_public(
            ip="10.0.0.2",
            captcha_token=token,
            captcha_answer="WRONG",
            township=demo.townships[0],
            category="food",
            content="饭店后厨有老鼠",
        )
    assert exc.value.message_dict["captcha_answer"] == ["图中的字符不对，请输入新的字符。"]
    assert Complaint.objects.count() == 0


def test_captcha_is_single_use_and_case_insensitive(fixed_captcha):
    token = captcha_new().token
    assert captcha_check(token, ANSWER.lower())
    assert not captcha_check(token, ANSWER)
    assert not captcha_check("forged", ANSWER)


def test_no_content_and_no_township_named_per_field(demo, fixed_captcha):
    token = captcha_new().token
    with pytest.raises(ValidationError) as exc:
        services.complaint_file_public(
            ip="10.0.0.3", captcha_token=token, captcha_answer=ANSWER, township=None, category="", content="  "
        )
    errors = exc.value.message_dict
    assert errors["content"] == ["此项必填。"]
    assert "township" in errors and "category" in errors
    assert Complaint.objects.count() == 0


def test_rate_limit_per_address(demo, settings):
    settings.COMPLAINTS_SUBMIT_LIMIT = 2
    file_public(demo.townships[0], ip="10.9.9.9")
    file_public(demo.townships[0], ip="10.9.9.9")
    with pytest.raises(services.RateLimited) as exc:
        file_public(demo.townships[0], ip="10.9.9.9")
    assert "太多" in exc.value.message
    assert Complaint.objects.count() == 2
    file_public(demo.townships[0], ip="10.9.9.10")  # another address is not held back
    assert Complaint.objects.count() == 3


def test_wrong_pin_rate_limited_even_for_the_right_one_after(demo, settings, named_complaint):
    settings.COMPLAINTS_PIN_FAILURE_LIMIT = 3
    receipt = named_complaint.complaint.receipt_display.lower()
    assert services.complaint_by_receipt(ip="1.1.1.1", receipt=receipt, pin=named_complaint.pin).pk
    for _i in range(3):
        with pytest.raises(ValidationError) as exc:
            services.complaint_by_receipt(ip="1.1.1.1", receipt=receipt, pin="000000")
        assert exc.value.message_dict["pin"] == ["回执码或查询密码不正确。"]
    with pytest.raises(services.RateLimited):
        services.complaint_by_receipt(ip="1.1.1.1", receipt=receipt, pin=named_complaint.pin)
    # another address still fails on the receipt's own counter
    with pytest.raises(services.RateLimited):
        services.complaint_by_receipt(ip="2.2.2.2", receipt=receipt, pin=named_complaint.pin)


def test_whole_flow_accept_transfer_result_reply_reopen_archive(demo, named_complaint):
    c = named_complaint.complaint
    cg1, inst = demo.users["cg1"], demo.users["inst"]
    services.complaint_accept(actor=cg1, complaint=c)
    assert c.status == Status.ACCEPTED and c.handler_institution == cg1.institution
    assert c.due_on == add_working_days(demo.county, timezone.localdate(), 15)
    assert set(c.handlers.all()) == {cg1}
    services.complaint_transfer(actor=cg1, complaint=c, note="涉及无证行医，移交监督所")
    assert c.status == Status.TRANSFERRED and c.handler_institution == demo.institute
    assert set(c.handlers.all()) == {cg1, inst}  # 城关镇's responsible supervisor
    services.complaint_record_result(actor=inst, complaint=c, result="已责令整改")
    assert c.status == Status.RESULT and c.due_on == add_working_days(demo.county, timezone.localdate(), 3)
    services.complaint_reply(actor=inst, complaint=c, reply="经查属实，已责令该店整改。")
    assert c.status == Status.REPLIED and c.due_on is None
    services.complaint_reopen(complaint=c, reason="没有整改")
    assert c.status == Status.TRANSFERRED and c.reopen_count == 1 and c.due_on is not None
    services.complaint_record_result(actor=inst, complaint=c, result="复查已整改")
    services.complaint_reply(actor=inst, complaint=c, reply="复查已整改完毕。")
    services.complaint_archive(actor=inst, complaint=c)
    assert c.status == Status.ARCHIVED
    kinds = list(c.steps.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [
        "registered",
        "accepted",
        "transferred",
        "result",
        "replied",
        "reopened",
        "result",
        "replied",
        "archived",
    ]


def test_reopen_refused_after_the_window(demo, named_complaint):
    c = named_complaint.complaint
    cg1 = demo.users["cg1"]
    ComplaintSettings.objects.create(county=demo.county, reopen_days=5)
    services.complaint_accept(actor=cg1, complaint=c)
    services.complaint_record_result(actor=cg1, complaint=c, result="已整改")
    services.complaint_reply(actor=cg1, complaint=c, reply="已整改")
    late = timezone.localdate() + datetime.timedelta(days=6)
    with pytest.raises(ValidationError) as exc:
        services.complaint_reopen(complaint=c, reason="不满意", today=late)
    assert "重新提出的期限已于" in exc.value.message_dict["reason"][0]
    c.refresh_from_db()
    assert c.status == Status.REPLIED and c.reopen_count == 0


def test_not_accepted_needs_a_reason(demo, named_complaint):
    c = named_complaint.complaint
    with pytest.raises(ValidationError):
        services.complaint_not_accept(actor=demo.users["cg1"], complaint=c, reason=" ")
    services.complaint_not_accept(
        actor=demo.users["cg1"], complaint=c, reason="不属于卫生监督职责，请向市场监管部门反映"
    )
    assert c.status == Status.NOT_ACCEPTED and c.due_on is None


def test_outsider_cannot_touch_and_nothing_changes(demo, named_complaint):
    c = named_complaint.complaint
    with pytest.raises(Http404):
        services.complaint_accept(actor=demo.users["dh1"], complaint=c)
    with pytest.raises(PermissionDenied):
        services.complaint_accept(actor=demo.users["city"], complaint=c)
    c.refresh_from_db()
    assert c.status == Status.REGISTERED and c.handlers.count() == 0


def test_only_those_handling_record_the_result(demo, named_complaint):
    c = named_complaint.complaint
    services.complaint_accept(actor=demo.users["cg1"], complaint=c)
    with pytest.raises(PermissionDenied):
        services.complaint_record_result(actor=demo.users["inst"], complaint=c, result="x")
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED and c.result == ""


def test_contact_seen_by_the_handler_only_and_each_view_audited(demo, named_complaint):
    c = named_complaint.complaint
    services.complaint_accept(actor=demo.users["cg1"], complaint=c)
    seen = services.complaint_contact_for(actor=demo.users["cg1"], complaint=c)
    assert (seen.name, seen.phone, seen.visible) == ("张三丰", "13912345678", True)
    assert (
        AuditEvent.objects.filter(action="complaint.view_contact", object_id=str(c.pk), actor=demo.users["cg1"]).count()
        == 1
    )
    for username in ("cg2", "inst", "bureau"):
        masked = services.complaint_contact_for(actor=demo.users[username], complaint=c)
        assert masked.phone == "139****5678" and masked.name == "张**" and not masked.visible
    assert AuditEvent.objects.filter(action="complaint.view_contact").count() == 1


def test_duplicates_suggested_for_same_unit_and_category_within_30_days(demo):
    from xieguan.units.models import Category, Unit

    unit = Unit.objects.create(name="红星饭店", area=demo.townships[0], category=Category.objects.get(code="food"))
    first = file_public(demo.townships[0], unit=unit).complaint
    second = file_public(demo.townships[0], unit=unit).complaint
    other_category = file_public(demo.townships[0], unit=unit, category="drinking_water").complaint
    old = file_public(demo.townships[0], unit=unit).complaint
    Complaint.objects.filter(pk=old.pk).update(registered_at=timezone.now() - datetime.timedelta(days=40))
    cg1 = demo.users["cg1"]
    assert possible_duplicates(cg1, second) == [first]
    assert other_category not in possible_duplicates(cg1, first)
    assert possible_duplicates(demo.users["dh1"], second) == []
    services.complaint_link_duplicate(actor=cg1, complaint=second, original=first)
    assert second.status == Status.DUPLICATE and second.duplicate_of == first and second.due_on is None


def test_staff_registration_is_idempotent_and_the_registrar_handles(demo):
    import uuid

    cg1 = demo.users["cg1"]
    key = uuid.uuid4()
    kwargs = dict(
        actor=cg1,
        township=demo.townships[0],
        category="public_place",
        content="宾馆床单不换洗",
        channel="phone",
        name="王五",
        phone="13700001111",
        id=key,
    )
    filed, c, created = services.complaint_register(**kwargs)
    assert created and filed is not None and c.channel == "phone" and not c.is_anonymous
    again, c2, created2 = services.complaint_register(**kwargs)
    assert not created2 and again is None and c2.pk == c.pk
    assert Complaint.objects.count() == 1
    assert services.is_handler(cg1, c)
    with pytest.raises(ValidationError):
        services.complaint_register(**{**kwargs, "id": uuid.uuid4(), "channel": "web"})


@override_settings(COMPLAINTS_CAPTCHA_FIXED=None)
def test_captcha_default_is_random_and_not_fixed():
    from django.conf import settings as s

    assert s.COMPLAINTS_CAPTCHA_FIXED is None
    assert not captcha_check(captcha_new().token, ANSWER)


def _prepared(colour="red"):
    import io

    from PIL import Image

    from xieguan.core.photos import prepare_photo

    buf = io.BytesIO()
    Image.new("RGB", (300, 200), colour).save(buf, format="JPEG")
    buf.seek(0)
    return prepare_photo(buf)


def test_kept_photos_of_abandoned_forms_are_pruned_and_fresh_ones_kept(demo, django_capture_on_commit_callbacks):
    from pathlib import Path

    from xieguan.complaints.models import PendingUpload
    from xieguan.complaints.tasks import pending_photos_prune

    owner = services.pending_owner_key("visitor")
    old, fresh = services.pending_uploads_keep(owner=owner, photos=[_prepared("red"), _prepared("blue")])
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    old_file = Path(old.image.path)
    with django_capture_on_commit_callbacks(execute=True):
        assert pending_photos_prune() == 1
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not old_file.exists()
    assert fresh.image.storage.exists(fresh.image.name)
    gone = AuditEvent.objects.get(action="pending_upload.discard", object_id=str(old.pk))
    assert gone.object_type == "complaints.pendingupload" and "owner" not in gone.changes
    assert services.pending_uploads_for(owner=owner, ids=f"{old.pk},{fresh.pk}") == [fresh]


def test_kept_photos_are_found_only_by_their_owner_and_only_by_id(demo):
    owner = services.pending_owner_key("visitor")
    (kept,) = services.pending_uploads_keep(owner=owner, photos=[_prepared()])
    assert kept.image.name.startswith("complaints/pending/") and kept.image.name.endswith(".jpg")
    assert services.pending_uploads_for(owner=owner, ids=str(kept.pk)) == [kept]
    assert services.pending_uploads_for(owner=services.pending_owner_key("another"), ids=str(kept.pk)) == []
    assert services.pending_uploads_for(owner=owner, ids=kept.image.name) == []
    assert services.pending_uploads_for(owner=owner, ids="complaints/pending/../../outreach/x.jpg") == []
    assert services.pending_upload_photos([kept])[0].sha256 == kept.sha256
