"""Issue 10's journey: cg1 opens the field app with a signal, loses it,
records an information report with a photo and starts a publicity record,
closes the page, opens it again with no signal and finds both; the signal
returns and the report arrives once, its photo compressed on the phone; a
forced resend makes nothing twice. cun1 files a report offline the same way."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.outreach.models import Outreach, OutreachPhoto
from xieguan.reports.models import Report, ReportPhoto

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _restore_seeded_rows() -> None:
    """A transactional test earlier in the run may have flushed the rows the
    data migrations made (as the inspection and report journeys guard too)."""
    from importlib import import_module

    from django.apps import apps

    from xieguan.reports.defaults import seed_default_categories
    from xieguan.reports.models import ReportCategory
    from xieguan.units.models import Category

    if not Category.objects.exists():
        import_module("xieguan.units.migrations.0002_seed_categories").seed(apps, None)
    seed_default_categories(ReportCategory)


def _big_photo(path: Any, colour: str) -> None:
    """A noisy 3000×2000 JPEG well over 300 KB, as a phone camera makes."""
    import random

    image = Image.new("RGB", (3000, 2000), colour)
    rng = random.Random(7)
    pixels = image.load()
    for _ in range(120_000):
        x, y = rng.randrange(3000), rng.randrange(2000)
        pixels[x, y] = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    assert len(buffer.getvalue()) > 300 * 1024


def _open_field(j: Any) -> None:
    j.goto("/m/")
    j.page.wait_for_selector("#field[data-ready]")


WORKER_READY = """() => Promise.race([
  navigator.serviceWorker.ready.then(() => true),
  new Promise((resolve) => setTimeout(() => resolve(false), 20000)),
])"""


# Not page.wait_for_function: its predicate is a string the page must eval,
# which our Content Security Policy refuses (it failed the run now and then).
WORKER_CONTROLS = """() => navigator.serviceWorker.controller !== null || new Promise((resolve) => {
  navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true));
  setTimeout(() => resolve(navigator.serviceWorker.controller !== null), 15000);
})"""


def _wait_for_worker(j: Any) -> None:
    """Until the service worker controls the page. A worker whose install
    lost a request to the busy test server never becomes ready, and waiting
    on ``ready`` alone would hang the run: give it 20 s, then load the page
    again once (the browser retries the install), then fail plainly."""
    for attempt in (1, 2):
        if j.page.evaluate(WORKER_READY):
            break
        assert attempt == 1, "the field app's service worker never became ready"
        _open_field(j)
    assert j.page.evaluate(WORKER_CONTROLS), "the service worker does not control the page"


def _reopen(j: Any) -> None:
    """Close the page and open a new one in the same browser profile."""
    j.page.close()
    j.page = j.context.new_page()
    j.watch(j.page)
    _open_field(j)


def _file_report_offline(j: Any, photo: Any, *, place: str, content: str) -> str:
    j.page.click("button[data-new=report]")
    j.page.wait_for_selector("#report:not([hidden])")
    j.page.fill("#report [name=place]", place)
    j.page.fill("#report [name=content]", content)
    j.page.set_input_files("#report [data-photos]", str(photo))
    j.page.wait_for_selector("#report [data-thumbs] img")
    record_id = j.page.evaluate("location.hash.split('/')[1]")
    return record_id


def test_cg1_records_offline_and_the_report_arrives_once(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    _restore_seeded_rows()
    load_county()
    photo = tmp_path / "well.jpg"
    _big_photo(photo, "olive")

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    _open_field(cg1)
    _wait_for_worker(cg1)
    assert cg1.page.locator("#net:not(.off)").count() == 1
    cg1.shot("online-home")

    cg1.context.set_offline(True)
    cg1.page.wait_for_selector("#net.off")
    report_id = _file_report_offline(
        cg1, photo, place="李家村东头水井旁", content="村民反映井水浑浊有异味，疑似污染，已提醒暂停饮用"
    )
    cg1.shot("offline-report-with-photo")
    cg1.page.click("#report button[type=submit]")
    cg1.page.wait_for_selector(f"#outbox li[data-id='{report_id}'][data-state=waiting]")
    assert "等待发送" in cg1.page.inner_text(f"#outbox li[data-id='{report_id}']")

    # A publicity record left as a draft half-typed.
    cg1.page.click("button[data-new=outreach]")
    cg1.page.wait_for_selector("#outreach:not([hidden])")
    cg1.page.fill("#outreach [name=theme]", "冬季饮用水安全宣传")
    draft_id = cg1.page.evaluate("location.hash.split('/')[1]")
    cg1.shot("offline-publicity-draft")

    _reopen(cg1)
    body = cg1.page.inner_text("#outbox")
    assert "草稿" in body and "等待发送" in body
    assert "冬季饮用水安全宣传" in body
    assert Report.objects.count() == 0
    cg1.shot("reopened-offline-outbox")
    cg1.page.click(f"#outbox li[data-id='{draft_id}'] a")
    # The draft is read back from IndexedDB after the click: wait for it.
    expect(cg1.page.locator("#outreach [name=theme]")).to_have_value("冬季饮用水安全宣传")
    cg1.page.click("#outreach a.secondary")

    cg1.context.set_offline(False)
    cg1.page.wait_for_selector(f"#outbox li[data-id='{report_id}'][data-state=sent]", timeout=30000)
    cg1.shot("online-sent")
    report = Report.objects.get(pk=report_id)
    assert report.reporter.username == "cg1"
    assert report.place == "李家村东头水井旁"
    assert Report.objects.count() == 1
    photos = list(ReportPhoto.objects.filter(report=report))
    assert len(photos) == 1
    stored = photos[0].image.read()
    assert len(stored) <= 300 * 1024
    with Image.open(io.BytesIO(stored)) as kept:
        assert max(kept.size) == 1600

    # A forced resend of everything: the server answers with what it has.
    _in_page(cg1.page, FORGET_ACKS, report_id)
    cg1.page.click("#sync")
    cg1.page.wait_for_selector(f"#outbox li[data-id='{report_id}'][data-state=sent]", timeout=30000)
    assert Report.objects.count() == 1
    assert ReportPhoto.objects.count() == 1
    cg1.shot("resent-nothing-twice")

    # The publicity draft, finished online, goes through the outreach API.
    cg1.page.click(f"#outbox li[data-id='{draft_id}'] a")
    cg1.page.fill("#outreach [name=place]", "城关镇李家村村委会")
    cg1.page.fill("#outreach [name=audience_count]", "42")
    cg1.page.set_input_files("#outreach [data-photos]", str(photo))
    cg1.page.wait_for_selector("#outreach [data-thumbs] img")
    cg1.page.click("#outreach button[type=submit]")
    cg1.page.wait_for_selector(f"#outbox li[data-id='{draft_id}'][data-state=sent]", timeout=30000)
    record = Outreach.objects.get(pk=draft_id)
    assert (record.theme, record.audience_count, record.area.name) == ("冬季饮用水安全宣传", 42, "城关镇")
    assert OutreachPhoto.objects.filter(outreach=record).count() == 1
    cg1.shot("publicity-sent")


def test_cun1_files_a_report_offline(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    _restore_seeded_rows()
    demo = load_county()
    photo = tmp_path / "clinic.jpg"
    _big_photo(photo, "navy")

    cun1 = journey(PHONE, "cun1")
    cun1.login("cun1", DEMO_PASSWORD)
    cun1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    _open_field(cun1)
    _wait_for_worker(cun1)
    cun1.context.set_offline(True)
    cun1.page.wait_for_selector("#net.off")
    report_id = _file_report_offline(cun1, photo, place="李家村卫生室", content="村卫生室发现无证行医人员")
    cun1.shot("cun1-offline-report")
    cun1.page.click("#report button[type=submit]")
    cun1.page.wait_for_selector(f"#outbox li[data-id='{report_id}'][data-state=waiting]")
    _reopen(cun1)
    cun1.shot("cun1-reopened-offline")
    cun1.context.set_offline(False)
    cun1.page.wait_for_selector(f"#outbox li[data-id='{report_id}'][data-state=sent]", timeout=30000)
    cun1.shot("cun1-sent")
    report = Report.objects.get(pk=report_id)
    assert report.reporter == demo.users["cun1"]
    assert report.area.name == "李家村"
    assert ReportPhoto.objects.filter(report=report).count() == 1


def _draw(j: Any, selector: str, wiggle: int) -> None:
    """A signature drawn with the pointer on a canvas."""
    j.page.locator(selector).scroll_into_view_if_needed()
    box = j.page.locator(selector).bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    j.page.mouse.move(x, y)
    j.page.mouse.down()
    for step in range(1, 12):
        j.page.mouse.move(x + step * 22, y + (wiggle if step % 2 else -wiggle), steps=2)
    j.page.mouse.up()


PHONE_SHA = """async (id) => {
    const db = await new Promise(r => { const q = indexedDB.open('xieguan-field-' +
        document.getElementById('field').dataset.user, 1); q.onsuccess = () => r(q.result); q.onerror = () => r(Promise.reject(q.error)); });
    const get = (store, key) => new Promise(r => { const q = db.transaction(store).objectStore(store).get(key);
        q.onsuccess = () => r(q.result); q.onerror = () => r(Promise.reject(q.error)); });
    const rec = await get('records', id);
    const out = [];
    for (const p of rec.photos) {
        const stored = await get('photos', p.id);
        const digest = await crypto.subtle.digest('SHA-256', await stored.blob.arrayBuffer());
        out.push(Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join(''));
    }
    return out;
}"""

FORGET_ACKS = """async (id) => {
    const db = await new Promise(r => { const q = indexedDB.open('xieguan-field-' +
        document.getElementById('field').dataset.user, 1); q.onsuccess = () => r(q.result); q.onerror = () => r(Promise.reject(q.error)); });
    const rec = await new Promise(r => { const q = db.transaction('records').objectStore('records').get(id);
        q.onsuccess = () => r(q.result); q.onerror = () => r(Promise.reject(q.error)); });
    rec.state = 'waiting'; rec.created = false; rec.steps = {}; rec.photos.forEach(p => { p.sent = false; });
    await new Promise(r => { const t = db.transaction('records', 'readwrite');
        t.objectStore('records').put(rec); t.oncomplete = r; t.onabort = () => r(Promise.reject(t.error)); });
}"""


def _in_page(page: Any, script: str, arg: Any, seconds: int = 20) -> Any:
    """Run an async script in the page, failing after ``seconds``: Playwright's
    evaluate has no timeout, and an IndexedDB request that never answers
    would otherwise hang the whole run (CI once stopped at its 90 minutes)."""
    bounded = (
        f"(arg) => Promise.race([({script})(arg), new Promise((_, no) => "
        f"setTimeout(() => no(new Error('page script timed out')), {seconds * 1000}))])"
    )
    return page.evaluate(bounded, arg)


def test_cg1_records_an_inspection_offline_with_photos_and_signatures(journey, tmp_path, settings):
    import hashlib

    from xieguan.field.models import Upload
    from xieguan.inspections.models import Inspection, InspectionStatus, Photo, Signature
    from xieguan.inspections.services.checklists import checklist_for
    from xieguan.inspections.tests.factories import plain_unit

    settings.MEDIA_ROOT = tmp_path / "media"
    _restore_seeded_rows()
    demo = load_county()
    for n in range(5):
        plain_unit(demo.townships[0], name=f"城关第{n}旅馆")
    unit = plain_unit(demo.townships[0], name="城关红星浴室")
    items = list(checklist_for(unit).items.order_by("sort"))
    assert items
    photos = [tmp_path / "front.jpg", tmp_path / "inside.jpg"]
    _big_photo(photos[0], "olive")
    _big_photo(photos[1], "teal")

    cg1 = journey(PHONE, "cg1")
    cg1.context.grant_permissions(["geolocation"])
    cg1.context.set_geolocation({"latitude": 30.0003, "longitude": 120.0002, "accuracy": 12})
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    _open_field(cg1)
    _wait_for_worker(cg1)

    cg1.context.set_offline(True)
    cg1.page.wait_for_selector("#net.off")
    page = cg1.page
    page.click("button[data-new=inspection]")
    page.wait_for_selector("#inspection:not([hidden])")
    record_id = page.evaluate("location.hash.split('/')[1]")
    page.fill("#inspection [data-unit-search]", "红星")
    expect(page.locator("#inspection [name=unit_id] option")).to_have_count(2)  # "—" and the one match
    page.select_option("#inspection [name=unit_id]", str(unit.pk))
    expect(page.locator("#inspection [data-checklist] li")).to_have_count(len(items))
    page.select_option("#inspection [name=second_id]", str(demo.users["cg2"].pk))
    page.click("#inspection [data-gps]")
    expect(page.locator("#inspection [data-gps-status]")).to_contain_text("±12 m")
    for item in items:
        page.check(f"#inspection input[name='ans-{item.pk}'][value=conforms]")
    page.select_option("#inspection [name=overall_result]", "conforming")
    page.set_input_files("#inspection [data-photos]", [str(p) for p in photos])
    expect(page.locator("#inspection [data-thumbs] img")).to_have_count(2)
    _draw(cg1, "#inspection [data-sign=me] canvas", 8)
    _draw(cg1, "#inspection [data-sign=second] canvas", 14)
    page.fill("#inspection [name=representative]", "王经理")
    _draw(cg1, "#inspection [data-sign=rep] canvas", 5)
    cg1.shot("offline-inspection-filled")
    # Sending submits and locks it: the phone asks first (issue 20).
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("#inspection button[type=submit]")
    assert asked and "锁定" in asked[0]
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=waiting]")

    report_photo = tmp_path / "well.jpg"
    _big_photo(report_photo, "navy")
    report_id = _file_report_offline(cg1, report_photo, place="红星浴室后门", content="污水直排村边沟渠")
    page.click("#report button[type=submit]")
    page.wait_for_selector(f"#outbox li[data-id='{report_id}'][data-state=waiting]")
    cg1.shot("offline-outbox-inspection-and-report")

    _reopen(cg1)
    page = cg1.page
    assert "城关红星浴室" in page.inner_text("#outbox")
    assert Inspection.objects.count() == 0
    cg1.shot("reopened-offline")

    # The link is cut in the middle of the first photo's upload: one chunk
    # after the first is aborted; the next try continues from the offset.
    patches: list[tuple[str, str]] = []
    cut: list[str] = []

    def route(route: Any) -> None:
        request = route.request
        if request.method == "PATCH":
            offset = request.headers.get("upload-offset", "")
            patches.append((request.url.rsplit("/", 1)[1], offset))
            if not cut and offset not in ("", "0"):
                cut.append(request.url.rsplit("/", 1)[1])
                route.abort()
                return
        route.continue_()

    page.route("**/api/uploads/*", route)
    cg1.cuts("/api/uploads/")
    expect(page.locator("#due")).to_contain_text(unit.name)
    cg1.context.set_offline(False)
    page.wait_for_selector(f"#outbox li[data-id='{report_id}'][data-state=sent]", timeout=60000)
    if page.locator(f"#outbox li[data-id='{record_id}'][data-state=sent]").count() == 0:
        page.click("#sync")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=sent]", timeout=60000)
    # Once sent, the unit leaves "due this month" without reloading the page.
    expect(page.locator("#due")).not_to_contain_text(unit.name)
    cg1.shot("online-both-sent")
    assert cut, "no upload chunk was cut"
    offsets = [int(o) for uid, o in patches if uid == cut[0]]
    assert offsets.count(0) == 1, f"the cut upload started again from zero: {offsets}"
    assert offsets == sorted(offsets)

    inspection = Inspection.objects.get()
    assert str(inspection.pk) == record_id and inspection.status == InspectionStatus.SUBMITTED
    assert inspection.unit == unit and float(inspection.accuracy_m) == 12.0
    assert inspection.distance_m is not None and inspection.distance_m < 100
    assert set(inspection.inspector_links.values_list("user__username", flat=True)) == {"cg1", "cg2"}
    assert Signature.objects.filter(inspection=inspection).count() == 3
    assert inspection.representative == "王经理"
    kept = list(Photo.objects.filter(inspection=inspection))
    assert len(kept) == 2
    phone_sha = _in_page(page, PHONE_SHA, record_id)
    assert sorted(p.sha256 for p in kept) == sorted(phone_sha)
    for p in kept:
        with Image.open(p.image.path) as img:
            assert max(img.size) <= 1600
    assert Report.objects.filter(pk=report_id).count() == 1
    assert ReportPhoto.objects.filter(report_id=report_id).count() == 1
    assert hashlib.sha256(b"").hexdigest() not in phone_sha
    assert Upload.objects.filter(completed_at__isnull=True).count() == 0
    # Each photo went with the fix the phone held (issue 25 item 6), to be stamped on it.
    photo_uploads = list(Upload.objects.filter(target="inspection_photo"))
    assert len(photo_uploads) == 2
    assert all(
        (u.meta["latitude"], u.meta["longitude"], u.meta["accuracy_m"]) == (30.0003, 120.0002, 12)
        for u in photo_uploads
    )

    # A forced retry of every step creates nothing twice.
    _in_page(page, FORGET_ACKS, record_id)
    page.click("#sync")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=sent]", timeout=60000)
    assert Inspection.objects.count() == 1
    assert Photo.objects.count() == 2 and Signature.objects.count() == 3
    cg1.shot("forced-retry-nothing-twice")

    # The record is in the unit file, with its photos.
    cg1.goto(f"/units/{unit.pk}/")
    # (its record line counts them; the photo section shows them, issue 25)
    expect(page.locator("#file-records")).to_contain_text("2张照片")
    expect(page.locator("#file-photos img")).to_have_count(2)
    cg1.shot("unit-file")
    page.click(f"a[href='/inspections/{record_id}/']")
    expect(page.locator(".photos img")).to_have_count(2, timeout=10000)
    # The photos are served (scoped) and decode: each image has its pixels.
    for n in range(2):
        img = page.locator(".photos img").nth(n)
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("i => i.naturalWidth") > 0
    # The hash of each original, as the phone computed it, is on the record page.
    for sha in phone_sha:
        expect(page.locator("#photo-hashes")).to_contain_text(sha)
    cg1.shot("inspection-detail")


def test_a_conflict_shows_both_versions_and_the_phone_chooses(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    _restore_seeded_rows()
    load_county()
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    _open_field(cg1)
    page = cg1.page
    page.click("button[data-new=outreach]")
    page.wait_for_selector("#outreach:not([hidden])")
    record_id = page.evaluate("location.hash.split('/')[1]")
    page.fill("#outreach [name=place]", "城关镇文化站")
    page.fill("#outreach [name=theme]", "夏季食品卫生")
    page.fill("#outreach [name=audience_count]", "30")
    page.click("#outreach button[type=submit]")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=sent]", timeout=30000)
    # Changed on the server meanwhile; the phone's answer was lost, so it sends again.
    Outreach.objects.filter(pk=record_id).update(theme="夏季饮用水卫生", audience_count=45)
    cg1.refuses("/api/outreach", 409)
    _in_page(page, FORGET_ACKS, record_id)
    page.click("#sync")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=attention]", timeout=30000)
    cg1.shot("conflict-needs-attention")
    page.click(f"#outbox li[data-id='{record_id}'] a")
    compare = page.locator("#outreach [data-compare]")
    expect(compare.locator("tr.differs")).to_have_count(2)
    expect(compare.locator("tr[data-field=theme] td").nth(0)).to_have_text("夏季饮用水卫生")
    expect(compare.locator("tr[data-field=theme] td").nth(1)).to_have_text("夏季食品卫生")
    expect(compare.locator("tr[data-field=place]")).not_to_have_class("differs")
    expect(compare.locator("tr[data-field=form] td").nth(0)).not_to_have_text(re.compile(r"^[a-z_]+$"))
    cg1.shot("conflict-both-versions")
    page.click("#outreach [data-resolve=mine]")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=sent]", timeout=30000)
    record = Outreach.objects.get(pk=record_id)
    assert (record.theme, record.audience_count) == ("夏季食品卫生", 30)
    assert Outreach.objects.count() == 1
    cg1.shot("conflict-mine-sent")
