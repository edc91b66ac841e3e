from django.contrib.auth import authenticate
from django.core.management import call_command

from xieguan.accounts.models import Institution
from xieguan.areas.codes import validate_area_code
from xieguan.areas.models import Area
from xieguan.demo.county import DEMO_LOGINS, DEMO_PASSWORD


def test_demo_county_shape(demo):
    assert Area.objects.filter(level=4).count() == 10
    assert 10 <= Area.objects.filter(level=5).count() <= 20
    assert Institution.objects.filter(type="station").count() == 10
    assert Institution.objects.filter(type="info_point").count() == Area.objects.filter(level=5).count()
    assert all(a.code.startswith("99") for a in Area.objects.all())
    for area in Area.objects.exclude(parent=None).select_related("parent"):
        validate_area_code(area.code, level=area.level, parent_code=area.parent.code)


def test_every_demo_login_signs_in(demo, rf):
    for username, _description in DEMO_LOGINS:
        assert authenticate(rf.post("/"), username=username, password=DEMO_PASSWORD) is not None, username


def test_demo_roles_and_places(demo):
    u = demo.users
    assert u["inst"].institution.type == "institute" and demo.stations[0].responsible_supervisor == u["inst"]
    assert u["cg1"].institution == u["cg2"].institution == demo.stations[0]
    assert u["dh1"].institution == demo.stations[1]
    assert u["cun1"].institution.area.parent == demo.townships[0]
    assert u["city"].institution.area == demo.prefecture and u["city"].role_codes == {"higher_readonly"}
    assert u["admin"].is_superuser


def test_load_demo_if_empty_does_nothing_twice(db, capsys):
    call_command("load_demo", "--if-empty")
    call_command("load_demo", "--if-empty")
    assert Area.objects.filter(name="示范县").count() == 1
    assert capsys.readouterr().out.strip() == "已载入示范县演示数据。"
    call_command("load_demo", "--logins")
    assert "cun1" in capsys.readouterr().out
