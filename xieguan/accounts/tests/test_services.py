import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from xieguan.accounts import services
from xieguan.accounts.models import ApiToken, TransferRequest, User
from xieguan.core.models import AuditEvent

GOOD = "Qingshan#2026x"


def test_county_admin_creates_a_comanager(demo, county_admin):
    person = services.user_create(
        actor=county_admin,
        institution=demo.stations[2],
        username="qs1",
        password=GOOD,
        roles=["comanager"],
        full_name="青山一",
        id_number="11010519491231002X",
    )
    assert person.check_password(GOOD) and person.role_codes == {"comanager"}
    event = AuditEvent.objects.get(action="user.create", object_id=str(person.pk))
    assert "password" not in event.changes


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!A", "太短"),
        ("alllowercaseletters", "至少包含以下"),
        ("qwertyuiop", "太常见"),
        ("1234567890123", "只包含数字"),
    ],
)
def test_password_policy(demo, county_admin, password, message):
    with pytest.raises(ValidationError) as info:
        services.user_create(
            actor=county_admin, institution=demo.stations[2], username="qs1", password=password, roles=["comanager"]
        )
    assert message in " ".join(info.value.message_dict["password"])
    assert not User.objects.filter(username="qs1").exists()


def test_roles_must_fit_the_institution(demo, county_admin):
    with pytest.raises(ValidationError) as info:
        services.user_create(
            actor=county_admin, institution=demo.stations[2], username="qs1", password=GOOD, roles=["county_leader"]
        )
    assert "roles" in info.value.message_dict


def test_bad_id_number_is_refused(demo, county_admin):
    with pytest.raises(ValidationError) as info:
        services.user_create(
            actor=county_admin,
            institution=demo.stations[2],
            username="qs1",
            password=GOOD,
            roles=["comanager"],
            id_number="110105194912310021",
        )
    assert "校验不符" in " ".join(info.value.message_dict["id_number"])


def test_comanager_cannot_create_people(demo, comanager_in):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=comanager_in, institution=demo.stations[0], username="x1", password=GOOD, roles=["comanager"]
        )


def test_comanager_moves_only_after_the_bureau_approves(demo, county_admin):
    cg2 = demo.users["cg2"]
    with pytest.raises(ValidationError):
        services.user_move(actor=county_admin, person=cg2, institution=demo.stations[2])
    transfer = services.transfer_request(
        actor=county_admin, person=cg2, to_institution=demo.stations[2], reason="青山镇缺人"
    )
    cg2.refresh_from_db()
    assert cg2.institution == demo.stations[0]
    services.transfer_decide(actor=county_admin, transfer=transfer, approve=True)
    cg2.refresh_from_db()
    assert cg2.institution == demo.stations[2]
    assert AuditEvent.objects.filter(action="transfer.approve", object_id=str(transfer.pk)).exists()


def test_refusal_needs_a_reason_and_leaves_the_person(demo, county_admin):
    cg2 = demo.users["cg2"]
    transfer = services.transfer_request(actor=county_admin, person=cg2, to_institution=demo.stations[2], reason="调整")
    with pytest.raises(ValidationError):
        services.transfer_decide(actor=county_admin, transfer=transfer, approve=False, note="")
    services.transfer_decide(actor=county_admin, transfer=transfer, approve=False, note="本镇人手不足")
    cg2.refresh_from_db()
    assert cg2.institution == demo.stations[0]
    assert TransferRequest.objects.get(pk=transfer.pk).status == "refused"
    with pytest.raises(ValidationError):
        services.transfer_decide(actor=county_admin, transfer=transfer, approve=True)


def test_only_one_pending_transfer(demo, county_admin):
    cg2 = demo.users["cg2"]
    services.transfer_request(actor=county_admin, person=cg2, to_institution=demo.stations[2], reason="一")
    with pytest.raises(ValidationError):
        services.transfer_request(actor=county_admin, person=cg2, to_institution=demo.stations[3], reason="二")


def test_supervisor_move_is_direct(demo, county_admin):
    person = services.user_move(actor=county_admin, person=demo.users["inst2"], institution=demo.bureau)
    assert person.institution == demo.bureau


def test_outsider_cannot_touch_another_townships_people(demo, outsider):
    with pytest.raises((Http404, PermissionDenied)):
        services.user_update(actor=outsider, person=demo.users["cg2"], full_name="被改")
    assert User.objects.get(username="cg2").full_name == "刘志强"


def test_responsible_supervisor_must_be_a_county_supervisor(demo, county_admin):
    station = demo.stations[3]
    services.institution_assign_supervisor(actor=county_admin, institution=station, supervisor=demo.users["inst"])
    station.refresh_from_db()
    assert station.responsible_supervisor == demo.users["inst"]
    with pytest.raises(ValidationError):
        services.institution_assign_supervisor(actor=county_admin, institution=station, supervisor=demo.users["cg1"])


def test_institution_must_sit_at_its_level(demo, county_admin):
    with pytest.raises(ValidationError):
        services.institution_create(actor=county_admin, area=demo.county, name="错误的站", type="station")
    inst = services.institution_create(
        actor=county_admin, area=demo.villages[0], name="新信息点", type="info_point", id=uuid.uuid4()
    )
    assert inst.area == demo.villages[0]


def test_password_change_and_deactivation_revoke_tokens(demo, county_admin, comanager_in, demo_password):
    services.token_issue(user=comanager_in)
    services.password_change(actor=comanager_in, old_password=demo_password, new_password=GOOD)
    assert not ApiToken.objects.filter(user=comanager_in, revoked_at__isnull=True).exists()
    services.token_issue(user=comanager_in)
    services.user_set_active(actor=county_admin, person=comanager_in, active=False)
    assert not ApiToken.objects.filter(user=comanager_in, revoked_at__isnull=True).exists()
