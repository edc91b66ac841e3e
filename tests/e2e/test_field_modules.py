"""Issue 18: the field app in ES modules. Every module loads with no console
error, and a warm start with no signal shows the outbox from the service
worker's cache and IndexedDB without one request reaching the network."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_field_journey import _open_field, _restore_seeded_rows, _wait_for_worker
from xieguan.demo.county import DEMO_PASSWORD, load_county

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _signed_in(journey: Any, viewport: dict[str, int], who: str) -> Any:
    j = journey(viewport, who)
    j.login(who, DEMO_PASSWORD)
    j.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return j


def test_every_field_module_loads_without_a_console_error(journey):
    _restore_seeded_rows()
    load_county()
    cg1 = _signed_in(journey, PHONE, "cg1")
    errors: list[str] = []
    cg1.page.on("pageerror", lambda e: errors.append(str(e)))
    scripts: dict[str, int] = {}
    cg1.page.on("response", lambda r: scripts.update({r.url: r.status}) if r.url.endswith(".js") else None)
    _open_field(cg1)
    for kind in ("inspection", "report", "outreach"):
        cg1.page.click(f"button[data-new={kind}]")
        cg1.page.wait_for_selector(f"#{kind}:not([hidden])")
        cg1.page.click(f"#{kind} a.secondary")
        cg1.page.wait_for_selector("#home:not([hidden])")
    loaded = {url.split("/static/", 1)[1] for url in scripts if "/static/" in url}
    assert {"field/main.js", "field/sync.js", "field/forms.js", "core/geo.js", "core/signature.js"} <= loaded
    assert set(scripts.values()) == {200}
    assert not errors and not cg1.console_errors, (errors, cg1.console_errors)

    # The desktop pages load the same GPS and signature modules.
    inst = _signed_in(journey, DESKTOP, "inst")
    inst.context.grant_permissions(["geolocation"])
    inst.context.set_geolocation({"latitude": 30.0003, "longitude": 120.0002, "accuracy": 12})
    inst.page.on("pageerror", lambda e: errors.append(str(e)))
    inst.goto("/inspections/new/")
    inst.page.click("[data-gps-button]")
    expect(inst.page.locator("[data-gps-status]")).to_have_text("±12 m")
    assert inst.page.input_value("[name=latitude]") == "30.000300"
    inst.goto("/reports/new/")
    assert inst.page.locator("[data-geolocate]").count() == 1
    assert not errors and not inst.console_errors, (errors, inst.console_errors)


def test_a_warm_start_offline_makes_no_network_request_before_the_list_is_shown(journey):
    _restore_seeded_rows()
    load_county()
    cg1 = _signed_in(journey, PHONE, "cg1")
    _open_field(cg1)
    _wait_for_worker(cg1)
    cg1.page.click("button[data-new=report]")
    cg1.page.wait_for_selector("#report:not([hidden])")
    cg1.page.fill("#report [name=place]", "李家村东头水井旁")
    draft = cg1.page.evaluate("location.hash.split('/')[1]")
    cg1.page.click("#report a.secondary")
    cg1.page.close()

    cg1.context.set_offline(True)
    requests: list[Any] = []
    cg1.context.on("request", lambda r: requests.append(r))
    cg1.page = cg1.context.new_page()
    cg1.page.on("console", lambda m: cg1.console_errors.append(m.text) if m.type == "error" else None)
    _open_field(cg1)
    assert cg1.page.locator(f"#outbox li[data-id='{draft}']").count() == 1
    shown = list(requests)
    cg1.shot("warm-start-offline")

    assert any(r.url.endswith("/static/field/main.js") for r in shown)
    # What the worker fetched itself went to the network; what the page
    # asked for must all have been answered by the worker from its cache.
    by_worker = [r.url for r in shown if r.service_worker is not None]
    not_from_cache = [r.url for r in shown if r.service_worker is None and not _from_worker(r)]
    assert by_worker == [] and not_from_cache == [], (by_worker, not_from_cache)


def _from_worker(request: Any) -> bool:
    response = request.response()
    return response is not None and response.from_service_worker
