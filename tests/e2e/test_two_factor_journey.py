"""cg1 turns two-step sign-in on with the QR code, keeps the backup codes,
signs out and in again, is stopped at the code page by a wrong code and let
in by the right one; bureau turns it off for a lost phone."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county


def app_code(shift: int = 0) -> str:
    device = TOTPDevice.objects.get(user__username="cg1")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + shift * device.step
    return f"{totp.token():06d}"


def test_two_step_sign_in_on_off(journey):
    demo = load_county()
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.page.click("header a:has-text('登录安全')")
    cg1.page.click("main button:has-text('开启两步验证')")
    expect(cg1.page.locator("#enrol svg")).to_be_visible()
    cg1.shot("scan-the-code")
    cg1.page.fill("#id_code", app_code())
    cg1.page.click("main button:has-text('开启')")
    expect(cg1.page.locator("#backup-codes li")).to_have_count(10)
    cg1.shot("backup-codes")

    cg1.page.click("header button:has-text('退出')")
    cg1.page.fill("#id_username", "cg1")
    cg1.page.fill("#id_password", DEMO_PASSWORD)
    cg1.page.click("main button[type=submit]")
    cg1.page.wait_for_url(lambda url: "/accounts/verify/" in url)
    cg1.goto("/units/")
    assert "/accounts/verify/" in cg1.page.url  # nothing else before the code
    cg1.page.fill("#id_code", "000000")
    cg1.page.click("main button:has-text('继续')")
    expect(cg1.page.locator(".field-error")).to_contain_text("验证码不对")
    cg1.shot("wrong-code")
    time.sleep(2.1)  # a wrong code makes the next try wait a moment
    cg1.page.fill("#id_code", app_code(1))
    cg1.page.click("main button:has-text('继续')")
    cg1.page.wait_for_url(lambda url: url.endswith("/units/"))
    cg1.shot("in-after-the-code")

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto(f"/people/{demo.users['cg1'].pk}/")
    bureau.page.once("dialog", lambda dialog: dialog.accept())
    bureau.page.click("main button:has-text('关闭两步验证')")
    expect(bureau.page.locator(".msg")).to_contain_text("已为")
    bureau.shot("turned-off-for-a-lost-phone")
    assert not TOTPDevice.objects.filter(user__username="cg1").exists()
