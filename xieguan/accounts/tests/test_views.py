import pytest
from django.test import Client
from django.urls import reverse

from xieguan.accounts.models import User
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries


def test_login_page_is_chinese(db):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "卫生监督协管信息系统" in page and "用户名" in page


def test_five_wrong_passwords_lock_the_account_for_15_minutes(demo, demo_password):
    client = Client()
    for _ in range(5):
        response = client.post(reverse("accounts:login"), {"username": "cg1", "password": "wrong-password"})
    assert "账号已锁定 15 分钟" in response.content.decode()
    # the right password does not get in while locked
    response = client.post(reverse("accounts:login"), {"username": "cg1", "password": demo_password})
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(actor_username="cg1", action="session.locked_out").exists()
    # another account is not affected
    assert Client().post(reverse("accounts:login"), {"username": "cg2", "password": demo_password}).status_code == 302


def test_lockout_ends_after_the_cool_off(demo, demo_password, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    client = Client()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "cg1", "password": "wrong-password"})
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert client.post(reverse("accounts:login"), {"username": "cg1", "password": demo_password}).status_code == 302


PERSON_PAGES = [("accounts:person_detail", "cg2"), ("accounts:institution_detail", None)]


@pytest.mark.parametrize(("name", "target"), PERSON_PAGES)
def test_people_and_institutions_inside_and_above(demo, login, name, target, inside_or_above):
    obj = demo.users[target] if target else demo.stations[0]
    assert login(inside_or_above).get(reverse(name, args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("name", ["accounts:person_edit", "accounts:person_password", "accounts:person_move"])
@pytest.mark.parametrize(("who", "status"), [("bureau", 200), ("cg1", 403), ("city", 403), ("dh1", 404)])
def test_managing_a_person_inside_above_and_beside(demo, login, name, who, status):
    assert login(demo.users[who]).get(reverse(name, args=[demo.users["cg2"].pk])).status_code == status


@pytest.mark.parametrize("who", ["dh1", "cg1", "city"])
def test_denied_person_edit_changes_nothing(demo, login, who):
    target = demo.users["cg2"]
    login(demo.users[who]).post(
        reverse("accounts:person_edit", args=[target.pk]), {"full_name": "被改", "roles": ["comanager"]}
    )
    target.refresh_from_db()
    assert target.full_name == "刘志强"


def test_outsider_does_not_see_the_first_township_in_lists(demo, login, outsider):
    client = login(outsider)
    people = client.get(reverse("accounts:person_list")).content.decode()
    assert "王秀兰" not in people and "赵春梅" in people
    institutions = client.get(reverse("accounts:institution_list")).content.decode()
    assert "城关镇卫生监督协管站" not in institutions and "河东镇卫生监督协管站" in institutions


def test_bureau_adds_a_person_and_a_typo_keeps_the_form(demo, login, county_admin):
    client = login(county_admin)
    data = {
        "username": "qs2",
        "password": "short",
        "institution": demo.stations[2].pk,
        "full_name": "青山二",
        "roles": ["comanager"],
        "phone": "13800000000",
    }
    response = client.post(reverse("accounts:person_create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "太短" in page and 'value="青山二"' in page
    data["password"] = "Qingshan#2026x"
    response = client.post(reverse("accounts:person_create"), data)
    assert response.status_code == 302
    assert User.objects.get(username="qs2").institution == demo.stations[2]


def test_phone_numbers_are_masked_for_non_managers(demo, login, comanager_in):
    page = login(comanager_in).get(reverse("accounts:person_detail", args=[demo.users["cg2"].pk])).content.decode()
    assert "138****1002" in page and "13899991002" not in page


def test_transfer_through_the_pages(demo, login, county_admin):
    client = login(county_admin)
    cg2 = demo.users["cg2"]
    response = client.post(
        reverse("accounts:person_move", args=[cg2.pk]), {"institution": demo.stations[2].pk, "reason": "青山镇缺协管员"}
    )
    assert response.status_code == 302
    transfer = cg2.transfers.get()
    assert "青山镇缺协管员" in client.get(reverse("accounts:transfer_list")).content.decode()
    client.post(reverse("accounts:transfer_decide", args=[transfer.pk]), {"decision": "approve"})
    cg2.refresh_from_db()
    assert cg2.institution == demo.stations[2]


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [("accounts:person_list", 10), ("accounts:institution_list", 9), ("accounts:transfer_list", 9)],
)
def test_list_pages_query_count_does_not_grow(demo, login, county_admin, url_name, queries):
    from xieguan.accounts import services

    client = login(county_admin)

    def grow():
        for i in range(5):
            person = services.user_create(
                actor=county_admin,
                institution=demo.stations[2],
                username=f"grow{i}",
                password="Qingshan#2026x",
                roles=["comanager"],
            )
            services.transfer_request(actor=county_admin, person=person, to_institution=demo.stations[3], reason="x")
            services.institution_create(actor=county_admin, area=demo.villages[i], name=f"增{i}", type="info_point")

    assert_constant_queries(lambda: client.get(reverse(url_name)), grow, exactly=queries)


@pytest.mark.parametrize("name", ["accounts:institution_edit", "accounts:institution_supervisor"])
@pytest.mark.parametrize(("who", "status"), [("bureau", 200), ("cg1", 403), ("inst", 403), ("city", 403), ("dh1", 404)])
def test_managing_a_station_inside_above_and_beside(demo, login, name, who, status):
    assert login(demo.users[who]).get(reverse(name, args=[demo.stations[0].pk])).status_code == status


@pytest.mark.parametrize(("who", "status"), [("bureau", 200), ("cg1", 403), ("city", 403), ("dh1", 404)])
def test_deciding_a_transfer_inside_above_and_beside(demo, login, county_admin, who, status):
    from xieguan.accounts import services

    transfer = services.transfer_request(
        actor=county_admin, person=demo.users["cg2"], to_institution=demo.stations[2], reason="支援"
    )
    client = login(demo.users[who])
    assert client.get(reverse("accounts:transfer_decide", args=[transfer.pk])).status_code == status
    if status != 200:
        client.post(reverse("accounts:transfer_decide", args=[transfer.pk]), {"decision": "approve"})
        transfer.refresh_from_db()
        assert transfer.status == "pending"
        assert User.objects.get(username="cg2").institution == demo.stations[0]


@pytest.mark.parametrize(("who", "active"), [("bureau", False), ("cg1", True), ("city", True), ("dh1", True)])
def test_deactivating_inside_above_and_beside(demo, login, who, active):
    target = demo.users["cg2"]
    login(demo.users[who]).post(reverse("accounts:person_active", args=[target.pk]), {"active": "0"})
    target.refresh_from_db()
    assert target.is_active is active


def test_station_edit_by_outsider_changes_nothing(demo, login, outsider):
    station = demo.stations[0]
    login(outsider).post(reverse("accounts:institution_edit", args=[station.pk]), {"name": "被改名", "phone": "1"})
    station.refresh_from_db()
    assert station.name == "城关镇卫生监督协管站"
