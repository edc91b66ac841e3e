"""Issue 23, item 3: a station visit (督导) recorded on the phone. 城关镇's
co-manager cg1 opens /m/ on a phone, loses the signal, records a visit to
one of the township's village stations, and sends it when the signal
returns: it arrives once (the create is idempotent on the phone's UUID, with
If-None-Match: *) and shows on the assessments' station visits page."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.test_field_journey import _open_field, _restore_seeded_rows
from xieguan.demo.county import DEMO_PASSWORD, load_county

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cg1_records_a_station_visit_offline_and_it_arrives_once(journey):
    from xieguan.assessments.models import StationVisit

    _restore_seeded_rows()
    demo = load_county()
    village = min((v for v in demo.villages if v.parent_id == demo.townships[0].pk), key=lambda v: v.path)
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    _open_field(cg1)
    page = cg1.page
    creates: list[dict] = []
    page.on(
        "request",
        lambda r: (
            creates.append({"body": json.loads(r.post_data or "{}"), "inm": r.headers.get("if-none-match")})
            if r.method == "POST" and r.url.endswith("/api/station-visits")
            else None
        ),
    )

    cg1.context.set_offline(True)
    page.wait_for_selector("#net.off")
    page.click("button[data-new=visit]")
    page.wait_for_selector("#visit:not([hidden])")
    record_id = page.evaluate("location.hash.split('/')[1]")
    form = "form[data-kind=visit]"
    options = page.locator(f"{form} select[name=area_id] option").all_inner_texts()
    assert village.name in options and demo.townships[1].name not in options
    page.select_option(f"{form} select[name=area_id]", label=village.name)
    page.select_option(f"{form} select[name=kind]", "quarterly")
    page.fill(f"{form} input[name=supervisors]", "王建国、刘志强")
    page.fill(f"{form} textarea[name=items]", "村卫生室协管台账、巡查记录")
    page.fill(f"{form} textarea[name=findings]", "巡查记录缺两次签名")
    page.fill(f"{form} input[name=score]", "86.5")
    cg1.shot("offline-visit-form")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=waiting]")
    assert "督导检查" in page.inner_text(f"#outbox li[data-id='{record_id}']")
    cg1.shot("offline-visit-waiting")
    assert StationVisit.objects.count() == 0

    cg1.context.set_offline(False)
    page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=sent]", timeout=30000)
    cg1.shot("online-visit-sent")
    visit = StationVisit.objects.get()
    assert str(visit.pk) == record_id and visit.area == village and visit.created_by == demo.users["cg1"]
    assert (visit.kind, visit.findings, str(visit.score)) == ("quarterly", "巡查记录缺两次签名", "86.50")
    assert creates and all(c["body"]["id"] == record_id and c["inm"] == "*" for c in creates)
    # Sending again (a lost answer's retry) changes nothing.
    page.click("#sync")
    page.wait_for_timeout(500)
    assert StationVisit.objects.count() == 1

    assert not cg1.page_errors()
    cg1.goto("/station-visits/")
    row = page.locator("#rows tr", has_text=village.name)
    assert row.count() == 1 and "王建国、刘志强" in row.inner_text() and "86.5" in row.inner_text()
    cg1.shot("assessments-visits-page")
