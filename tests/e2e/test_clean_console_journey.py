"""Issue 20 finding 9: a page with the unit picker raised
htmx:evalDisallowedError on every load (its trigger filter
keydown[key=='Enter'] needs eval, which the CSP refuses). cg1 opens the
inspection pages with the picker's search box, searches by pinyin initials
and presses Enter: the units show, the form is not sent, and the journey's
fixture fails on any console error of any page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from xieguan.core import pickers as widgets  # the unit picker is a core SearchPicker
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.units.tests.factories import make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_inspection_pages_and_the_unit_search_log_no_console_error(journey, monkeypatch):
    demo = load_county()
    make_unit(demo.users["cg1"], demo.villages[1], name="红星酒店")
    monkeypatch.setattr(widgets, "LIST_ALL_UP_TO", 0)  # the search box, as a county with many units has
    cg1 = journey(PHONE)
    cg1.login("cg1", DEMO_PASSWORD)
    for path in ("/inspections/", "/inspections/due/", "/inspections/register/"):
        cg1.goto(path)
        cg1.page.wait_for_load_state("networkidle")
    cg1.goto("/inspections/new/")
    search = cg1.page.locator("#id_unit_q")
    expect(search).to_be_visible()
    cg1.page.wait_for_load_state("networkidle")
    assert cg1.page_errors() == [], "a page logged an error on load"
    search.fill("hxjd")
    search.press("Enter")
    expect(cg1.page.locator("#id_unit_results")).to_contain_text("红星")
    assert cg1.page.url.endswith("/inspections/new/"), "Enter sent the form"
    cg1.shot("unit-search")
