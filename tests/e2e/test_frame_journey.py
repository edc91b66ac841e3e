"""Issue 3's journey: co-managers see their own township only, the bureau
manages people, five wrong passwords lock an account, the audit log shows it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.accounts.models import TransferRequest, User
from xieguan.demo.county import DEMO_PASSWORD, load_county

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_comanager_sees_own_township_bureau_manages_people_lockout_and_audit(journey):
    demo = load_county()

    # A co-manager on a phone sees the first township's villages, not the second's.
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    body = cg1.page.inner_text("main")
    assert "城关镇 的下级区划" in body or "城关镇的下级区划" in body
    assert "李家村" in body and "王庄村" in body and "河东村" not in body
    cg1.shot("cg1-home")
    cg1.page.click("nav >> text=区划")
    assert "河东镇" not in cg1.page.inner_text("main")
    cg1.shot("cg1-areas")
    response = cg1.goto(f"/areas/{demo.townships[1].pk}/")
    assert response.status == 404 and "不在您的辖区" in cg1.page.inner_text("main")
    cg1.shot("cg1-neighbour-404")
    cg1.page.click("nav >> text=人员")
    people = cg1.page.inner_text("main")
    assert "刘志强" in people and "赵春梅" not in people and "138****1002" in people
    cg1.shot("cg1-people-masked")

    # The bureau sees the whole county and adds a person; a weak password keeps the form.
    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    body = bureau.page.inner_text("main")
    for name in ["城关镇", "河东镇", "杨庄乡", "东关街道"]:
        assert name in body
    bureau.shot("bureau-home")
    bureau.page.click("nav >> text=人员")
    bureau.page.click("text=新增人员")
    bureau.page.fill("#id_username", "qs_new")
    bureau.page.fill("#id_password", "short")
    _pick_institution(bureau.page, "青山镇卫生监督协管站")
    bureau.page.fill("#id_full_name", "青山新协管员")
    bureau.page.check("input[name=roles][value=comanager]")
    bureau.page.fill("#id_phone", "13800001234")
    bureau.page.click("main button[type=submit]")
    assert "密码太短" in bureau.page.inner_text("main")
    assert bureau.page.input_value("#id_full_name") == "青山新协管员"
    bureau.shot("bureau-weak-password-kept")
    bureau.page.fill("#id_password", "Qingshan#2026x")
    bureau.page.click("main button[type=submit]")
    assert "qs_new" in bureau.page.inner_text("main")
    bureau.shot("bureau-person-added")
    assert User.objects.get(username="qs_new").institution == demo.stations[2]

    # Moving a co-manager is a request the bureau approves.
    bureau.goto(f"/people/{demo.users['cg2'].pk}/")
    bureau.page.click("text=申请调动")
    _pick_institution(bureau.page, "青山镇卫生监督协管站")
    bureau.page.fill("#id_reason", "青山镇协管员不足，临时支援")
    bureau.page.click("main button[type=submit]")
    bureau.shot("bureau-transfer-requested")
    bureau.page.click("nav >> text=调动审批")
    bureau.page.click("main a.btn:has-text('审批')")
    bureau.page.check("input[name=decision][value=approve]")
    bureau.shot("bureau-transfer-decide")
    bureau.page.click("main button[type=submit]")
    assert TransferRequest.objects.get().status == "approved"
    assert User.objects.get(username="cg2").institution == demo.stations[2]

    # Five wrong passwords lock dh1's account; even the right one is refused then.
    stranger = journey(PHONE, "lockout")
    for _ in range(5):
        stranger.login("dh1", "wrong-password")
    assert "账号已锁定 15 分钟" in stranger.page.inner_text("main")
    stranger.shot("dh1-locked")
    stranger.login("dh1", DEMO_PASSWORD)
    assert "账号已锁定" in stranger.page.inner_text("main")

    # The audit log shows all of it.
    bureau.page.click("nav >> text=审计日志")
    log = bureau.page.inner_text("main")
    for words in ["登录失败", "账号锁定", "青山新协管员", "批准", "登录"]:
        assert words in log, words
    bureau.shot("bureau-audit-log")
    bureau.page.select_option("#id_action", "session.locked_out")
    bureau.page.click("main form button[type=submit]")
    bureau.page.wait_for_url("**action=session.locked_out**")
    assert "dh1" in bureau.page.inner_text("#audit-rows")
    bureau.shot("bureau-audit-filtered")


def _pick_institution(page, name: str) -> None:
    """The institution is picked from the scoped picker (a short list of
    radios, or a search box for a long one), not a drop-down of all."""
    picker = page.locator("#id_institution_picker")
    search = picker.locator("input[type=search]")
    if search.count():
        search.fill(name)
        picker.locator("#id_institution_results").get_by_text(name).first.wait_for()
    picker.locator(f"label:has-text('{name}') input[type=radio]").first.check()
