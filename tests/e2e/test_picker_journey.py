"""Issue 19 item 4's journey: cg1 adds a unit to the month's plan by typing
two characters (饭店) into the unit picker, which searches the township's
units as one types (no drop-down of all 200-odd), and taps the one wanted."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.units import load_units
from xieguan.inspections.models import MonthlyPlan
from xieguan.units.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cg1_finds_a_unit_by_two_characters_and_adds_it_to_the_plan(journey):
    demo = load_county()
    load_units(demo)
    township = demo.townships[0]
    wanted = (
        Unit.objects.filter(area__path__startswith=township.path, name__contains="饭店", merged_into__isnull=True)
        .exclude(status="closed")
        .order_by("name", "id")
        .first()
    )
    assert wanted is not None
    in_township = Unit.objects.filter(area__path__startswith=township.path).count()
    assert in_township > 30  # more than the picker lists without a search

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto(f"/inspections/plan/?township={township.pk}")
    cg1.submit("main form[method=post] button[type=submit]")  # make the plan from what is due
    plan = MonthlyPlan.objects.get(township=township)
    plan.units.remove(wanted)
    cg1.goto(f"/inspections/plan/?township={township.pk}")
    assert cg1.page.locator("select[name=unit]").count() == 0
    box = cg1.page.locator("#id_unit_q")
    box.click()
    box.press_sequentially("饭店", delay=80)
    option = cg1.page.locator(f"#id_unit_results input[value='{wanted.pk}']")
    option.wait_for()
    shown = cg1.page.locator("#id_unit_results input[type=radio]").count()
    expected = Unit.objects.filter(
        area__path__startswith=township.path, name__contains="饭店", merged_into__isnull=True
    ).exclude(status="closed")
    assert shown == min(expected.count(), 20)
    assert "饭店" in cg1.page.inner_text("#id_unit_results")
    cg1.shot("cg1-picker-two-characters")
    option.check()
    cg1.submit("main form[method=post]:has(#id_unit_q) button[type=submit]")
    assert plan.units.filter(pk=wanted.pk).exists()
    assert wanted.name in cg1.page.inner_text("#plan")
    cg1.shot("cg1-plan-with-the-unit")
