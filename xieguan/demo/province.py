"""A generated province for the benchmark (SPEC §16, issue 4 item 11): one
province, its prefectures, ``counties`` counties with townships and villages,
and ``units`` supervised units with realistic Chinese names, addresses, valid
credit codes, licences and staff certificates. Seeded: the same arguments
make the same province. Bulk inserts in batches keep 300,000 units to about
a minute on PostgreSQL; history rows and audit events are not written (the
benchmark reads the registry, it does not replay its past), except the
filing history the filing rate of a past month reads (one row a unit)."""

from __future__ import annotations

import datetime
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xieguan.accounts.models import Institution, InstitutionType, Role, RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.statistics import analyse
from xieguan.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_character
from xieguan.demo.units import ENDINGS, GIVEN, LICENCES, PREFIXES, SHARES, STREETS, SURNAMES, _extra_value
from xieguan.units.models import (
    Category,
    CertificateKind,
    Licence,
    RiskGrade,
    StaffCertificate,
    Unit,
    UnitStatus,
    name_initials_of,
    search_grams_of,
)
from xieguan.units.services import record_filing_baseline

PROVINCE_CODE = "97"  # no real province has it; the demo county uses 99
PROVINCE_NAME = "基准省"
BATCH = 5000
SYLLABLES = list("安平清河山阳宁远丰泰和兴华东西南北长永新广德昌明福定盛文武建宝云江湖")
VILLAGE_ENDINGS = ["村", "村", "村", "社区居委会"]


@dataclass
class Province:
    province: Area
    counties: list[Area]
    townships: list[Area]
    users: dict[str, User]


def province_exists() -> bool:
    return Area.objects.filter(code=f"{PROVINCE_CODE}0000000000").exists()


def _names(rng: random.Random, count: int, suffix: str, taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + suffix
        if name not in taken and name[0] != name[1]:
            taken.add(name)
            names.append(name)
    return names


def _area(parent: Area | None, name: str, level: int, code: str, rng: random.Random) -> Area:
    area = Area(id=uuid.UUID(int=rng.getrandbits(128), version=4), parent=parent, name=name, level=level, code=code)
    area.path = (parent.path if parent else "/") + area.segment()
    return area


def _make_areas(rng: random.Random, counties: int) -> tuple[Area, list[Area], list[Area], list[Area]]:
    province = _area(None, PROVINCE_NAME, Level.PROVINCE, f"{PROVINCE_CODE}0000000000", rng)
    prefecture_count = max(1, counties // 10)
    taken: set[str] = set()
    prefectures = [
        _area(province, name, Level.PREFECTURE, f"{PROVINCE_CODE}{i + 1:02d}00000000", rng)
        for i, name in enumerate(_names(rng, prefecture_count, "市", taken))
    ]
    county_areas, townships, villages = [], [], []
    for c, name in enumerate(_names(rng, counties, "县", taken)):
        prefecture = prefectures[c % prefecture_count]
        county = _area(
            prefecture, name, Level.COUNTY, f"{prefecture.code[:4]}{c // prefecture_count + 1:02d}000000", rng
        )
        county_areas.append(county)
        local: set[str] = set()
        for t, tname in enumerate(_names(rng, rng.randint(9, 15), rng.choice(["镇", "镇", "乡"]), local)):
            township = _area(county, tname, Level.TOWNSHIP, f"{county.code[:6]}{t + 1:03d}000", rng)
            townships.append(township)
            for v, vname in enumerate(_names(rng, rng.randint(6, 12), "", local)):
                villages.append(
                    _area(
                        township,
                        vname + rng.choice(VILLAGE_ENDINGS),
                        Level.VILLAGE,
                        f"{township.code[:9]}{v + 1:03d}",
                        rng,
                    )
                )
    return province, prefectures + county_areas, townships, villages


def _bench_users(province: Area, township: Area, county: Area) -> dict[str, User]:
    """A province-level reader, a co-manager of one township, a superuser."""
    provincial = Institution.objects.create(
        name=f"{PROVINCE_NAME}卫生健康委员会", type=InstitutionType.BUREAU, area=province
    )
    station = Institution.objects.create(name=f"{township.name}协管站", type=InstitutionType.STATION, area=township)
    users = {
        "bench_province": User.objects.create_user(
            "bench_province", password=None, institution=provincial, full_name="省级用户"
        ),
        "bench_township": User.objects.create_user(
            "bench_township", password=None, institution=station, full_name="乡镇协管员"
        ),
        "bench_admin": User.objects.create_superuser("bench_admin", password=None, full_name="基准管理员"),
    }
    users["bench_province"].roles.add(Role.objects.get(code=RoleCode.HIGHER_READONLY))
    users["bench_township"].roles.add(Role.objects.get(code=RoleCode.COMANAGER))
    users["bench_county"] = bench_county_user()
    return users


def bench_county_user() -> User:
    """The county leader of the county of ``bench_township`` (``bench_county``),
    made on first use so that a province generated before it existed gets one."""
    found = User.objects.filter(username="bench_county").first()
    if found is not None:
        return found
    township = User.objects.select_related("institution__area__parent").get(username="bench_township")
    county = township.institution.area.parent
    assert county is not None and county.level == Level.COUNTY
    bureau = Institution.objects.create(name=f"{county.name}卫生健康局", type=InstitutionType.BUREAU, area=county)
    user = User.objects.create_user("bench_county", password=None, institution=bureau, full_name="县级用户")
    user.roles.add(Role.objects.get(code=RoleCode.COUNTY_LEADER))
    return user


def _initials(cache: dict[str, str], text: str) -> str:
    found = cache.get(text)
    if found is None:
        found = cache[text] = name_initials_of(text)
    return found


class _Writer:
    """Rows into a table: COPY on PostgreSQL (ten times bulk_create's
    speed), bulk_create elsewhere. Rows are dicts by column name."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def write(self, model: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if not self.postgres:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
            return
        columns = list(rows[0])
        table = model._meta.db_table
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for v in row.values()]
                    )


def make_province(*, units: int = 300_000, counties: int = 100, seed: int = 1, log: Any = None) -> Province:
    """Generate the province (see the module docstring). Raises when one is
    already there: drop the database or use another to start again."""
    if province_exists():
        raise RuntimeError("the benchmark province exists already")
    rng = random.Random(seed)
    say = log or (lambda _msg: None)
    with transaction.atomic():
        province, upper, townships, villages = _make_areas(rng, counties)
        Area.objects.bulk_create([province, *upper, *townships, *villages], batch_size=BATCH)
        say(f"areas: {1 + len(upper) + len(townships) + len(villages)}")
        counties_list = [a for a in upper if a.level == Level.COUNTY]
        users = _bench_users(province, townships[0], counties_list[0])

    categories = {c.code: c for c in Category.objects.prefetch_related("subtypes", "fields")}
    weights = [SHARES[code] for code in categories]
    codes = list(categories)
    subtypes = {code: list(c.subtypes.all()) for code, c in categories.items()}
    fields = {code: list(c.fields.all()) for code, c in categories.items()}
    required = {code: [f.key for f in fs if f.required] for code, fs in fields.items()}
    by_id = {t.pk: t for t in townships}
    township_of = {v.pk: by_id[v.parent_id] for v in villages}
    county_of = {t.pk: t.parent for t in townships}
    places = villages + townships
    today = timezone.localdate()
    cache: dict[str, str] = {}
    now = timezone.now()
    made = 0
    writer = _Writer()
    while made < units:
        batch_units: list[dict[str, Any]] = []
        licences: list[dict[str, Any]] = []
        certificates: list[dict[str, Any]] = []
        for serial in range(made + 1, min(units, made + BATCH) + 1):
            code = rng.choices(codes, weights)[0]
            category = categories[code]
            subtype = rng.choice(subtypes[code])
            area = rng.choice(places)
            township = township_of.get(area.pk, area)
            county = county_of[township.pk]
            stem = township.name[:-1]
            prefix = rng.choice(PREFIXES)
            ending = rng.choice(ENDINGS[subtype.name])
            name = f"{stem}{prefix}{ending}"
            initials = _initials(cache, stem) + _initials(cache, prefix) + _initials(cache, ending)
            if rng.random() < 0.5:
                branch = rng.choice(STREETS)
                name = f"{name}（{branch}店）"
                initials += _initials(cache, branch) + "d"
            first17 = (
                rng.choice(["91", "92", "12", "52"])
                + county.code[:6]
                + f"{serial:08d}"
                + rng.choice(CREDIT_CODE_ALPHABET[10:])
            )
            has_code = not (subtype.name in {"村卫生室", "农村家宴", "分散式供水"} or rng.random() < 0.05)
            licence_no = f"{county.code[:6]}{code[:2].upper()}{serial:07d}"
            extra = {f.key: _extra_value(rng, f, licence_no) for f in fields[code]}
            status = rng.choices([UnitStatus.OPEN, UnitStatus.SUSPENDED, UnitStatus.CLOSED], [92, 5, 3])[0]
            place = "" if area is township else area.name
            phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
            if rng.random() < 0.04:
                phone = ""
            elif rng.random() < 0.04 and required[code]:
                extra.pop(rng.choice(required[code]), None)
            unit_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            changed = now - datetime.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
            unit = {
                "id": unit_id,
                "created_at": changed,
                "updated_at": changed,
                "name": name,
                "name_initials": initials[:100],
                "credit_code": first17 + credit_code_check_character(first17) if has_code else None,
                "legal_representative": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "phone": phone,
                "address": f"{county.name}{township.name}{place}{rng.choice(STREETS)}{rng.randint(1, 299)}号",
                "latitude": None,
                "longitude": None,
                "area_id": area.pk,
                "county_id": county.pk,
                "category_id": category.pk,
                "subtype_id": subtype.pk,
                "status": status,
                "opened_on": today - datetime.timedelta(days=rng.randint(100, 6000)),
                "closed_on": today - datetime.timedelta(days=rng.randint(1, 90))
                if status == UnitStatus.CLOSED
                else None,
                "is_key_unit": code in {"drinking_water", "school"} or rng.random() < 0.08,
                "risk_grade": rng.choice([*RiskGrade.values, ""]),
                "hygiene_grade": rng.choice(["A", "B", "B", "C", ""]) if code in {"public_place", "food"} else "",
                "extra": extra,
                "is_complete": phone != "" and all(extra.get(k) not in (None, "") for k in required[code]),
            }
            unit["search_grams"] = search_grams_of(name, unit["address"], unit["name_initials"])
            batch_units.append(unit)
            if code in LICENCES and rng.random() < 0.9:
                kind, _issuer = LICENCES[code]
                roll = rng.random()
                days = (
                    -rng.randint(1, 200)
                    if roll < 0.04
                    else rng.randint(0, 29)
                    if roll < 0.08
                    else rng.randint(60, 1400)
                )
                expires = today + datetime.timedelta(days=days)
                licences.append(
                    {
                        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "created_at": changed,
                        "updated_at": changed,
                        "unit_id": unit_id,
                        "kind": kind,
                        "number": licence_no,
                        "issuer": f"{county.name}卫生健康局",
                        "issued_on": expires - datetime.timedelta(days=365 * 4),
                        "expires_on": expires,
                        "scope": subtype.name,
                    }
                )
            if code in {"food", "public_place"} and rng.random() < 0.6:
                certificates.append(
                    {
                        "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "created_at": changed,
                        "updated_at": changed,
                        "unit_id": unit_id,
                        "person_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                        "kind": CertificateKind.HEALTH.value,
                        "number": f"JK{rng.randint(100000, 999999)}",
                        "expires_on": today + datetime.timedelta(days=rng.randint(-60, 365)),
                    }
                )
        with transaction.atomic():
            writer.write(Unit, batch_units)
            writer.write(Licence, licences)
            writer.write(StaffCertificate, certificates)
        made += len(batch_units)
        if made % 50_000 == 0 or made == units:
            say(f"units: {made}")
    # The filing history, each file as made since its unit opened: one INSERT … SELECT.
    with transaction.atomic():
        filed = record_filing_baseline(Unit.objects.filter(county_id__in=[c.pk for c in counties_list]))
    say(f"filing history: {filed}")
    # Fresh statistics: until autovacuum gets to the new rows the planner
    # takes a county for a handful of units and walks the whole name index
    # (a county's overview took 5 s instead of 1).
    analyse()
    return Province(province=province, counties=counties_list, townships=townships, users=users)


def records_exist() -> bool:
    from xieguan.inspections.models import Inspection

    # The year's records are the bench township user's; the load test's own are its people's.
    return Inspection.objects.filter(
        unit__county__code__startswith=PROVINCE_CODE, recorded_by__username="bench_township"
    ).exists()


def make_records(*, inspections: int = 3_000_000, seed: int = 1, log: Any = None) -> dict[str, int]:
    """The province's last twelve months of work, in SPEC §16's proportion
    (3 million inspection rows to 300,000 units): a station for every
    township, submitted patrols spread over the months (key units every
    month, the others as ``inspections`` allows, about one in eight needing
    rectification), a report for about one unit in a hundred and a monthly
    report for every township and past month (nine in ten on time). Written
    by PostgreSQL itself (INSERT … SELECT over the units: minutes, not an
    hour of Python); on another database nothing is made. Answers, photos
    and signatures are not written: the pages measured count records."""
    if connection.vendor != "postgresql":
        return {}
    from xieguan.inspections.models import ChecklistTemplate
    from xieguan.reports.models import ReportCategory

    say = log or (lambda _msg: None)
    recorder = User.objects.get(username="bench_township")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 1000) / 1000])
        cursor.execute(
            """INSERT INTO accounts_institution
                  (id, created_at, updated_at, name, type, host, phone, address, area_id)
                SELECT gen_random_uuid(), now(), now(), t.name || '卫生院协管站', %s, '', '', '', t.id
                FROM areas_area t
                WHERE t.level = %s AND t.code LIKE %s AND NOT EXISTS (
                    SELECT 1 FROM accounts_institution i WHERE i.area_id = t.id AND i.type = %s)""",
            [InstitutionType.STATION, Level.TOWNSHIP, f"{PROVINCE_CODE}%", InstitutionType.STATION],
        )
        cursor.execute(
            "SELECT count(*) FROM units_unit u JOIN areas_area c ON c.id = u.county_id "
            "WHERE u.status <> 'closed' AND c.code LIKE %s",
            [f"{PROVINCE_CODE}%"],
        )
        open_units = cursor.fetchone()[0] or 1
        # Key units are patrolled every month; the others fill what is left.
        share = max(0.0, min(1.0, inspections / (open_units * 12)))
        templates = {
            t.category_id: t.pk
            for t in ChecklistTemplate.objects.filter(
                county__isnull=True, subtype__isnull=True, status="published"
            ).order_by("version")
        }
        cursor.execute("CREATE TEMPORARY TABLE bench_template (category_id int, template_id uuid) ON COMMIT DROP")
        cursor.executemany("INSERT INTO bench_template VALUES (%s, %s)", list(templates.items()))
        cursor.execute(
            """INSERT INTO inspections_inspection
                  (id, created_at, updated_at, status, version, correction_reason, started_at, submitted_at,
                   place, representative, problems, overall_result, area_id, institution_id, recorded_by_id,
                   template_id, unit_id)
                SELECT gen_random_uuid(), x.at, x.at, 'submitted', 1, '', x.at, x.at + interval '40 minutes',
                       '', '', '', CASE WHEN random() < 0.12 THEN 'rectify' ELSE 'conforming' END,
                       u.area_id, st.id, %s, bt.template_id, u.id
                FROM units_unit u
                JOIN areas_area a ON a.id = u.area_id
                JOIN areas_area c ON c.id = u.county_id
                JOIN accounts_institution st
                  ON st.type = %s AND st.area_id = CASE WHEN a.level = %s THEN a.parent_id ELSE a.id END
                JOIN bench_template bt ON bt.category_id = u.category_id
                CROSS JOIN generate_series(0, 11) AS m(back)
                CROSS JOIN LATERAL (
                    SELECT date_trunc('month', now()) - make_interval(months => m.back)
                           + make_interval(days => floor(random() * 27)::int, hours => 1 + floor(random() * 9)::int)
                           AS at
                ) x
                WHERE u.status <> 'closed' AND c.code LIKE %s AND x.at < now()
                  AND (u.is_key_unit OR random() < %s)""",
            [recorder.pk, InstitutionType.STATION, Level.VILLAGE, f"{PROVINCE_CODE}%", share],
        )
        made = {"inspections": cursor.rowcount}
        say(f"inspections: {made['inspections']}")
        categories = list(ReportCategory.objects.values_list("pk", flat=True))
        cursor.execute("CREATE TEMPORARY TABLE bench_report_category (n int, id uuid) ON COMMIT DROP")
        cursor.executemany("INSERT INTO bench_report_category VALUES (%s, %s)", list(enumerate(categories)))
        cursor.execute(
            """INSERT INTO reports_report
                  (id, created_at, updated_at, found_at, received_at, reported_at, deadline_at, place, content,
                   affected_count, status, is_emergency, closing_reason, result, area_id, institution_id,
                   reporter_id, unit_id, category_id, nature)
                SELECT gen_random_uuid(), x.at, x.at, x.at, x.at, x.at + interval '1 hour',
                       x.at + interval '2 hours', u.address, '巡查中发现' || u.name || '存在卫生问题', 0,
                       'closed', false, '', '已处理', u.area_id, st.id, %s, u.id, rc.id,
                       CASE WHEN random() < 0.7 THEN 'hazard' ELSE 'violation' END
                FROM units_unit u
                JOIN areas_area a ON a.id = u.area_id
                JOIN areas_area c ON c.id = u.county_id
                JOIN accounts_institution st
                  ON st.type = %s AND st.area_id = CASE WHEN a.level = %s THEN a.parent_id ELSE a.id END
                CROSS JOIN LATERAL (
                    SELECT now() - make_interval(days => 1 + floor(random() * 360)::int) AS at,
                           floor(random() * %s)::int AS pick
                ) x
                JOIN bench_report_category rc ON rc.n = x.pick
                WHERE c.code LIKE %s AND random() < 0.01""",
            [recorder.pk, InstitutionType.STATION, Level.VILLAGE, len(categories), f"{PROVINCE_CODE}%"],
        )
        made["reports"] = cursor.rowcount
        say(f"reports: {made['reports']}")
        cursor.execute(
            """INSERT INTO monthly_monthlyreport
                  (id, created_at, updated_at, year, month, status, deadline, submitted_at, on_time, remarks,
                   review_comment, unlock_reason, township_id, submitted_by_id)
                SELECT gen_random_uuid(), d.due, d.due, extract(year FROM d.first)::int,
                       extract(month FROM d.first)::int, 'approved', d.due::date,
                       d.due - CASE WHEN x.late THEN interval '-3 days' ELSE interval '2 days' END,
                       NOT x.late, '', '', '', t.id, %s
                FROM areas_area t
                CROSS JOIN generate_series(1, 12) AS m(back)
                CROSS JOIN LATERAL (
                    SELECT date_trunc('month', now()) - make_interval(months => m.back) AS first,
                           date_trunc('month', now()) - make_interval(months => m.back - 1)
                           + interval '4 days' AS due
                ) d
                CROSS JOIN LATERAL (SELECT random() < 0.1 AS late) x
                WHERE t.level = %s AND t.code LIKE %s AND d.due < now() AND NOT EXISTS (
                    SELECT 1 FROM monthly_monthlyreport r WHERE r.township_id = t.id
                    AND r.year = extract(year FROM d.first)::int AND r.month = extract(month FROM d.first)::int)""",
            [recorder.pk, Level.TOWNSHIP, f"{PROVINCE_CODE}%"],
        )
        made["monthly_reports"] = cursor.rowcount
        say(f"monthly reports: {made['monthly_reports']}")
    analyse()
    return made
