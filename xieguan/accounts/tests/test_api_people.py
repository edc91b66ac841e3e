"""The people pages' actions through the API (issue 19 item 2): people,
roles, transfers, institutions' edit and supervisor, API tokens, one's own
password and two-step sign-in. Same services, scope and audit as the pages."""

import json
import re
import uuid

import pytest
from django.test import Client

from xieguan.accounts.models import ApiToken, Institution, TransferRequest, TransferStatus, User
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def send(method, url, headers, data=None):
    body = json.dumps(data) if data is not None else None
    return Client().generic(method, url, data=body or "", content_type="application/json", **headers)


def chinese_error(response, status=422):
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert CHINESE.search(detail), detail
    return response.json()


def new_person(demo, **overrides):
    return {
        "id": str(uuid.uuid4()),
        "institution_id": str(demo.stations[0].pk),
        "username": "cg9",
        "password": "Xin#mima2026",
        "full_name": "新协管员",
        "roles": ["comanager"],
        **overrides,
    }


# --- people ---------------------------------------------------------------------


def test_person_list_is_scoped_filtered_and_in_constant_queries(demo, api_token):
    headers = api_token(demo.users["cg1"])
    names = {p["username"] for p in send("GET", "/api/people?limit=200", headers).json()["items"]}
    assert {"cg1", "cg2"} <= names and "dh1" not in names and "bureau" not in names
    bureau = api_token(demo.users["bureau"])
    found = send("GET", "/api/people?role=comanager&limit=200", bureau).json()["items"]
    assert {p["username"] for p in found} >= {"cg1", "cg2", "dh1"}
    assert all("comanager" in p["roles"] and p["role_labels"] for p in found)
    staff = send("GET", f"/api/people?institution_id={demo.stations[0].pk}&limit=200", bureau).json()["items"]
    assert {p["institution_name"] for p in staff} == {demo.stations[0].name}

    def grow():
        for n in range(3):
            User.objects.create(username=f"extra{n}", institution=demo.stations[0])

    assert_constant_queries(lambda: send("GET", "/api/people", headers), grow, exactly=5)


def test_person_list_needs_the_right_to_view_people(demo, api_token):
    chinese_error(send("GET", "/api/people", api_token(demo.users["cun1"])), 403)


def test_person_create_is_idempotent_on_its_id_and_audited(demo, api_token):
    headers = api_token(demo.users["bureau"])
    payload = new_person(demo)
    first = send("POST", "/api/people", headers, payload)
    assert first.status_code == 201 and first.json()["username"] == "cg9"
    again = send("POST", "/api/people", headers, payload)
    assert again.status_code == 200 and again.json()["id"] == payload["id"]
    assert User.objects.filter(username="cg9").count() == 1
    assert AuditEvent.objects.filter(action="user.create", object_id=payload["id"]).count() == 1


def test_person_create_with_a_weak_password_is_refused_in_chinese(demo, api_token):
    before = User.objects.count()
    body = chinese_error(send("POST", "/api/people", api_token(demo.users["bureau"]), new_person(demo, password="1")))
    assert "password" in body["fields"] and User.objects.count() == before


def test_person_create_by_a_comanager_is_403(demo, api_token):
    before = User.objects.count()
    chinese_error(send("POST", "/api/people", api_token(demo.users["cg1"]), new_person(demo)), 403)
    assert User.objects.count() == before


def test_person_of_another_township_is_404_without_a_name(demo, api_token):
    cg1 = demo.users["cg1"]
    headers = api_token(demo.users["dh1"])
    for method, url, data in [
        ("GET", f"/api/people/{cg1.pk}", None),
        ("PATCH", f"/api/people/{cg1.pk}", {"full_name": "改名"}),
        ("POST", f"/api/people/{cg1.pk}/password", {"password": "Xin#mima2026"}),
        ("POST", f"/api/people/{cg1.pk}/active", {"active": False}),
        ("POST", f"/api/people/{cg1.pk}/move", {"institution_id": str(demo.stations[1].pk)}),
        ("POST", f"/api/people/{cg1.pk}/two-factor-off", None),
    ]:
        response = send(method, url, headers, data)
        assert response.status_code == 404, (method, url)
        assert cg1.full_name not in response.content.decode() and "cg1" not in response.content.decode()
    cg1.refresh_from_db()
    assert cg1.is_active and cg1.institution == demo.stations[0]


def test_person_get_and_patch(demo, api_token):
    cg1 = demo.users["cg1"]
    bureau = api_token(demo.users["bureau"])
    got = send("GET", f"/api/people/{cg1.pk}", bureau).json()
    assert got["username"] == "cg1" and got["two_factor"] is False
    assert send("GET", f"/api/people/{cg1.pk}", api_token(cg1)).json()["two_factor"] is None
    assert got["transfers"] == []
    changed = send("PATCH", f"/api/people/{cg1.pk}", bureau, {"full_name": "张改名", "title": "医师"})
    assert changed.status_code == 200 and changed.json()["full_name"] == "张改名"
    cg1.refresh_from_db()
    assert cg1.full_name == "张改名" and cg1.title == "医师" and cg1.role_codes == {"comanager"}
    assert AuditEvent.objects.filter(action="user.update", object_id=str(cg1.pk)).exists()


def test_person_patch_refuses_a_bad_id_number_and_a_wrong_role_in_chinese(demo, api_token):
    cg1 = demo.users["cg1"]
    bureau = api_token(demo.users["bureau"])
    chinese_error(send("PATCH", f"/api/people/{cg1.pk}", bureau, {"id_number": "123"}))
    chinese_error(send("PATCH", f"/api/people/{cg1.pk}", bureau, {"roles": ["county_leader"]}))
    chinese_error(send("PATCH", f"/api/people/{cg1.pk}", bureau, {"roles": ["nobody"]}))
    cg1.refresh_from_db()
    assert cg1.id_number != "123" and cg1.role_codes == {"comanager"}


def test_person_patch_by_the_prefecture_is_403(demo, api_token):
    cg1 = demo.users["cg1"]
    chinese_error(send("PATCH", f"/api/people/{cg1.pk}", api_token(demo.users["city"]), {"full_name": "改"}), 403)
    cg1.refresh_from_db()
    assert cg1.full_name != "改"


def test_password_reset_revokes_the_persons_tokens(demo, api_token):
    cg1 = demo.users["cg1"]
    cg1_headers = api_token(cg1)
    bureau = api_token(demo.users["bureau"])
    assert send("POST", f"/api/people/{cg1.pk}/password", bureau, {"password": "Xin#mima2026"}).status_code == 200
    cg1.refresh_from_db()
    assert cg1.check_password("Xin#mima2026")
    assert send("GET", "/api/me", cg1_headers).status_code == 401
    body = chinese_error(send("POST", f"/api/people/{cg1.pk}/password", bureau, {"password": "abc"}))
    assert "password" in body["fields"]
    chinese_error(send("POST", f"/api/people/{cg1.pk}/password", api_token(demo.users["cg2"]), {"password": "x"}), 403)


def test_deactivate_and_reactivate(demo, api_token):
    cg2 = demo.users["cg2"]
    bureau_user = demo.users["bureau"]
    bureau = api_token(bureau_user)
    assert send("POST", f"/api/people/{cg2.pk}/active", bureau, {"active": False}).json()["is_active"] is False
    assert send("POST", f"/api/people/{cg2.pk}/active", bureau, {"active": True}).json()["is_active"] is True
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(cg2.pk)).count() == 1
    chinese_error(send("POST", f"/api/people/{bureau_user.pk}/active", bureau, {"active": False}))
    chinese_error(send("POST", f"/api/people/{cg2.pk}/active", bureau, {"active": "perhaps"}))
    chinese_error(send("POST", f"/api/people/{cg2.pk}/active", api_token(demo.users["cg1"]), {"active": False}), 403)


def test_move_a_supervisor_at_once_but_a_comanager_only_by_transfer(demo, api_token):
    inst = demo.users["inst"]
    bureau = api_token(demo.users["bureau"])
    moved = send("POST", f"/api/people/{inst.pk}/move", bureau, {"institution_id": str(demo.bureau.pk)})
    assert moved.status_code == 200 and moved.json()["institution_id"] == str(demo.bureau.pk)
    cg1 = demo.users["cg1"]
    chinese_error(send("POST", f"/api/people/{cg1.pk}/move", bureau, {"institution_id": str(demo.stations[1].pk)}))
    cg1.refresh_from_db()
    assert cg1.institution == demo.stations[0]


def test_an_administrator_turns_a_persons_two_step_sign_in_off(demo, api_token):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    cg1 = demo.users["cg1"]
    TOTPDevice.objects.create(user=cg1, name="app", confirmed=True)
    response = send("POST", f"/api/people/{cg1.pk}/two-factor-off", api_token(demo.users["bureau"]))
    assert response.status_code == 200 and response.json()["two_factor"] is False
    assert not TOTPDevice.objects.filter(user=cg1).exists()
    assert AuditEvent.objects.filter(action="two_factor.off", object_id=str(cg1.pk)).exists()
    TOTPDevice.objects.create(user=cg1, name="app", confirmed=True)
    chinese_error(send("POST", f"/api/people/{cg1.pk}/two-factor-off", api_token(demo.users["cg2"])), 403)
    # One who manages nobody is refused for the role whoever is named, themselves too.
    chinese_error(send("POST", f"/api/people/{cg1.pk}/two-factor-off", api_token(cg1)), 403)
    assert TOTPDevice.objects.filter(user=cg1).exists()
    bureau = demo.users["bureau"]
    own = send("POST", f"/api/people/{bureau.pk}/two-factor-off", api_token(bureau))
    assert own.status_code == 422 and "登录安全" in own.json()["detail"]  # their own: on the security page


def test_roles_are_listed_with_chinese_names(demo, api_token):
    roles = {r["code"]: r for r in send("GET", "/api/roles", api_token(demo.users["cg1"])).json()}
    assert roles["comanager"]["label"] == "协管员" and roles["comanager"]["institution_types"] == ["station"]


# --- transfers ------------------------------------------------------------------


def test_transfer_request_is_idempotent_and_the_bureau_decides(demo, api_token):
    cg2 = demo.users["cg2"]
    bureau = api_token(demo.users["bureau"])
    payload = {
        "id": str(uuid.uuid4()),
        "person_id": str(cg2.pk),
        "to_institution_id": str(demo.stations[1].pk),
        "reason": "工作需要",
    }
    assert send("POST", "/api/transfers", bureau, payload).status_code == 201
    again = send("POST", "/api/transfers", bureau, payload)
    assert again.status_code == 200 and again.json()["id"] == payload["id"]
    assert TransferRequest.objects.filter(person=cg2).count() == 1
    listed = send("GET", "/api/transfers", bureau).json()["items"]
    assert [t["id"] for t in listed] == [payload["id"]] and listed[0]["status"] == "pending"
    on_file = send("GET", f"/api/people/{cg2.pk}", api_token(demo.users["cg1"])).json()["transfers"]
    assert [t["id"] for t in on_file] == [payload["id"]]
    url = f"/api/transfers/{payload['id']}/decide"
    chinese_error(send("POST", url, bureau, {"decision": "refuse", "note": ""}))
    chinese_error(send("POST", url, api_token(demo.users["cg1"]), {"decision": "approve"}), 403)
    decided = send("POST", url, bureau, {"decision": "approve"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    cg2.refresh_from_db()
    assert cg2.institution == demo.stations[1]
    chinese_error(send("POST", url, bureau, {"decision": "approve"}), 409)  # decided already: a conflict


def test_transfer_beside_is_404_and_bad_input_is_chinese(demo, api_token):
    from xieguan.accounts.services import transfer_request

    bureau_user = demo.users["bureau"]
    transfer = transfer_request(
        actor=bureau_user, person=demo.users["cg2"], to_institution=demo.stations[1], reason="工作需要"
    )
    dh1 = api_token(demo.users["dh1"])
    response = send("GET", f"/api/transfers/{transfer.pk}", dh1)
    assert response.status_code == 404 and demo.users["cg2"].full_name not in response.content.decode()
    assert send("POST", f"/api/transfers/{transfer.pk}/decide", dh1, {"decision": "approve"}).status_code == 404
    chinese_error(send("POST", f"/api/transfers/{transfer.pk}/decide", api_token(bureau_user), {"decision": "ok"}))
    chinese_error(
        send(
            "POST",
            "/api/transfers",
            api_token(bureau_user),
            {"person_id": str(demo.users["cg1"].pk), "to_institution_id": str(demo.stations[1].pk), "reason": "  "},
        )
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_transfer_list_needs_the_right_and_costs_constant_queries(demo, api_token):
    from xieguan.accounts.services import transfer_request

    chinese_error(send("GET", "/api/transfers", api_token(demo.users["cg1"])), 403)
    bureau_user = demo.users["bureau"]
    headers = api_token(bureau_user)

    def grow():
        for name in ("cg1", "cg2"):
            transfer_request(actor=bureau_user, person=demo.users[name], to_institution=demo.stations[1], reason="调")

    assert_constant_queries(lambda: send("GET", "/api/transfers", headers), grow, exactly=4)


# --- institutions ---------------------------------------------------------------


def test_institution_patch_and_supervisor(demo, api_token):
    station = demo.stations[0]
    bureau = api_token(demo.users["bureau"])
    changed = send("PATCH", f"/api/institutions/{station.pk}", bureau, {"phone": "0371-1234567", "host": "镇卫生院"})
    assert changed.status_code == 200 and changed.json()["host"] == "镇卫生院"
    chinese_error(send("PATCH", f"/api/institutions/{station.pk}", bureau, {"name": ""}))
    chinese_error(send("PATCH", f"/api/institutions/{station.pk}", bureau, {"phone": "abc"}))
    chinese_error(send("PATCH", f"/api/institutions/{station.pk}", api_token(demo.users["cg1"]), {"host": "x"}), 403)
    response = send("PATCH", f"/api/institutions/{station.pk}", api_token(demo.users["dh1"]), {"host": "x"})
    assert response.status_code == 404 and station.name not in response.content.decode()
    station.refresh_from_db()
    assert station.host == "镇卫生院"

    url = f"/api/institutions/{station.pk}/supervisor"
    inst = demo.users["inst"]
    assert send("PUT", url, bureau, {"supervisor_id": str(inst.pk)}).json()["responsible_supervisor_id"] == str(inst.pk)
    chinese_error(send("PUT", url, bureau, {"supervisor_id": str(demo.users["cg1"].pk)}))
    assert send("PUT", url, api_token(demo.users["dh1"]), {"supervisor_id": None}).status_code == 404
    events = AuditEvent.objects.filter(action="institution.assign_supervisor", object_id=str(station.pk))
    before = events.count()
    assert send("PUT", url, bureau, {"supervisor_id": None}).json()["responsible_supervisor_id"] is None
    assert events.count() == before + 1
    assert Institution.objects.get(pk=station.pk).responsible_supervisor is None


# --- API tokens, one's own password and two-step sign-in ----------------------------


def test_api_token_create_is_idempotent_listed_and_revoked(demo, api_token):
    cg1 = demo.users["cg1"]
    headers = api_token(cg1)
    token_id = str(uuid.uuid4())
    made = send("POST", "/api/api-tokens", headers, {"id": token_id})
    assert made.status_code == 201 and made.json()["token"]
    again = send("POST", "/api/api-tokens", headers, {"id": token_id})
    assert again.status_code == 200 and again.json()["token"] is None
    assert ApiToken.objects.filter(pk=token_id).count() == 1
    new_key = {"HTTP_AUTHORIZATION": f"Bearer {made.json()['token']}"}
    assert send("GET", "/api/me", new_key).json()["username"] == "cg1"
    mine = {t["id"] for t in send("GET", "/api/api-tokens", headers).json()["items"]}
    assert token_id in mine
    managed = send("GET", f"/api/api-tokens?person_id={cg1.pk}", api_token(demo.users["bureau"])).json()["items"]
    assert token_id in {t["id"] for t in managed}
    chinese_error(send("GET", f"/api/api-tokens?person_id={cg1.pk}", api_token(demo.users["cg2"])), 403)
    assert send("GET", f"/api/api-tokens?person_id={cg1.pk}", api_token(demo.users["dh1"])).status_code == 404
    chinese_error(send("POST", "/api/api-tokens", headers, {"id": "not-a-uuid"}))

    assert send("POST", f"/api/api-tokens/{token_id}/revoke", api_token(demo.users["dh1"])).status_code == 404
    chinese_error(send("POST", f"/api/api-tokens/{token_id}/revoke", api_token(demo.users["city"])), 403)
    assert send("GET", "/api/me", new_key).status_code == 200
    revoked = send("POST", f"/api/api-tokens/{token_id}/revoke", headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert send("GET", "/api/me", new_key).status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(cg1.pk)).count() == 1


def test_api_token_list_costs_constant_queries(demo, api_token):
    from xieguan.accounts.services import token_issue

    cg1 = demo.users["cg1"]
    headers = api_token(cg1)
    assert_constant_queries(
        lambda: send("GET", "/api/api-tokens", headers),
        lambda: [token_issue(user=cg1) for _n in range(3)],
        exactly=3,
    )


def test_own_password_change_revokes_every_token(demo, api_token, demo_password):
    cg1 = demo.users["cg1"]
    headers = api_token(cg1)
    chinese_error(
        send("POST", "/api/auth/password", headers, {"old_password": "wrong", "new_password": "Xin#mima2026"})
    )
    chinese_error(send("POST", "/api/auth/password", headers, {"old_password": demo_password, "new_password": "1"}))
    body = {"old_password": demo_password, "new_password": "Xin#mima2026"}
    assert send("POST", "/api/auth/password", headers, body).status_code == 204
    cg1.refresh_from_db()
    assert cg1.check_password("Xin#mima2026")
    assert send("GET", "/api/me", headers).status_code == 401


def test_own_two_step_sign_in_on_codes_and_off(demo, api_token):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    cg1 = demo.users["cg1"]
    headers = api_token(cg1)
    assert send("GET", "/api/auth/two-factor", headers).json() == {"on": False, "backup_codes_left": 0}
    started = send("POST", "/api/auth/two-factor/start", headers).json()
    assert started["config_url"].startswith("otpauth://")
    chinese_error(
        send("POST", "/api/auth/two-factor/confirm", headers, {"device_id": started["device_id"], "code": "000000"})
    )
    forget_failures(cg1)  # a wrong code makes the device wait (django-otp's throttle)
    device = TOTPDevice.objects.get(pk=started["device_id"])
    code = f"{totp(device.bin_key):06d}"
    confirmed = send("POST", "/api/auth/two-factor/confirm", headers, {"device_id": device.pk, "code": code})
    assert confirmed.status_code == 200 and len(confirmed.json()["backup_codes"]) == 10
    assert send("GET", "/api/auth/two-factor", headers).json() == {"on": True, "backup_codes_left": 10}
    chinese_error(send("POST", "/api/auth/two-factor/start", headers))
    backup = confirmed.json()["backup_codes"]
    fresh = send("POST", "/api/auth/two-factor/backup-codes", headers, {"code": backup[0]})
    assert fresh.status_code == 200 and set(fresh.json()["backup_codes"]).isdisjoint(backup)
    chinese_error(send("POST", "/api/auth/two-factor/off", headers, {"code": "123456"}))
    forget_failures(cg1)
    off = send("POST", "/api/auth/two-factor/off", headers, {"code": fresh.json()["backup_codes"][0]})
    assert off.status_code == 200 and not TOTPDevice.objects.filter(user=cg1).exists()
    assert AuditEvent.objects.filter(action__in=["two_factor.on", "two_factor.off"], object_id=str(cg1.pk)).count() == 2


def forget_failures(user):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


@pytest.mark.parametrize("who", ["cg1", "dh1"])
def test_own_two_step_state_is_ones_own(demo, api_token, who):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=demo.users["cg1"], name="app", confirmed=True)
    state = send("GET", "/api/auth/two-factor", api_token(demo.users[who])).json()
    assert state["on"] is (who == "cg1")


def test_changing_the_administrators_account_is_a_role_limit_403_and_changes_nothing(demo, api_token):
    admin = demo.users["admin"]
    assert admin.is_superuser
    before = admin.full_name
    refused = send("PATCH", f"/api/people/{admin.pk}", api_token(demo.users["bureau"]), {"full_name": "改名"})
    body = chinese_error(refused, 403)
    assert "系统管理员" in body["detail"]
    admin.refresh_from_db()
    assert admin.full_name == before
