"""Sign-in limits an attacker cannot turn against users (SPEC §12, issue 17
finding 6): per user name and address, a per-address limit across names, a
fixed cool-off, and locks the county's administrator sees and releases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import Role, RoleCode, SignInLock, SignInLockKind, User
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries

ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"
LOGIN = reverse("accounts:login")


class Clock:
    """Time travel for the lockout: Django's clock and the one axes stamps
    each attempt with (``axes.handlers.proxy.now``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)
        monkeypatch.setattr("axes.handlers.proxy.now", lambda: self.now)

    def advance(self, **delta: Any) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def sign_in(username: str, password: str, address: str) -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR=address)
    return client, client.post(LOGIN, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def token(username: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/api/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def lock_account(username: str = "cg1", address: str = ATTACKER) -> SignInLock:
    for _ in range(5):
        sign_in(username, "wrong-password", address)
    return SignInLock.objects.get(kind=SignInLockKind.ACCOUNT, username=username, ip_address=address)


def lock_address(address: str = ATTACKER) -> SignInLock:
    """Password spraying: four guesses at each of five names, under the
    per-name limit every time, twenty in all."""
    for name in ["cg1", "cg2", "dh1", "inst", "nobody"]:
        for _ in range(4):
            sign_in(name, "Spring2026!", address)
    return SignInLock.objects.get(kind=SignInLockKind.ADDRESS, ip_address=address)


def test_five_wrong_passwords_from_one_address_lock_the_name_for_that_address_only(demo, demo_password, clock):
    for _ in range(4):
        _client, response = sign_in("cg1", "wrong-password", ATTACKER)
        assert response.status_code == 200
    _client, response = sign_in("cg1", "wrong-password", ATTACKER)
    assert response.status_code == 429 and "账号已锁定 15 分钟" in response.content.decode()
    # from the attacker's address even the right password is refused ...
    client, response = sign_in("cg1", demo_password, ATTACKER)
    assert response.status_code == 429 and not signed_in(client)
    # ... and from the office the person signs in while the attacker stays locked
    client, response = sign_in("cg1", demo_password, OFFICE)
    assert response.status_code == 302 and signed_in(client)
    lock = SignInLock.objects.get()
    assert (lock.kind, lock.user, lock.ip_address) == (SignInLockKind.ACCOUNT, demo.users["cg1"], ATTACKER)
    assert lock.until == lock.locked_at + timedelta(minutes=15)
    event = AuditEvent.objects.get(action="signin.locked")
    assert (event.actor_username, event.ip, event.object_id) == ("cg1", ATTACKER, str(lock.pk))
    assert event.area_path == demo.townships[0].path


def test_attempts_during_the_cool_off_do_not_extend_it(demo, demo_password, clock):
    lock_account()
    for minute in (1, 5, 14):  # an attacker knocking every few minutes, right password included
        clock.now = SignInLock.objects.get().locked_at + timedelta(minutes=minute)
        assert sign_in("cg1", "wrong-password", ATTACKER)[1].status_code == 429
        assert sign_in("cg1", demo_password, ATTACKER)[1].status_code == 429
    clock.now = SignInLock.objects.get().locked_at + timedelta(minutes=15, seconds=1)
    client, response = sign_in("cg1", demo_password, ATTACKER)
    assert response.status_code == 302 and signed_in(client)
    assert AuditEvent.objects.filter(action="signin.locked").count() == 1


def test_spraying_from_one_address_across_user_names_is_blocked(demo, demo_password, clock):
    lock = lock_address()
    assert lock.user is None and lock.username == ""
    assert not SignInLock.objects.filter(kind=SignInLockKind.ACCOUNT).exists()
    # the next name from that address is refused at once, right password or not
    client, response = sign_in("cg2", demo_password, ATTACKER)
    assert response.status_code == 429 and not signed_in(client)
    assert "网络地址" in response.content.decode()
    assert token("bureau", demo_password, ATTACKER).status_code == 429
    # the same people from elsewhere are not affected
    assert signed_in(sign_in("cg2", demo_password, OFFICE)[0])
    # the address lock is fixed too: knocking does not prolong it
    clock.advance(minutes=10)
    sign_in("admin", "wrong-password", ATTACKER)
    clock.now = lock.until + timedelta(seconds=1)
    assert signed_in(sign_in("cg2", demo_password, ATTACKER)[0])


def test_fewer_failures_from_one_address_than_its_limit_lock_nothing(demo, demo_password, clock):
    for name in ["cg1", "cg2", "dh1", "inst"]:
        for _ in range(4):
            sign_in(name, "Spring2026!", ATTACKER)
    assert not SignInLock.objects.exists()
    assert signed_in(sign_in("cg1", demo_password, ATTACKER)[0])


def test_the_api_token_endpoint_follows_the_same_rules(demo, demo_password, clock):
    for _ in range(4):
        assert token("bureau", "wrong-password", ATTACKER).status_code == 401
    response = token("bureau", "wrong-password", ATTACKER)
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
    assert token("bureau", demo_password, ATTACKER).status_code == 429
    assert token("bureau", demo_password, OFFICE).status_code == 200
    clock.advance(minutes=10)
    assert token("bureau", demo_password, ATTACKER).status_code == 429  # did not restart the cool-off
    clock.advance(minutes=5, seconds=1)
    assert token("bureau", demo_password, ATTACKER).status_code == 200


def test_the_county_administrator_sees_and_releases_a_lock_in_their_area(demo, demo_password, login, county_admin):
    lock = lock_account("cg1")
    client = login(county_admin)
    page = client.get(reverse("accounts:lockout_list")).content.decode()
    assert ATTACKER in page and "王秀兰" in page
    assert "被锁定的登录" in client.get(reverse("accounts:person_list")).content.decode()
    response = client.post(reverse("accounts:lockout_release", args=[lock.pk]))
    assert response.status_code == 302
    lock.refresh_from_db()
    assert lock.released_by == county_admin and lock.released_at is not None
    event = AuditEvent.objects.get(action="signin.released")
    assert (event.actor, event.object_id, event.area_path) == (county_admin, str(lock.pk), demo.townships[0].path)
    assert "目前没有被锁定的登录" in client.get(reverse("accounts:lockout_list")).content.decode()
    assert signed_in(sign_in("cg1", demo_password, ATTACKER)[0])


@pytest.fixture
def neighbour(demo):
    """The county leader of another county under the same prefecture."""
    from xieguan.accounts.models import Institution
    from xieguan.areas.models import Area, Level

    county = Area.objects.create(name="邻县", code="990200000000", level=Level.COUNTY, parent=demo.prefecture)
    bureau = Institution.objects.create(name="邻县卫生健康局", type="bureau", area=county)
    user = User.objects.create(username="linxian", full_name="邻县局长", institution=bureau)
    user.roles.set(Role.objects.filter(code=RoleCode.COUNTY_LEADER))
    return user


@pytest.mark.parametrize(("who", "status"), [("neighbour", 404), ("dh1", 404), ("cg2", 403), ("city", 403)])
def test_others_cannot_see_or_release_a_lock(demo, login, neighbour, who, status):
    lock = lock_account("cg1")
    user = neighbour if who == "neighbour" else demo.users[who]
    client = login(user)
    assert client.post(reverse("accounts:lockout_release", args=[lock.pk])).status_code == status
    listing = client.get(reverse("accounts:lockout_list"))
    assert listing.status_code == 403 or ATTACKER not in listing.content.decode()
    lock.refresh_from_db()
    assert lock.released_at is None
    assert not AuditEvent.objects.filter(action="signin.released").exists()
    assert sign_in("cg1", "wrong-password", ATTACKER)[1].status_code == 429


def test_an_address_lock_is_shown_to_system_administrators_only(demo, demo_password, login, county_admin):
    lock = lock_address()
    bureau = login(county_admin)
    assert ATTACKER not in bureau.get(reverse("accounts:lockout_list")).content.decode()
    assert bureau.post(reverse("accounts:lockout_release", args=[lock.pk])).status_code == 404
    lock.refresh_from_db()
    assert lock.released_at is None
    admin = login(demo.users["admin"])
    assert ATTACKER in admin.get(reverse("accounts:lockout_list")).content.decode()
    admin.post(reverse("accounts:lockout_release", args=[lock.pk]))
    lock.refresh_from_db()
    assert lock.released_by == demo.users["admin"]
    assert AuditEvent.objects.filter(action="signin.released", object_id=str(lock.pk)).exists()
    # released: the address signs in again, and its earlier failures no longer count
    assert signed_in(sign_in("cg2", demo_password, ATTACKER)[0])
    sign_in("cun1", "wrong-password", ATTACKER)
    assert not SignInLock.objects.active().exists()


def test_releasing_a_lock_that_has_ended_changes_nothing(demo, login, county_admin, clock):
    lock = lock_account("cg1")
    clock.advance(minutes=16)
    response = login(county_admin).post(reverse("accounts:lockout_release", args=[lock.pk]), follow=True)
    assert "已经结束" in response.content.decode()
    lock.refresh_from_db()
    assert lock.released_at is None


def _more_locks() -> Any:
    """One lock now, three more (on three people, from other addresses) when called."""
    addresses = iter(f"192.0.2.{n}" for n in range(1, 50))
    lock_account("cg1", next(addresses))

    def grow() -> None:
        for name in ["cg1", "cg2", "cun1"]:
            lock_account(name, next(addresses))

    return grow


def test_lockout_list_costs_the_same_queries_however_many_locks(demo, login, county_admin):
    client = login(county_admin)
    # the session, its user with roles, institution and area; the page of
    # locks with their people; the session saved again (a savepoint around it)
    assert_constant_queries(lambda: client.get(reverse("accounts:lockout_list")), _more_locks(), exactly=9)


def test_lockout_api_costs_the_same_queries_however_many_locks(demo, api_token, county_admin):
    headers = api_token(county_admin)
    # the token and its last use, the user's roles, the page of locks with their people
    assert_constant_queries(lambda: Client().get("/api/lockouts", **headers), _more_locks(), exactly=4)
    assert len(Client().get("/api/lockouts", **headers).json()["items"]) == 4


def test_the_lockout_api_lists_and_releases_in_scope(demo, demo_password, api_token, county_admin, neighbour):
    lock = lock_account("cg1")
    lock_address("192.0.2.99")
    client = Client()
    listing = client.get("/api/lockouts", **api_token(county_admin)).json()
    assert [(item["username"], item["ip_address"], item["kind"]) for item in listing["items"]] == [
        ("cg1", ATTACKER, "account")
    ]
    assert listing["items"][0]["person_name"] == "王秀兰"
    denied = client.post(f"/api/lockouts/{lock.pk}/release", **api_token(neighbour))
    assert denied.status_code == 404 and "辖区" in denied.json()["detail"]
    assert client.get("/api/lockouts", **api_token(demo.users["cg2"])).status_code == 403
    lock.refresh_from_db()
    assert lock.released_at is None
    released = client.post(f"/api/lockouts/{lock.pk}/release", **api_token(county_admin))
    assert released.status_code == 200 and released.json()["released_at"]
    again = client.post(f"/api/lockouts/{lock.pk}/release", **api_token(county_admin))
    assert again.status_code == 409 and "已经结束" in again.json()["detail"]
    assert token("cg1", demo_password, ATTACKER).status_code == 200


def test_the_lockout_operations_are_in_the_openapi_document(db):
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/lockouts"] and "post" in paths["/api/lockouts/{lock_id}/release"]


def test_the_client_address_behind_a_trusted_proxy_is_the_forwarded_one(rf, settings):
    from xieguan.core.audit import client_ip

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    forwarded = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {ATTACKER}")
    assert client_ip(forwarded) == ATTACKER  # the left part is the client's to forge
    assert client_ip(rf.get("/", REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR=ATTACKER)) == OFFICE
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")) == "127.0.0.1"
    settings.TRUSTED_PROXIES = []
    assert client_ip(forwarded) == "127.0.0.1"
