"""Issue 20's outbox journey (items 2 and 6): cg1 records an inspection on
the phone with 刘志强 (cg2), whose signature is the same drawing as cg1's —
the case that once dropped the second signature as a duplicate and stuck
the record for good. While the phone was offline from the server's rules,
the checklist came to ask for three photos, so the server refuses the
submit mid-sync, after the record, its photos and signatures went through.
The outbox shows that once, in Chinese with the form's own word for the
field, as a link that opens the record there; "send now" changes nothing
until it is fixed; a third photo is added on the phone and the record is
sent, each piece once. Sending asks first, because it locks the record."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_field_journey import _big_photo, _draw, _in_page, _open_field, _restore_seeded_rows
from xieguan.demo.county import DEMO_PASSWORD, load_county

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIGNATURE_SHAS = """async (id) => {
    const db = await new Promise((ok, no) => { const q = indexedDB.open('xieguan-field-' +
        document.getElementById('field').dataset.user, 1); q.onsuccess = () => ok(q.result); q.onerror = () => no(q.error); });
    const get = (store, key) => new Promise((ok, no) => { const q = db.transaction(store).objectStore(store).get(key);
        q.onsuccess = () => ok(q.result); q.onerror = () => no(q.error); });
    const rec = await get('records', id);
    const out = {};
    for (const key of Object.keys(rec.signatures)) {
        const stored = await get('photos', rec.signatures[key]);
        const digest = await crypto.subtle.digest('SHA-256', await stored.blob.arrayBuffer());
        out[key] = Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
    }
    return out;
}"""


def test_the_same_signature_and_a_refusal_mid_sync_end_in_one_submitted_record(journey, tmp_path, settings):
    from xieguan.core.models import AuditEvent
    from xieguan.field.models import Upload
    from xieguan.inspections.models import Inspection, InspectionStatus, OverallResult, Photo, Signature
    from xieguan.inspections.services.checklists import checklist_for
    from xieguan.inspections.tests.factories import plain_unit

    settings.MEDIA_ROOT = tmp_path / "media"
    _restore_seeded_rows()
    demo = load_county()
    unit = plain_unit(demo.townships[0], name="城关清泉浴室")
    checklist = checklist_for(unit)
    items = list(checklist.items.order_by("sort"))
    photos = [tmp_path / f"{name}.jpg" for name in ("front", "inside", "back")]
    for path, colour in zip(photos, ("olive", "teal", "maroon"), strict=True):
        _big_photo(path, colour)

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    _open_field(cg1)
    page = cg1.page
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    api: list[tuple[str, str, str]] = []
    page.on(
        "request",
        lambda r: api.append((r.method, r.url.split("/api", 1)[1], r.post_data or "")) if "/api/" in r.url else None,
    )

    page.click("button[data-new=inspection]")
    page.wait_for_selector("#inspection:not([hidden])")
    record_id = page.evaluate("location.hash.split('/')[1]")
    page.fill("#inspection [data-unit-search]", "清泉")
    page.select_option("#inspection [name=unit_id]", str(unit.pk))
    expect(page.locator("#inspection [data-checklist] li")).to_have_count(len(items))
    # Each item numbered once, by its own code, as on the web page.
    expect(page.locator("#inspection [data-checklist] li p").first).to_have_text(f"{items[0].code}. {items[0].text}")
    expect(page.locator("#inspection [data-photos-rule]")).to_have_text("（至少 2 张）")
    page.select_option("#inspection [name=second_id]", str(demo.users["cg2"].pk))
    for item in items:
        page.check(f"#inspection input[name='ans-{item.pk}'][value=conforms]")
    # The web page's words for the result.
    results = page.locator("#inspection [name=overall_result] option")
    assert results.all_inner_texts()[1:] == [str(label) for label in OverallResult.labels]
    page.select_option("#inspection [name=overall_result]", "conforming")
    page.set_input_files("#inspection [data-photos]", [str(p) for p in photos[:2]])
    expect(page.locator("#inspection [data-thumbs] img")).to_have_count(2)
    # Both inspectors sign with the same stroke: the same image.
    _draw(cg1, "#inspection [data-sign=me] canvas", 8)
    _draw(cg1, "#inspection [data-sign=second] canvas", 8)
    page.fill("#inspection [name=representative]", "赵老板")
    _draw(cg1, "#inspection [data-sign=rep] canvas", 5)
    for _wait in range(50):  # the last stroke is kept a moment after it ends
        shas = _in_page(page, SIGNATURE_SHAS, record_id)
        if len(shas) == 3:
            break
        page.wait_for_timeout(100)
    assert shas["me"] == shas["second"] != shas["rep"], shas
    cg1.shot("filled-same-signature-twice")

    # Meanwhile the checklist came to ask for three photos; the phone still
    # holds the rule of two it loaded, so its own check lets the record go.
    type(checklist).objects.filter(pk=checklist.pk).update(photos_required=3)
    cg1.refuses("/submit", 422)
    page.click("#inspection button[type=submit]")
    assert len(dialogs) == 1 and "锁定" in dialogs[0]
    row = page.locator(f"#outbox li[data-id='{record_id}']")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=attention]", timeout=60000)
    problem = row.locator(".problems a")
    message = "照片：本检查表要求至少 3 张照片，本记录现有 2 张。"
    expect(problem).to_have_count(1)
    expect(problem).to_have_text(message)
    assert row.inner_text().count("本检查表要求") == 1 and "photos" not in row.inner_text()
    cg1.shot("refused-mid-sync-once-in-chinese")

    # Everything before the submit went through: the same drawing stands for both inspectors.
    record = Inspection.objects.get()
    assert str(record.pk) == record_id and record.status == InspectionStatus.DRAFT
    signed = Signature.objects.filter(inspection=record, role="inspector")
    assert sorted(s.user.username for s in signed) == ["cg1", "cg2"] and len({s.sha256 for s in signed}) == 1
    assert Photo.objects.filter(inspection=record).count() == 2

    # "Send now" tries again and says the same, once: it needs the fix.
    with page.expect_response(lambda r: r.url.endswith("/submit")):
        page.click("#sync")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=attention]", timeout=30000)
    expect(problem).to_have_count(1)
    expect(problem).to_have_text(message)
    cg1.shot("send-now-still-needs-the-fix")

    # The link opens the record at the photos; what the server holds stays fixed.
    problem.click()
    page.wait_for_selector("#inspection:not([hidden])")
    expect(page).to_have_url(re.compile(f"#inspection/{record_id}$"))
    expect(page.locator("#inspection [data-photos]")).to_have_class(re.compile("invalid"))
    expect(page.locator("#inspection [data-error]")).to_contain_text(message)
    expect(page.locator("#inspection [data-photos-rule]")).to_have_text("（至少 3 张）")
    assert page.locator("#inspection [name=unit_id]").is_disabled()
    assert page.locator("#inspection [name=problems]").is_enabled()
    expect(page.locator("#inspection [data-thumbs] button")).to_have_count(0)  # sent photos stay
    cg1.shot("opened-at-the-photos")
    page.set_input_files("#inspection [data-photos]", str(photos[2]))
    expect(page.locator("#inspection [data-thumbs] img")).to_have_count(3)
    expect(page.locator("#inspection [data-thumbs] button")).to_have_count(1)
    page.click("#inspection button[type=submit]")
    assert len(dialogs) == 2
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=sent]", timeout=60000)
    expect(row.locator(".problems")).to_have_count(0)
    cg1.shot("fixed-and-sent-once")

    record.refresh_from_db()
    assert record.status == InspectionStatus.SUBMITTED and Inspection.objects.count() == 1
    assert Photo.objects.filter(inspection=record).count() == 3
    assert Signature.objects.filter(inspection=record).count() == 3
    assert AuditEvent.objects.filter(action="inspection.create").count() == 1
    assert AuditEvent.objects.filter(action="inspection.submit").count() == 1
    assert Upload.objects.filter(completed_at__isnull=True).count() == 0
    # Sent once: one create, each photo and signature started once, three submits (two refused).
    assert [m for m, path, _b in api if m == "POST" and path == "/inspections"] == ["POST"]
    started = [json.loads(body)["id"] for m, path, body in api if m == "POST" and path == "/uploads"]
    assert len(started) == len(set(started)) == 6
    assert sum(1 for m, path, _b in api if m == "POST" and path.endswith("/submit")) == 3
