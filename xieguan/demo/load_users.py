"""The 40 people of the load test (issue 19 item 5) on the generated
province: co-managers of several townships (two per township, so that
each inspection has the two inspectors the submit rule asks for), county
supervisors, county leaders, and higher-level readers of a city and of the
province. Made once, kept: a second call finds them and changes nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from xieguan.accounts.models import Institution, InstitutionType, Role, RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.demo.province import PROVINCE_CODE

LOAD_PASSWORD = "Load@Xieguan2026"
COUNTIES = 2  # the first counties of the province, by code
TOWNSHIPS_PER_COUNTY = 6  # two co-managers each: 24 co-managers
SUPERVISORS_PER_COUNTY = 4
LEADERS_PER_COUNTY = 2
CITY_READERS = 2
PROVINCE_READERS = 2


@dataclass(frozen=True)
class LoadLogin:
    """One person of the load: what the locustfile needs to act as them."""

    username: str
    kind: str  # comanager | supervisor | leader | higher
    user_id: str
    area_id: str  # the township, county, prefecture or province they work in
    partner_id: str = ""  # co-managers: the colleague who inspects with them

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _institution(name: str, type_: str, area: Area) -> Institution:
    found = Institution.objects.filter(area=area, type=type_, name=name).first()
    return found or Institution.objects.create(name=name, type=type_, area=area)


def _person(username: str, full_name: str, institution: Institution, role: str, hashed: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, institution=institution)
        user.password = hashed
        user.save()
        user.roles.set(Role.objects.filter(code=role))
    return user


@transaction.atomic
def ensure_load_users(password: str = LOAD_PASSWORD) -> list[LoadLogin]:
    """The load's people, made where missing; raises when there is no
    generated province (run ``make_province`` first)."""
    province = Area.objects.filter(code=f"{PROVINCE_CODE}0000000000").first()
    if province is None:
        raise RuntimeError("no generated province: run manage.py make_province first")
    hashed = make_password(password)  # once: PBKDF2 for 40 people would take seconds
    counties = list(Area.objects.filter(level=Level.COUNTY, path__startswith=province.path).order_by("code")[:COUNTIES])
    logins: list[LoadLogin] = []
    n = 0
    for c, county in enumerate(counties, start=1):
        for township in Area.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code")[
            :TOWNSHIPS_PER_COUNTY
        ]:
            station = _institution(f"{township.name}卫生监督协管站", InstitutionType.STATION, township)
            pair = []
            for _i in range(2):
                n += 1
                pair.append(_person(f"load_cg{n:02d}", f"协管员{n:02d}", station, RoleCode.COMANAGER, hashed))
            for me, partner in (pair, pair[::-1]):
                logins.append(LoadLogin(me.username, "comanager", str(me.pk), str(township.pk), str(partner.pk)))
        institute = _institution(f"{county.name}卫生监督所", InstitutionType.INSTITUTE, county)
        bureau = _institution(f"{county.name}卫生健康局", InstitutionType.BUREAU, county)
        for i in range(1, SUPERVISORS_PER_COUNTY + 1):
            name = f"load_sup{c}{i}"
            user = _person(name, f"监督员{c}{i}", institute, RoleCode.SUPERVISOR, hashed)
            logins.append(LoadLogin(name, "supervisor", str(user.pk), str(county.pk)))
        for i in range(1, LEADERS_PER_COUNTY + 1):
            name = f"load_lead{c}{i}"
            user = _person(name, f"县领导{c}{i}", bureau, RoleCode.COUNTY_LEADER, hashed)
            logins.append(LoadLogin(name, "leader", str(user.pk), str(county.pk)))
    prefecture = counties[0].parent
    assert prefecture is not None
    city = _institution(f"{prefecture.name}卫生健康委员会", InstitutionType.BUREAU, prefecture)
    commission = _institution(f"{province.name}卫生健康委员会", InstitutionType.BUREAU, province)
    for i in range(1, CITY_READERS + 1):
        user = _person(f"load_city{i}", f"市级用户{i}", city, RoleCode.HIGHER_READONLY, hashed)
        logins.append(LoadLogin(user.username, "higher", str(user.pk), str(prefecture.pk)))
    for i in range(1, PROVINCE_READERS + 1):
        user = _person(f"load_prov{i}", f"省级用户{i}", commission, RoleCode.HIGHER_READONLY, hashed)
        logins.append(LoadLogin(user.username, "higher", str(user.pk), str(province.pk)))
    return logins
