"""The demo county 示范县 (fictional; every code begins with 99 so that it
matches no real place) with its institutions and the fixed demo logins.

Later parts of the product add their records in their own modules, called
in order by the ``load_demo`` command."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from xieguan.accounts.models import Education, Institution, InstitutionType, Role, RoleCode, User
from xieguan.areas.models import Area, Level

DEMO_PASSWORD = "Xieguan@2026"

# (username, role description) as `make run` prints them.
DEMO_LOGINS = [
    ("admin", "系统管理员"),
    ("bureau", "县卫生健康局领导（管理全县人员）"),
    ("inst", "县卫生监督所监督员，城关镇责任监督员"),
    ("cg1", "城关镇协管员"),
    ("cg2", "城关镇协管员"),
    ("dh1", "河东镇协管员"),
    ("cun1", "城关镇李家村信息员"),
    ("city", "示范市（只读上级）"),
]

# township name, 3-digit township code, [(village name, 3-digit village code)]
TOWNSHIPS = [
    ("城关镇", "100", [("城北社区居委会", "001"), ("李家村", "201"), ("王庄村", "202")]),
    ("河东镇", "101", [("河东村", "201"), ("张湾村", "202")]),
    ("青山镇", "102", [("青山村", "201"), ("石门村", "202")]),
    ("柳林镇", "103", [("柳林村", "201"), ("赵家村", "202")]),
    ("石桥镇", "104", [("石桥村", "201")]),
    ("东关街道", "001", [("东关社区居委会", "001")]),
    ("西湖街道", "002", [("西湖社区居委会", "001")]),
    ("白沙乡", "200", [("白沙村", "201"), ("新庄村", "202")]),
    ("马坊乡", "201", [("马坊村", "201")]),
    ("杨庄乡", "202", [("杨庄村", "201")]),
]

COUNTY_CODE = "990101"


@dataclass
class DemoCounty:
    province: Area
    prefecture: Area
    county: Area
    townships: list[Area] = field(default_factory=list)
    villages: list[Area] = field(default_factory=list)
    bureau: Institution | None = None
    institute: Institution | None = None
    stations: list[Institution] = field(default_factory=list)
    info_points: list[Institution] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)


class _Rows:
    """The county's rows as they are made, written in one bulk insert per
    table (with their history rows) at the end: the demo county is set up
    for most of the suite's tests, and one INSERT per row (three with the
    history and the roles) made it a third of a second each time."""

    def __init__(self) -> None:
        self.areas: list[Area] = []
        self.institutions: list[Institution] = []
        self.users: list[User] = []
        self.roles: list[tuple[User, list[str]]] = []

    def area(self, parent: Area | None, name: str, level: int, code: str) -> Area:
        area = Area(parent=parent, name=name, level=level, code=code)
        area.path = area.compute_path()  # what Area.save() would set
        self.areas.append(area)
        return area

    def institution(self, **fields: object) -> Institution:
        institution = Institution(**fields)
        self.institutions.append(institution)
        return institution

    def user(
        self, username: str, full_name: str, institution: Institution, roles: list[str], **profile: object
    ) -> User:
        # Hash the shared demo password once: PBKDF2 for ~45 people would take seconds.
        if "hash" not in _hashed_password:
            _hashed_password["hash"] = make_password(DEMO_PASSWORD)
        user = User(username=username, full_name=full_name, institution=institution, **profile)
        user.password = _hashed_password["hash"]
        self.users.append(user)
        self.roles.append((user, roles))
        return user

    def write(self) -> None:
        bulk_create_with_history(self.areas, Area)
        bulk_create_with_history(self.institutions, Institution)
        bulk_create_with_history(self.users, User)
        User.roles.through.objects.bulk_create(
            [User.roles.through(user_id=user.pk, role_id=code) for user, codes in self.roles for code in codes]
        )


_hashed_password: dict[str, str] = {}


def add_demo_user(username: str, full_name: str, institution: Institution, roles: list[str], **profile: object) -> User:
    """One more person with the demo password, saved at once (a journey's
    second supervisor, say)."""
    user = _Rows().user(username, full_name, institution, roles, **profile)
    user.save()
    user.roles.set(roles)
    return user


@transaction.atomic
def load_county() -> DemoCounty:
    """Areas, institutions and people of the demo county."""
    # The role rows come from a data migration; a flushed test database (a
    # transactional test) has lost them, so make sure they are there.
    Role.objects.bulk_create([Role(code=code) for code in RoleCode.values], ignore_conflicts=True)
    rows = _Rows()
    opened = datetime.date(2015, 1, 1)
    province = rows.area(None, "示范省", Level.PROVINCE, "990000000000")
    prefecture = rows.area(province, "示范市", Level.PREFECTURE, "990100000000")
    county = rows.area(prefecture, "示范县", Level.COUNTY, COUNTY_CODE + "000000")
    demo = DemoCounty(province=province, prefecture=prefecture, county=county)

    city_commission = rows.institution(
        name="示范市卫生健康委员会", type=InstitutionType.BUREAU, area=prefecture, opened_on=opened
    )
    demo.bureau = rows.institution(
        name="示范县卫生健康局",
        type=InstitutionType.BUREAU,
        area=county,
        opened_on=opened,
        phone="0999-6012345",
        address="示范县人民路 1 号",
    )
    demo.institute = rows.institution(
        name="示范县卫生监督所",
        type=InstitutionType.INSTITUTE,
        area=county,
        opened_on=opened,
        phone="0999-6023456",
        address="示范县健康路 8 号",
    )

    for t_name, t_code, villages in TOWNSHIPS:
        township = rows.area(county, t_name, Level.TOWNSHIP, COUNTY_CODE + t_code + "000")
        demo.townships.append(township)
        host = f"{t_name}卫生院" if not t_name.endswith("街道") else f"{t_name}社区卫生服务中心"
        demo.stations.append(
            rows.institution(
                name=f"{t_name}卫生监督协管站", type=InstitutionType.STATION, area=township, host=host, opened_on=opened
            )
        )
        for v_name, v_code in villages:
            village = rows.area(township, v_name, Level.VILLAGE, COUNTY_CODE + t_code + v_code)
            demo.villages.append(village)
            clinic = f"{v_name}卫生室" if v_name.endswith("村") else f"{v_name.removesuffix('居委会')}卫生服务站"
            demo.info_points.append(
                rows.institution(
                    name=f"{v_name}卫生监督信息点",
                    type=InstitutionType.INFO_POINT,
                    area=village,
                    host=clinic,
                    opened_on=opened,
                )
            )

    appointed = datetime.date(2021, 3, 1)
    u = demo.users
    u["admin"] = rows.user(
        "admin", "系统管理员", demo.bureau, [RoleCode.SYSTEM_ADMIN], is_superuser=True, is_staff=True
    )
    u["bureau"] = rows.user(
        "bureau", "周建国", demo.bureau, [RoleCode.COUNTY_LEADER], title="副局长", phone="13899990001"
    )
    for key, name, title, major, card, phone in (
        ("inst", "李明华", "主管医师", "预防医学", "示卫监2021001", "13899990002"),
        ("inst2", "陈思远", "医师", "公共卫生", "示卫监2021002", "13899990003"),
    ):
        u[key] = rows.user(
            key,
            name,
            demo.institute,
            [RoleCode.SUPERVISOR],
            title=title,
            education=Education.BACHELOR,
            major=major,
            inspection_card_no=card,
            phone=phone,
        )
    station1, station2 = demo.stations[0], demo.stations[1]
    comanager = {
        "education": Education.SECONDARY,
        "major": "临床医学",
        "title": "医士",
        "appointed_on": appointed,
        "health_status": "健康",
    }
    for key, name, station, full_time, phone, card in (
        ("cg1", "王秀兰", station1, True, "13899991001", "示协管2021011"),
        ("cg2", "刘志强", station1, False, "13899991002", "示协管2021012"),
        ("dh1", "赵春梅", station2, True, "13899991003", "示协管2021021"),
        ("dh2", "孙海涛", station2, False, "13899991004", "示协管2021022"),
    ):
        u[key] = rows.user(
            key,
            name,
            station,
            [RoleCode.COMANAGER],
            is_full_time=full_time,
            phone=phone,
            appointment_doc_no="示卫发〔2021〕12号",
            inspection_card_no=card,
            **comanager,
        )
    # 城关镇卫生院's head, the station's responsible leader: sees the roll-up
    # of cg1's and cg2's due lists.
    u["zhen1"] = rows.user("zhen1", "黄卫东", station1, [RoleCode.TOWNSHIP_LEADER], title="院长", phone="13899991005")
    surnames = "张吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施"
    for index, station in enumerate(demo.stations[2:], start=3):
        rows.user(
            f"xg{index:02d}",
            f"{surnames[index]}协管",
            station,
            [RoleCode.COMANAGER],
            inspection_card_no=f"示协管2021{index:02d}1",
            **comanager,
        )
    village_of_cun1 = demo.villages[1]  # 李家村 of 城关镇
    for index, point in enumerate(demo.info_points, start=1):
        username = "cun1" if point.area_id == village_of_cun1.pk else f"cun{index + 1:02d}"
        name = "马德福" if username == "cun1" else f"{surnames[index % len(surnames)]}医生"
        u[username] = rows.user(
            username,
            name,
            point,
            [RoleCode.INFO_OFFICER],
            title="乡村医生",
            education=Education.SECONDARY,
            phone=f"1389999{2000 + index}",
            health_status="健康",
        )
    u["city"] = rows.user("city", "黄立新", city_commission, [RoleCode.HIGHER_READONLY], title="科长")

    rows.write()
    # The stations' responsible supervisors, an update after the people
    # exist (as a county would assign them), with its history row.
    station1.responsible_supervisor = u["inst"]
    station2.responsible_supervisor = u["inst2"]
    for station in demo.stations[2:]:
        station.responsible_supervisor = u["inst2"]
    bulk_update_with_history(demo.stations, Institution, ["responsible_supervisor"])
    User.objects.filter(pk__in=[x.pk for x in u.values()]).update(password_changed_at=timezone.now())
    return demo
