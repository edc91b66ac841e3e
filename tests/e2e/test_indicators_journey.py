"""Issue 22's journey: bureau's county dashboard with the trend, the
ranking and the map; from 城关镇's 健康证持证率 to its station, a unit and the
certificate that expired; city sees the counties ranked; cg1 reads the
township dashboard on a phone (390 px, nothing wider than the screen)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.inspections import load_inspections
from xieguan.demo.monthly import load_monthly
from xieguan.demo.units import load_units

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dashboards_drill_to_the_expired_certificate_city_ranking_and_phone(journey):
    demo = load_county()
    load_units(demo)
    load_inspections(demo)
    load_monthly(demo)
    cg = demo.townships[0]

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/indicators/")
    expect(bureau.page.locator("#trend-chart canvas")).to_have_count(1)
    expect(bureau.page.locator("#rank-chart canvas")).to_have_count(1)
    expect(bureau.page.locator("#unit-map[data-ready]")).to_have_count(1)
    assert bureau.page.locator("#rank-table tbody tr").count() == len(demo.townships)
    assert bureau.page.locator("#map-table tbody tr").count() == 4
    bureau.shot("county-dashboard")
    bureau.page.locator("#map").screenshot(path=str(bureau.folder / "county-map.png"))

    # 健康证持证率 → the county's townships → 城关镇 → its station → what fails → a unit → the certificate.
    with bureau.page.expect_navigation():
        bureau.page.click("a.figure[data-code=health_cert]")
    expect(bureau.page.locator("#breakdown")).to_be_visible()
    with bureau.page.expect_navigation():
        bureau.page.click(f"#breakdown tr[data-area='{cg.name}'] th a")
    expect(bureau.page.locator("h1")).to_contain_text(cg.name)
    bureau.shot("township-breakdown")
    with bureau.page.expect_navigation():
        bureau.page.locator("#breakdown a.institution").first.click()
    with bureau.page.expect_navigation():
        bureau.page.click("text=未达标")
    expired = bureau.page.locator("#records tr.expired").first
    expect(expired).to_contain_text("已过期")
    bureau.shot("expired-certificates")
    with bureau.page.expect_navigation():
        expired.locator("a").first.click()
    expect(bureau.page.locator("main")).to_contain_text("健康证")
    bureau.shot("unit-file")
    # 城关镇's own dashboard: its place among the county's townships is marked.
    bureau.goto(f"/indicators/?area={cg.pk}")
    expect(bureau.page.locator("#rank-table tr.mine")).to_contain_text(cg.name)
    bureau.shot("township-ranked-own-place")

    city = journey(DESKTOP, "city")
    city.login("city", DEMO_PASSWORD)
    city.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    city.goto("/indicators/")
    expect(city.page.locator("#rank-table")).to_contain_text(demo.county.name)
    # The prefecture's map: its county's units, drawn before the picture.
    expect(city.page.locator("#unit-map[data-ready]")).to_have_count(1)
    assert city.page.locator("#map-table tbody tr").count() == 4
    city.shot("city-counties-ranked")

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/indicators/")
    expect(cg1.page.locator("#unit-map[data-ready]")).to_have_count(1)
    width = cg1.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    cg1.shot("township-dashboard-phone")
