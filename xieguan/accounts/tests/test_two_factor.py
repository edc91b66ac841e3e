"""Two-step sign-in (SPEC §12, the optional second factor)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xieguan.accounts import services
from xieguan.core.models import AuditEvent


def code_of(device: TOTPDevice, *, shift: int = 0) -> str:
    """The code the phone's app would show now (or ``shift`` steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + shift * device.step
    return f"{totp.token():0{device.digits}d}"


def turn_on(user) -> tuple[TOTPDevice, list[str]]:
    device = services.two_factor_start(actor=user)
    codes = services.two_factor_confirm(actor=user, device_id=device.pk, code=code_of(device))
    device.refresh_from_db()
    return device, codes


def sign_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_turning_it_on_from_the_page(demo, login, comanager_in):
    client = login(comanager_in)
    page = client.post(reverse("accounts:two_factor"), {"action": "start"}).content.decode()
    assert "<svg" in page and 'id="secret"' in page  # the QR is drawn here, no outside service
    device = TOTPDevice.objects.get(user=comanager_in, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor"), {"action": "confirm", "device": device.pk, "code": "000000"})
    assert "验证码不对" in wrong.content.decode() and "<svg" in wrong.content.decode()  # still on the set-up
    assert not TOTPDevice.objects.filter(user=comanager_in, confirmed=True).exists()

    device.throttle_reset()  # a wrong code makes the next try wait a moment
    done = client.post(
        reverse("accounts:two_factor"), {"action": "confirm", "device": device.pk, "code": code_of(device)}
    )
    body = done.content.decode()
    assert body.count("<li><code>") == services.BACKUP_CODES
    assert TOTPDevice.objects.filter(user=comanager_in, confirmed=True).count() == 1
    event = AuditEvent.objects.filter(object_id=str(comanager_in.pk), action="two_factor.on").latest("at")
    assert event.changes == {"two_factor": [False, True]}
    # The session that turned it on is not sent to the code page.
    assert client.get(reverse("core:home")).status_code == 200


def test_sign_in_then_the_code_then_the_pages(demo, comanager_in, demo_password):
    device, _codes = turn_on(comanager_in)
    client = sign_in("cg1", demo_password)
    owed = client.get(reverse("units:list"))
    assert owed.status_code == 302 and owed["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.get(reverse("field:token")).status_code == 403  # no API token before the code either

    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "123456", "next": "/units/"})
    assert wrong.status_code == 200 and "验证码不对" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="session.login_failed", actor_username="cg1").exists()
    assert client.get(reverse("units:list")).status_code == 302

    device.refresh_from_db()
    device.throttle_reset()
    right = client.post(reverse("accounts:two_factor_verify"), {"code": code_of(device, shift=1), "next": "/units/"})
    assert right.status_code == 302 and right["Location"] == "/units/"
    assert client.get(reverse("units:list")).status_code == 200


def test_a_backup_code_works_once(demo, comanager_in, demo_password):
    _device, codes = turn_on(comanager_in)
    first = sign_in("cg1", demo_password)
    assert first.post(reverse("accounts:two_factor_verify"), {"code": codes[0]}).status_code == 302
    assert first.get(reverse("core:home")).status_code == 200
    again = sign_in("cg1", demo_password)
    refused = again.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
    assert refused.status_code == 200 and "验证码不对" in refused.content.decode()


def test_people_without_it_sign_in_as_before(demo, demo_password):
    client = sign_in("dh1", demo_password)
    assert client.get(reverse("units:list")).status_code == 200


def test_an_api_token_needs_the_code_too(demo, comanager_in, demo_password):
    device, _codes = turn_on(comanager_in)
    client = Client()
    url = "/api/auth/token"

    def ask(**extra):
        body = {"username": "cg1", "password": demo_password, **extra}
        return client.post(url, json.dumps(body), content_type="application/json")

    refused = ask()
    assert refused.status_code == 401 and "otp" in refused.json()["detail"]
    assert ask(otp="000000").status_code == 401
    device.refresh_from_db()
    device.throttle_reset()
    assert ask(otp=code_of(device, shift=1)).status_code == 200


def test_turning_it_off_needs_a_current_code(demo, login, comanager_in):
    device, codes = turn_on(comanager_in)
    client = login(comanager_in)
    client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
    kept = client.post(reverse("accounts:two_factor"), {"action": "off", "code": "999999"})
    assert "验证码不对" in kept.content.decode()
    assert TOTPDevice.objects.filter(user=comanager_in).exists()
    device.refresh_from_db()
    device.throttle_reset()
    client.post(reverse("accounts:two_factor"), {"action": "off", "code": code_of(device, shift=1)})
    assert not TOTPDevice.objects.filter(user=comanager_in).exists()


@pytest.mark.parametrize(("who", "allowed"), [("bureau", True), ("dh1", False), ("cg2", False)])
def test_an_administrator_turns_it_off_for_a_lost_phone(demo, login, comanager_in, who, allowed):
    turn_on(comanager_in)
    response = login(demo.users[who]).post(reverse("accounts:person_two_factor_off", args=[comanager_in.pk]))
    assert response.status_code in ((302,) if allowed else (302, 403, 404))
    assert TOTPDevice.objects.filter(user=comanager_in).exists() is not allowed
    if allowed:
        event = AuditEvent.objects.filter(object_id=str(comanager_in.pk), actor=demo.users[who]).latest("at")
        assert event.changes == {"two_factor": [True, False]}


def test_off_or_new_backup_codes_without_it_on_are_a_conflict(demo, api_token):
    """No code can be right while two-step sign-in is off: the account's
    state, a 409 in Chinese, not a 422 about the code sent."""
    headers = api_token(demo.users["cg1"])
    for url in ("/api/auth/two-factor/off", "/api/auth/two-factor/backup-codes"):
        response = Client().post(url, json.dumps({"code": "123456"}), content_type="application/json", **headers)
        assert response.status_code == 409 and "两步登录" in response.json()["detail"], url
    assert not TOTPDevice.objects.filter(user=demo.users["cg1"]).exists()
