"""Issue 10's journey: cg1 opens the field app with a signal, loses it,
records an information report with a photo and starts a publicity record,
closes the page, opens it again with no signal and finds both; the signal
returns and the report arrives once, its photo compressed on the phone; a
forced resend makes nothing twice. cun1 files a report offline the same way."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.outreach.models import Outreach, OutreachPhoto
from xieguan.reports.models import Report, ReportPhoto

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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


def _wait_for_worker(j: Any) -> None:
    j.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    j.page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)


def _reopen(j: Any) -> None:
    """Close the page and open a new one in the same browser profile."""
    j.page.close()
    j.page = j.context.new_page()
    j.page.on("request", j._check_request)
    j.page.on("console", lambda m: j.console_errors.append(m.text) if m.type == "error" else None)
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
    cg1.page.evaluate(
        """async (id) => {
            const db = await new Promise(r => { const q = indexedDB.open('xieguan-field-' +
                document.getElementById('field').dataset.user, 1); q.onsuccess = () => r(q.result); });
            const rec = await new Promise(r => { const q = db.transaction('records').objectStore('records').get(id);
                q.onsuccess = () => r(q.result); });
            rec.state = 'waiting'; rec.created = false; rec.photos.forEach(p => { p.sent = false; });
            await new Promise(r => { const t = db.transaction('records', 'readwrite');
                t.objectStore('records').put(rec); t.oncomplete = r; });
        }""",
        report_id,
    )
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
