"""The demo county's registry: about 1,500 supervised units over its
townships and villages, with licences and staff certificates — a few
licences expired, a few expiring within 30 days, a few files incomplete.

Made with bulk inserts (and their history rows) so `make run` stays quick;
the values are exactly what the services would store."""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from xieguan.core.statistics import analysed
from xieguan.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_character
from xieguan.demo.county import COUNTY_CODE, DemoCounty
from xieguan.units.models import (
    Category,
    CertificateKind,
    FieldKind,
    Licence,
    RiskGrade,
    StaffCertificate,
    Unit,
    UnitStatus,
    county_id_of,
)
from xieguan.units.selectors import COMMON_REQUIRED
from xieguan.units.services import record_filing_baseline

UNIT_COUNT = 1500

# category code → share of the registry
SHARES = {"food": 40, "public_place": 30, "medical": 10, "school": 8, "drinking_water": 7, "occupational": 5}

PREFIXES = list(
    "红星 福满 金源 鑫隆 兴旺 康乐 阳光 顺发 和平 东方 新华 永盛 宏达 鸿运 富贵 "
    "平安 吉祥 丰收 长青 春晖 明珠 金鼎 银河 万家 好运 美佳 百姓 老街 老王 "
    "李记 张记 刘记 陈记 四季 聚福 龙腾 凤凰 旺角 悦来".split()
)
# subtype name → name endings
ENDINGS = {
    "住宿": ["酒店", "宾馆", "旅社", "客栈", "招待所"],
    "沐浴": ["浴池", "洗浴中心", "足浴店"],
    "美容美发": ["理发店", "美发沙龙", "美容院"],
    "游泳场所": ["游泳馆"],
    "歌舞厅/网吧等文化娱乐": ["网吧", "KTV", "歌舞厅"],
    "商场": ["超市", "商场", "购物中心"],
    "候车室": ["汽车站候车室"],
    "农村集中式供水": ["供水站", "水厂"],
    "城市二次供水": ["小区二次供水泵房"],
    "学校供水/自备水": ["学校自备水井"],
    "分散式供水": ["集中供水点"],
    "托幼机构": ["幼儿园"],
    "小学": ["小学"],
    "中学": ["中学"],
    "职业学校": ["职业技术学校"],
    "村卫生室": ["卫生室"],
    "个体诊所": ["诊所", "中医诊所", "口腔诊所"],
    "民营医院/门诊部": ["门诊部", "医院"],
    "卫生院": ["卫生院"],
    "采供血机构": ["单采血浆站"],
    "餐饮服务单位": ["饭店", "酒家", "面馆", "小吃店", "火锅店", "快餐店"],
    "集体食堂": ["单位食堂", "企业职工食堂"],
    "农村家宴": ["家宴服务队"],
    "建筑工地食堂": ["工地食堂"],
    "存在职业病危害的用人单位": ["建材厂", "家具厂", "石材加工厂", "机械厂", "化工有限公司"],
}
STREETS = ["人民路", "建设路", "解放路", "中山路", "文化路", "健康路", "新华街", "商贸街", "滨河路", "工业路"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "建国 秀英 桂兰 志强 海燕 春梅 文华 丽娟 国庆 红梅 永明 玉兰 军 伟 芳 磊 静 勇 敏 强".split()
# category → (licence kind, issuer)
LICENCES = {
    "public_place": ("卫生许可证", "示范县卫生健康局"),
    "drinking_water": ("卫生许可证", "示范县卫生健康局"),
    "medical": ("医疗机构执业许可证", "示范县卫生健康局"),
    "food": ("食品经营许可证", "示范县市场监督管理局"),
}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _credit_code(rng: random.Random, serial: int, category: str) -> str:
    # 91 company, 92 individual business, 12 public institution (schools,
    # health centres), 52 social organisation; the subject code ends in a
    # letter so demo codes look like real ones.
    prefix = {"school": "12", "medical": rng.choice(["12", "52", "92"]), "food": rng.choice(["91", "92", "92"])}.get(
        category, rng.choice(["91", "92"])
    )
    subject = f"{serial:08d}" + rng.choice(CREDIT_CODE_ALPHABET[10:])
    first17 = prefix + COUNTY_CODE + subject
    return first17 + credit_code_check_character(first17)


def _extra_value(rng: random.Random, field: Any, licence_no: str) -> Any:
    if field.kind == FieldKind.INT:
        return rng.randint(3, 400)
    if field.kind == FieldKind.DECIMAL:
        return str(rng.randint(30, 3000))
    if field.kind == FieldKind.BOOL:
        return rng.random() < 0.4
    if field.kind == FieldKind.DATE:
        return (timezone.localdate() - datetime.timedelta(days=rng.randint(10, 300))).isoformat()
    if field.kind == FieldKind.CHOICE:
        return rng.choice(field.choices)
    if field.key.endswith("licence_no"):
        return licence_no
    if field.key == "hazard_factors":
        return rng.choice(["粉尘", "噪声", "粉尘、噪声", "苯", "高温"])
    if field.key == "school_doctor":
        return _person(rng)
    if field.key == "practice_scope":
        return rng.choice(["全科医疗科", "内科；外科", "中医科", "口腔科", "预防保健科"])
    return "—"


# How the same unit gets registered twice: a legal-form suffix, the township
# in front, a stray full stop; full-width digits in the address.
DUPLICATE_NAMES = ["{name}有限公司", "城关镇{name}", "{name}。"]


def _duplicate_a_few(units: list[Unit], township: Any) -> None:
    """Turn the last few units into near-duplicates of units of the first
    township (城关镇), so the possible-duplicates page and merging can be
    shown. The copies have no credit code (one unit per code in a county)."""
    originals = [
        u
        for u in units[: len(units) // 2]
        if u.area.path.startswith(township.path)
        and u.category.code in {"food", "public_place"}
        and u.status == UnitStatus.OPEN
        and u.name != "红星酒店"
    ][: len(DUPLICATE_NAMES)]
    for pattern, original, copy in zip(DUPLICATE_NAMES, originals, units[-len(DUPLICATE_NAMES) :], strict=False):
        copy.name = pattern.format(name=original.name)
        copy.address = original.address.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        copy.fill_derived()
        copy.area, copy.category, copy.subtype = original.area, original.category, original.subtype
        copy.credit_code = None
        copy.status, copy.closed_on = UnitStatus.OPEN, None
        copy.extra = dict(original.extra)
        copy.is_complete = all(getattr(copy, n) not in (None, "") for n, _label in COMMON_REQUIRED) and all(
            copy.extra.get(f.key) not in (None, "") for f in copy.category.fields.all() if f.required
        )


@transaction.atomic
@analysed
def load_units(demo: DemoCounty, *, count: int = UNIT_COUNT, seed: int = 2026) -> list[Unit]:
    """About ``count`` units of every category over the demo county's
    townships and villages (red-star hotel 红星酒店 in 城关镇 among them)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    categories = {c.code: c for c in Category.objects.prefetch_related("subtypes", "fields")}
    places = [*demo.townships, *demo.villages]
    township_of = {v.pk: v.parent for v in demo.villages}
    weighted = [code for code, share in SHARES.items() for _ in range(share)]

    units: list[Unit] = []
    licences: list[Licence] = []
    certificates: list[StaffCertificate] = []
    names_seen: set[str] = set()
    for serial in range(1, count + 1):
        code = "public_place" if serial == 1 else rng.choice(weighted)
        category = categories[code]
        subtypes = list(category.subtypes.all())
        subtype = subtypes[0] if serial == 1 else rng.choice(subtypes)
        area = demo.townships[0] if serial == 1 else rng.choice(places)
        township = township_of.get(area.pk, area)
        if serial == 1:
            name = "红星酒店"
        else:
            stem = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            village = area.name.removesuffix("社区居委会").removesuffix("村") if area is not township else ""
            ending = rng.choice(ENDINGS[subtype.name])
            if code in {"school", "medical", "drinking_water"}:
                # Schools, clinics and waterworks are named after their place.
                name = f"{township.name}{village}{ending}" if village != stem else f"{township.name}{ending}"
            else:
                name = f"{stem}{rng.choice(PREFIXES)}{ending}"
            if name in names_seen and code in {"school", "medical", "drinking_water"}:
                name = f"{township.name}{rng.choice(STREETS).removesuffix('路').removesuffix('街')}{ending}"
            if name in names_seen:
                name = f"{name}（{rng.choice(STREETS)}店）"
            if name in names_seen:
                name = f"{name[:-1]}{serial}）"
        names_seen.add(name)
        licence_no = f"示{code[:2].upper()}{today.year - rng.randint(0, 4)}{serial:05d}"
        has_code = not (subtype.name in {"村卫生室", "农村家宴", "分散式供水"} or rng.random() < 0.05)
        extra = {f.key: _extra_value(rng, f, licence_no) for f in category.fields.all()}
        status = rng.choices([UnitStatus.OPEN, UnitStatus.SUSPENDED, UnitStatus.CLOSED], [92, 5, 3])[0]
        opened_on = today - datetime.timedelta(days=rng.randint(100, 4000))
        unit = Unit(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            name=name,
            credit_code=_credit_code(rng, serial, code) if has_code else None,
            legal_representative=_person(rng),
            phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            address=f"示范县{township.name}{'' if area is township else area.name}{rng.choice(STREETS)}{rng.randint(1, 199)}号",
            latitude=None,
            longitude=None,
            area=area,
            county_id=county_id_of(area),
            category=category,
            subtype=subtype,
            status=status,
            opened_on=opened_on,
            closed_on=today - datetime.timedelta(days=rng.randint(1, 90)) if status == UnitStatus.CLOSED else None,
            is_key_unit=code in {"drinking_water", "school"} or rng.random() < 0.08,
            risk_grade=rng.choice([*RiskGrade.values, ""]),
            hygiene_grade=rng.choice(["A", "B", "B", "C", ""]) if code in {"public_place", "food"} else "",
            extra=extra,
        )
        if rng.random() < 0.3:
            unit.latitude = f"{34.5 + rng.random() * 0.3:.6f}"
            unit.longitude = f"{113.2 + rng.random() * 0.3:.6f}"
        unit.fill_derived()
        # A few files left incomplete, as registries really are.
        if rng.random() < 0.04:
            if rng.random() < 0.5:
                unit.phone = ""
            else:
                required = [f.key for f in category.fields.all() if f.required]
                unit.extra.pop(rng.choice(required), None)
        unit.is_complete = all(getattr(unit, n) not in (None, "") for n, _label in COMMON_REQUIRED) and all(
            unit.extra.get(f.key) not in (None, "") for f in category.fields.all() if f.required
        )
        units.append(unit)

        if code in LICENCES and rng.random() < 0.9:
            kind, issuer = LICENCES[code]
            roll = rng.random()
            if roll < 0.04:
                expires = today - datetime.timedelta(days=rng.randint(1, 200))
            elif roll < 0.08:
                expires = today + datetime.timedelta(days=rng.randint(0, 29))
            else:
                expires = today + datetime.timedelta(days=rng.randint(60, 1400))
            licences.append(
                Licence(
                    unit=unit,
                    kind=kind,
                    number=licence_no,
                    issuer=issuer,
                    issued_on=expires - datetime.timedelta(days=365 * 4),
                    expires_on=expires,
                    scope=subtype.name,
                )
            )
        if code in {"food", "public_place"}:
            for _ in range(rng.randint(1, 3)):
                certificates.append(
                    StaffCertificate(
                        unit=unit,
                        person_name=_person(rng),
                        kind=CertificateKind.HEALTH,
                        number=f"JK{rng.randint(100000, 999999)}",
                        expires_on=today + datetime.timedelta(days=rng.randint(-60, 365)),
                    )
                )
    _duplicate_a_few(units, demo.townships[0])
    bulk_create_with_history(units, Unit, batch_size=500)
    # Each file as made, since the unit opened: the dashboard's past months show a registry, not an empty one.
    record_filing_baseline(Unit.objects.filter(county=demo.county))
    Licence.objects.bulk_create(licences, batch_size=500)
    StaffCertificate.objects.bulk_create(certificates, batch_size=500)
    return units
