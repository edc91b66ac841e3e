import io
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from xieguan.complaints import services
from xieguan.complaints.models import Complaint, ComplaintPhoto, Status
from xieguan.complaints.tests.conftest import ANSWER, file_public
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries

pytestmark = pytest.mark.django_db


def _jpeg(name="p.jpg", size=(800, 600)):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.BytesIO()
    Image.new("RGB", size, "teal").save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def _token(html: str) -> str:
    return re.search(r'name="captcha_token" value="([^"]+)"', html).group(1)


def _post_data(demo, token, **extra):
    data = {
        "township": str(demo.townships[0].pk),
        "category": "food",
        "content": "红星饭店后厨有老鼠",
        "is_anonymous": "on",
        "captcha_token": token,
        "captcha_answer": ANSWER,
    }
    data.update(extra)
    return data


def test_public_page_needs_no_login_and_files_with_receipt_and_pin(demo, fixed_captcha):
    c = Client()
    page = c.get("/complaints/new")
    assert page.status_code == 200 and "投诉举报" in page.content.decode()
    r = c.post("/complaints/new", _post_data(demo, _token(page.content.decode()), photos=[_jpeg()]))
    assert r.status_code == 302
    shown = c.get(r["Location"]).content.decode()
    complaint = Complaint.objects.get()
    assert complaint.receipt_display in shown
    pin = re.search(r'id="pin">(\d{6})<', shown).group(1)
    assert services.complaint_by_receipt(ip="x", receipt=complaint.receipt, pin=pin).pk == complaint.pk
    assert complaint.photos.count() == 1
    # The PIN is shown once.
    assert c.get("/complaints/new/filed").status_code == 302


def test_wrong_captcha_keeps_what_was_typed_and_the_photo(demo, fixed_captcha):
    c = Client()
    token = _token(c.get("/complaints/new").content.decode())
    r = c.post(
        "/complaints/new",
        _post_data(demo, token, captcha_answer="XXXXX", place="城关镇东街 12 号", photos=[_jpeg()]),
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "图中的字符不对" in html and "红星饭店后厨有老鼠" in html and "城关镇东街 12 号" in html
    assert Complaint.objects.count() == 0
    kept = re.search(r'name="kept_photos" value="([^"]+)"', html).group(1)
    assert 'id="kept-photos"' in html
    r = c.post("/complaints/new", _post_data(demo, _token(html), kept_photos=kept))
    assert r.status_code == 302
    assert ComplaintPhoto.objects.filter(complaint=Complaint.objects.get()).count() == 1


def test_photo_too_big_refused_in_chinese_text_kept(demo, fixed_captcha, monkeypatch):
    monkeypatch.setattr("xieguan.core.photos.MAX_PHOTO_BYTES", 1000)
    c = Client()
    token = _token(c.get("/complaints/new").content.decode())
    r = c.post("/complaints/new", _post_data(demo, token, photos=[_jpeg()]))
    html = r.content.decode()
    assert r.status_code == 400 and "20 MB" in html and "红星饭店后厨有老鼠" in html
    assert Complaint.objects.count() == 0


def test_public_rate_limit_answers_429_in_chinese(demo, fixed_captcha, settings):
    settings.COMPLAINTS_SUBMIT_LIMIT = 1
    c = Client()
    c.post("/complaints/new", _post_data(demo, _token(c.get("/complaints/new").content.decode())))
    r = c.post("/complaints/new", _post_data(demo, _token(c.get("/complaints/new").content.decode())))
    assert r.status_code == 429 and "太多" in r.content.decode() and "红星饭店后厨有老鼠" in r.content.decode()
    assert Complaint.objects.count() == 1


def test_unit_search_returns_names_only_of_the_township(demo):
    from xieguan.units.models import Category, Unit

    food = Category.objects.get(code="food")
    Unit.objects.create(name="红星饭店", area=demo.townships[0], category=food, phone="13011112222", address="秘密路")
    Unit.objects.create(name="红星旅社", area=demo.townships[1], category=food)
    Unit.objects.create(name="红星歇业店", area=demo.townships[0], category=food, status="closed")
    html = Client().get("/complaints/new/units", {"township": demo.townships[0].pk, "unit_q": "红星"}).content.decode()
    assert "红星饭店" in html and "红星旅社" not in html and "红星歇业店" not in html
    assert "13011112222" not in html and "秘密路" not in html


def test_public_unit_search_finds_pinyin_initials_of_any_word(demo):
    """Issue 20 finding 8 on the public page: ``fskcd`` finds 城关丰收快餐店."""
    from xieguan.units.models import Category, Unit

    food = Category.objects.get(code="food")
    Unit.objects.create(name="城关丰收快餐店", area=demo.townships[0], category=food)
    Unit.objects.create(name="河东丰收快餐店", area=demo.townships[1], category=food)
    html = Client().get("/complaints/new/units", {"township": demo.townships[0].pk, "unit_q": "fskcd"}).content.decode()
    assert "城关丰收快餐店" in html and "河东丰收快餐店" not in html


def test_track_wrong_pin_then_right_pin_shows_steps(demo):
    filed = file_public(demo.townships[0])
    c = Client()
    r = c.post("/complaints/track", {"receipt": filed.complaint.receipt_display, "pin": "999999"})
    assert r.status_code == 400 and "回执码或查询密码不正确" in r.content.decode()
    r = c.post("/complaints/track", {"receipt": filed.complaint.receipt.lower(), "pin": filed.pin}, follow=True)
    html = r.content.decode()
    assert filed.complaint.receipt_display in html and "已登记" in html
    assert filed.complaint.due_on.isoformat() in html


def test_track_shows_reply_and_reopen_works(demo):
    filed = file_public(demo.townships[0])
    cg1 = demo.users["cg1"]
    complaint = filed.complaint
    services.complaint_accept(actor=cg1, complaint=complaint)
    services.complaint_record_result(actor=cg1, complaint=complaint, result="已责令整改")
    services.complaint_reply(actor=cg1, complaint=complaint, reply="经查属实，已责令整改。")
    c = Client()
    html = c.post("/complaints/track", {"receipt": complaint.receipt, "pin": filed.pin}, follow=True).content.decode()
    assert "经查属实，已责令整改。" in html and "王秀兰" not in html
    r = c.post("/complaints/track/reopen", {"reason": ""})
    assert r.status_code == 400 and "此项必填" in r.content.decode()
    r = c.post("/complaints/track/reopen", {"reason": "还是有老鼠"}, follow=True)
    complaint.refresh_from_db()
    assert complaint.status == Status.ACCEPTED and complaint.reopen_count == 1
    assert "还是有老鼠" in r.content.decode()


def test_track_add_information(demo):
    filed = file_public(demo.townships[0])
    c = Client()
    c.post("/complaints/track", {"receipt": filed.complaint.receipt, "pin": filed.pin})
    r = c.post("/complaints/track/add", {"text": "晚上十点后更严重", "photos": [_jpeg()]}, follow=True)
    assert "晚上十点后更严重" in r.content.decode()
    assert filed.complaint.photos.count() == 1


def test_detail_inside_and_above(login, named_complaint, inside_or_above):
    r = login(inside_or_above).get(f"/complaints/{named_complaint.complaint.pk}/")
    assert r.status_code == 200


def test_complainant_phone_only_for_the_handler(demo, login, named_complaint):
    c = named_complaint.complaint
    services.complaint_accept(actor=demo.users["cg1"], complaint=c)
    url = f"/complaints/{c.pk}/"
    assert "13912345678" in login(demo.users["cg1"]).get(url).content.decode()
    assert AuditEvent.objects.filter(action="complaint.view_contact", actor=demo.users["cg1"]).count() == 1
    for username in ("cg2", "inst", "bureau"):
        html = login(demo.users[username]).get(url).content.decode()
        assert "13912345678" not in html and "张三丰" not in html and "139****5678" in html
    assert "13912345678" not in login(demo.users["dh1"]).get(url).content.decode()
    assert AuditEvent.objects.filter(action="complaint.view_contact").count() == 1


def test_list_scoped_never_shows_the_complainant(demo, login, named_complaint):
    html = login(demo.users["cg1"]).get("/complaints/").content.decode()
    listed = html.split('id="complaints"')[1]
    # Neither the phone nor its masked form nor the name: the list needs none of them.
    # (Not a bare "139", which a random UUID or CSRF token in the page may contain.)
    assert named_complaint.complaint.receipt_display in html
    assert "13912345678" not in listed and "139****5678" not in listed and "张三丰" not in listed
    assert (
        named_complaint.complaint.receipt_display not in login(demo.users["dh1"]).get("/complaints/").content.decode()
    )


def test_list_shows_past_then_near_deadlines_first(demo, login):
    today = timezone.localdate()
    made = [file_public(demo.townships[0]).complaint for _i in range(3)]
    far, past, near = made
    Complaint.objects.filter(pk=far.pk).update(due_on=today + timezone.timedelta(days=30))
    Complaint.objects.filter(pk=past.pk).update(due_on=today - timezone.timedelta(days=1))
    Complaint.objects.filter(pk=near.pk).update(due_on=today)
    html = login(demo.users["bureau"]).get("/complaints/").content.decode()
    positions = [html.index(c.receipt_display) for c in (past, near, far)]
    assert positions == sorted(positions)
    assert "已过期限" in html and "临近期限" in html


def test_list_query_count_constant(demo, login):
    client = login(demo.users["bureau"])
    file_public(demo.townships[0])
    assert_constant_queries(
        lambda: client.get("/complaints/?status=all"),
        lambda: [file_public(demo.townships[i % 2]) for i in range(5)],
        exactly=11,
    )


def test_export_has_no_complainant(demo, login, named_complaint):
    import openpyxl

    services.complaint_accept(actor=demo.users["cg1"], complaint=named_complaint.complaint)
    r = login(demo.users["cg1"]).get("/complaints/export.xlsx?status=all")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    cells = " ".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row if v)
    assert named_complaint.complaint.receipt_display in cells
    assert "13912345678" not in cells and "张三丰" not in cells and "人民路" not in cells


def test_actions_through_the_page_with_refusal_keeping_text(demo, login, named_complaint):
    c = named_complaint.complaint
    cg1 = login(demo.users["cg1"])
    assert cg1.post(f"/complaints/{c.pk}/accept/").status_code == 302
    r = cg1.post(f"/complaints/{c.pk}/reply/", {"rp-reply": "还没有结果就回复"})
    html = r.content.decode()
    assert r.status_code == 400 and "该环节与投诉当前状态不符" in html and "还没有结果就回复" in html
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED and c.reply == ""
    r = cg1.post(f"/complaints/{c.pk}/result/", {"rs-result": ""})
    assert r.status_code == 400 and "此项必填" in r.content.decode()
    cg1.post(f"/complaints/{c.pk}/result/", {"rs-result": "已整改"})
    cg1.post(f"/complaints/{c.pk}/reply/", {"rp-reply": "已整改完毕"})
    c.refresh_from_db()
    assert c.status == Status.REPLIED and c.reply == "已整改完毕"
    # dh1 cannot act on it at all
    assert login(demo.users["dh1"]).post(f"/complaints/{c.pk}/archive/").status_code == 404


def test_staff_register_page_is_idempotent(demo, login):
    client = login(demo.users["cg1"])
    key = str(uuid.uuid4())
    data = {
        "id": key,
        "channel": "hotline_12345",
        "township": str(demo.townships[0].pk),
        "category": "drinking_water",
        "content": "自来水发黄有异味",
        "name": "赵六",
        "phone": "13600002222",
    }
    r1 = client.post("/complaints/register/", data)
    r2 = client.post("/complaints/register/", data)
    assert r1.status_code == 302 and r2.status_code == 302
    assert Complaint.objects.count() == 1 and Complaint.objects.get().channel == "hotline_12345"
    first = client.get(r1["Location"]).content.decode()
    assert "查询密码" in first and re.search(r"查询密码 \d{6}", first)
    assert "查询密码 " not in client.get(r1["Location"]).content.decode()  # shown once
    assert "pin" not in str(client.cookies.get("messages", ""))
    r = client.post("/complaints/register/", {**data, "id": str(uuid.uuid4()), "content": ""})
    assert r.status_code == 200 and "此项必填" in r.content.decode() and "赵六" in r.content.decode()


def test_unit_file_timeline_has_the_complaint_without_the_complainant(demo, login):
    from xieguan.units.models import Category, Unit

    unit = Unit.objects.create(name="红星饭店", area=demo.townships[0], category=Category.objects.get(code="food"))
    filed = file_public(demo.townships[0], unit=unit, is_anonymous=False, name="张三丰", phone="13912345678")
    services.complaint_accept(actor=demo.users["cg1"], complaint=filed.complaint)
    html = login(demo.users["cg1"]).get(f"/units/{unit.pk}/").content.decode()
    assert "投诉举报" in html and f"/complaints/{filed.complaint.pk}/" in html
    assert "13912345678" not in html and "张三丰" not in html


def test_photo_served_only_in_scope(demo, login):
    filed = file_public(demo.townships[0], photos=[])
    from xieguan.core.photos import prepare_photo

    services.complaint_add_info(complaint=filed.complaint, text="补充", photos=[prepare_photo(_jpeg())])
    photo = filed.complaint.photos.get()
    assert login(demo.users["cg2"]).get(f"/complaints/photos/{photo.pk}/").status_code == 200
    assert login(demo.users["dh1"]).get(f"/complaints/photos/{photo.pk}/").status_code == 404
    assert Client().get(f"/complaints/photos/{photo.pk}/").status_code == 302


def test_county_sets_time_limits_and_calendar_days(demo, login):
    import datetime

    from xieguan.complaints.calendar import add_working_days
    from xieguan.complaints.models import CalendarOverride, ComplaintSettings

    bureau = login(demo.users["bureau"])
    assert login(demo.users["cg1"]).get("/complaints/settings/").status_code == 403
    limits = {"form": "limits", "l-accept_days": "5", "l-handle_days": "20", "l-reply_days": "2"}
    r = bureau.post("/complaints/settings/", {**limits, "l-reopen_days": "0", "l-near_days": "2"})
    assert r.status_code == 200 and 'value="20"' in r.content.decode()  # refused, typed values kept
    assert not ComplaintSettings.objects.exists()
    bureau.post("/complaints/settings/", {**limits, "l-reopen_days": "30", "l-near_days": "1"})
    saved = ComplaintSettings.objects.get(county=demo.county)
    assert (saved.accept_days, saved.handle_days, saved.reopen_days) == (5, 20, 30)
    c = file_public(demo.townships[0]).complaint
    assert c.due_on == add_working_days(demo.county, timezone.localtime(c.registered_at).date(), 5)
    bureau.post("/complaints/settings/", {"form": "override", "o-date": "2099-01-03", "o-is_workday": "1"})
    row = CalendarOverride.objects.get(county=demo.county)
    assert row.date == datetime.date(2099, 1, 3) and row.is_workday
    assert (
        AuditEvent.objects.filter(object_type="complaints.calendaroverride", action="calendar_override.set").count()
        == 1
    )
    bureau.post("/complaints/settings/", {"form": "delete", "override": str(row.pk)})
    assert not CalendarOverride.objects.exists()


def test_bad_input_never_500(demo, fixed_captcha, login, named_complaint):
    c = Client()
    token = _token(c.get("/complaints/new").content.decode())
    r = c.post("/complaints/new", _post_data(demo, token, township="nonsense", unit="nonsense", village="x"))
    assert r.status_code == 400 and "请选择事情发生所在的乡镇" in r.content.decode()
    assert c.get("/complaints/new/villages", {"township": "nonsense"}).status_code == 200
    assert c.get("/complaints/new/units", {"township": "nonsense", "unit_q": "红"}).status_code == 200
    assert c.post("/complaints/track", {"receipt": "x" * 500, "pin": "1"}).status_code in (200, 400)
    assert c.get("/complaints/track/status").status_code == 302
    staff = login(demo.users["cg1"])
    pk = named_complaint.complaint.pk
    assert staff.post(f"/complaints/{pk}/link/", {"original": "nonsense"}).status_code == 404
    assert staff.post(f"/complaints/{pk}/unknown/").status_code == 302
    assert staff.get("/complaints/?after=garbage&status=weird").status_code == 200
    assert staff.get("/complaints/nonsense/").status_code == 404
    named_complaint.complaint.refresh_from_db()
    assert named_complaint.complaint.status == Status.REGISTERED


def test_staff_register_with_photo_kept_across_an_error(demo, login):
    client = login(demo.users["cg1"])
    data = {
        "id": str(uuid.uuid4()),
        "channel": "visit",
        "township": str(demo.townships[0].pk),
        "category": "school",
        "content": "",
        "name": "孙八",
        "phone": "13300004444",
    }
    r = client.post("/complaints/register/", {**data, "photos": [_jpeg()]})
    html = r.content.decode()
    assert r.status_code == 200 and "此项必填" in html and 'id="kept-photos"' in html
    kept = re.search(r'name="kept_photos" value="([^"]+)"', html).group(1)
    r = client.post("/complaints/register/", {**data, "content": "学校食堂无消毒柜", "kept_photos": kept})
    assert r.status_code == 302
    assert Complaint.objects.get().photos.count() == 1


# --- kept photos are named by the server (issue 17, finding 2) ----------------------


def _media_files(settings) -> dict[str, bytes]:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def evidence(demo, settings):
    """Files other records own: an outreach photo of 城关镇, an import
    workbook, and a photo of a complaint already filed."""
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    outreach = root / "outreach/2026/12/e3b0c44298fc1c14.jpg"
    outreach.parent.mkdir(parents=True)
    outreach.write_bytes(_jpeg(size=(40, 30)).read())
    workbook = root / "imports/units/2026/12/units.xlsx"
    workbook.parent.mkdir(parents=True)
    workbook.write_bytes(b"PK\x03\x04 a workbook")
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), "olive").save(buf, format="JPEG")
    buf.seek(0)
    from xieguan.core.photos import prepare_photo

    filed = file_public(demo.townships[1], photos=[prepare_photo(buf)])
    return {"complaint_photo": filed.complaint.photos.get()}


def _state():
    from xieguan.complaints.models import PendingUpload

    return (
        Complaint.objects.count(),
        ComplaintPhoto.objects.count(),
        PendingUpload.objects.count(),
        AuditEvent.objects.count(),
    )


def _forged_values(evidence):
    from django.core import signing

    traversal = [
        "complaints/pending/../../outreach/2026/12/e3b0c44298fc1c14.jpg",
        "complaints/pending/../../imports/units/2026/12/units.xlsx",
    ]
    # The old form's token, signed with the key anyone could read: it named files.
    forged = signing.dumps([[name, "0" * 64, 40, 30] for name in traversal], salt="xieguan.complaints.pending-photos")
    photo = evidence["complaint_photo"]
    return {
        "forged-signed-token": forged,
        "dot-dot-path": traversal[0],
        "another-records-file-name": photo.image.name,
        "another-records-id": str(photo.pk),
    }


@pytest.mark.parametrize(
    "which", ["forged-signed-token", "dot-dot-path", "another-records-file-name", "another-records-id"]
)
def test_a_kept_photos_value_naming_other_files_copies_and_deletes_nothing(
    demo, fixed_captcha, evidence, settings, which, django_capture_on_commit_callbacks
):
    value = _forged_values(evidence)[which]
    files, state = _media_files(settings), _state()
    c = Client()
    with django_capture_on_commit_callbacks(execute=True):
        token = _token(c.get("/complaints/new").content.decode())
        r = c.post("/complaints/new", _post_data(demo, token, captcha_answer="WRONG", kept_photos=value))
    assert r.status_code == 400 and 'id="kept-photos"' not in r.content.decode()
    assert _media_files(settings) == files
    assert _state() == state
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/complaints/new", _post_data(demo, _token(r.content.decode()), kept_photos=value))
    assert r.status_code == 302
    new = Complaint.objects.exclude(pk=evidence["complaint_photo"].complaint_id).get()
    assert new.photos.count() == 0
    assert _media_files(settings) == files


def test_a_kept_photo_replayed_from_another_session_is_neither_used_nor_deleted(
    demo, fixed_captcha, evidence, settings, django_capture_on_commit_callbacks
):
    from xieguan.complaints.models import PendingUpload

    owner = Client()
    token = _token(owner.get("/complaints/new").content.decode())
    r = owner.post("/complaints/new", _post_data(demo, token, captcha_answer="WRONG", photos=[_jpeg()]))
    owner_html = r.content.decode()
    kept = re.search(r'name="kept_photos" value="([^"]+)"', owner_html).group(1)
    pending = PendingUpload.objects.get()
    assert kept == str(pending.pk)

    files, state = _media_files(settings), _state()
    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        r = other.post(
            "/complaints/new",
            _post_data(
                demo, _token(other.get("/complaints/new").content.decode()), captcha_answer="X", kept_photos=kept
            ),
        )
        assert r.status_code == 400 and 'id="kept-photos"' not in r.content.decode()
        assert (_media_files(settings), _state()) == (files, state)
        r = other.post("/complaints/new", _post_data(demo, _token(r.content.decode()), kept_photos=kept))
    assert r.status_code == 302
    assert Complaint.objects.order_by("-registered_at").first().photos.count() == 0
    assert _media_files(settings) == files
    assert PendingUpload.objects.get() == pending

    # The visitor who kept it still sends it; then its record deletes its own file, audited.
    with django_capture_on_commit_callbacks(execute=True):
        r = owner.post("/complaints/new", _post_data(demo, _token(owner_html), kept_photos=kept))
    assert r.status_code == 302
    assert Complaint.objects.order_by("-registered_at").first().photos.count() == 1
    assert not PendingUpload.objects.exists()
    assert not any(name.startswith("complaints/pending/") for name in _media_files(settings))
    assert AuditEvent.objects.filter(action="pending_upload.discard", object_id=str(pending.pk)).count() == 1
