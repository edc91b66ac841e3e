"""A year of patrols in the demo county (SPEC §4): every unit once a quarter
and key units (and schools, by a county rule) monthly, about one record in
five with problems and a supervision opinion, re-inspections at the
deadline, a few not rectified and handed over to the institute (some with
the institute's outcome), some opinions overdue for re-inspection. A
window still running is done in proportion to the part of it gone by, so
co-managers see what is due; 河东镇 skips more than the others so its
coverage is visibly lower.

Bulk inserts only (no per-record services), so `make run` stays quick; the
values are those the services would store. Demo signatures carry the
signer's name without an image."""

from __future__ import annotations

import datetime
import random
import uuid
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from xieguan.accounts.models import RoleCode, User
from xieguan.core.statistics import analysed
from xieguan.demo.clock import past
from xieguan.inspections.models import (
    Answer,
    ChecklistTemplate,
    FrequencyRule,
    Handover,
    HandoverReason,
    HandoverStatus,
    Inspection,
    InspectionAnswer,
    InspectionInspector,
    InspectionStatus,
    MonthlyPlan,
    MonthlyPlanItem,
    Opinion,
    OpinionCounter,
    OverallResult,
    Period,
    Reinspection,
    ReinspectionResult,
    Signature,
    SignerRole,
)
from xieguan.inspections.selectors import frequency_of, month_bounds, quarter_bounds
from xieguan.units.models import Category, Unit, UnitStatus

BEHIND = "河东镇"
PROBLEMS = [
    "部分从业人员健康证过期",
    "消毒间未正常使用，无消毒记录",
    "一次性用品索证不全",
    "卫生管理制度未上墙",
    "防蝇防鼠设施破损",
    "未按规定开展水质自检",
    "医疗废物暂存处无标识",
]


def _converter(field: Any, connection: Any) -> Any:
    """How one column's Python value becomes a database value, resolved once
    per column instead of once per value (which is what makes it fast)."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind == "UUIDField":
        if connection.vendor == "postgresql":
            return lambda v: v
        return lambda v: None if v is None else (v.hex if isinstance(v, uuid.UUID) else uuid.UUID(str(v)).hex)
    if kind in {"CharField", "TextField", "BooleanField", "PositiveIntegerField", "PositiveSmallIntegerField"}:
        return lambda v: v
    return lambda v: target.get_db_prep_save(v, connection)


def _fast_insert(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain tuples with executemany: the 70,000 checklist answers of a
    demo year would take half a minute as model instances through bulk_create."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(name) for name in columns]
    convert = [_converter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    # Table and column names come from our own models, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            batch = [tuple(c(v) for c, v in zip(convert, row, strict=True)) for row in rows[start : start + 5000]]
            cursor.executemany(sql, batch)


def _fast_insert_objects(model: Any, objects: list[Any], now: datetime.datetime) -> None:
    """Unsaved model instances through ``_fast_insert`` (every concrete field)."""
    fields = [f for f in model._meta.concrete_fields]
    rows = []
    for obj in objects:
        row = []
        for f in fields:
            value = getattr(obj, f.attname)
            if value is None and f.name in ("created_at", "updated_at"):
                value = now
            row.append(value)
        rows.append(tuple(row))
    _fast_insert(model, [f.name for f in fields], rows)


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return past(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.choice([0, 15, 30]))))
    )


def _windows(today: datetime.date, frequency: str) -> list[tuple[datetime.date, datetime.date]]:
    """The patrol windows of the last twelve months, oldest first."""
    windows = []
    year, month = today.year, today.month
    for _ in range(12):
        windows.append(month_bounds(year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    if frequency == Period.MONTH:
        return sorted(windows)
    quarters = sorted({quarter_bounds(s.year, (s.month - 1) // 3 + 1) for s, _e in windows})
    return quarters


@transaction.atomic
@analysed
def load_inspections(demo: Any) -> None:
    rng = random.Random(20260505)
    today = timezone.localdate()
    now = timezone.now()
    school = Category.objects.filter(code="school").first()
    rule = FrequencyRule.objects.create(county=demo.county, category=school, key_unit=None, period=Period.MONTH)
    rules = [rule]
    rule.county = demo.county
    templates = {
        (t.category_id, t.subtype_id): (t, list(t.items.all()))
        for t in ChecklistTemplate.objects.filter(county__isnull=True, status="published")
    }

    def checklist_of(unit: Unit) -> tuple[Any, list[Any]] | None:
        """The subtype's own checklist where there is one, else the category's."""
        return templates.get((unit.category_id, unit.subtype_id)) or templates.get((unit.category_id, None))

    station_of = {s.area_id: s for s in demo.stations}
    comanagers: dict[Any, list[User]] = defaultdict(list)
    for user in User.objects.filter(roles__code=RoleCode.COMANAGER, institution__in=demo.stations).order_by("username"):
        comanagers[user.institution_id].append(user)
    township_by_segment = {t.id.hex: t for t in demo.townships}
    units = list(Unit.objects.filter(area__path__startswith=demo.county.path).select_related("area"))

    inspections: list[Inspection] = []
    links: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    signatures: list[tuple[Any, ...]] = []
    opinions: list[Opinion] = []
    reinspections: list[tuple[Reinspection, list[User]]] = []
    handovers: list[Handover] = []
    inst = demo.users["inst"]
    inst2 = demo.users["inst2"]

    for unit in units:
        checklist = checklist_of(unit)
        if checklist is None:
            continue
        segments = [s for s in unit.area.path.split("/") if s]
        township = township_by_segment.get(segments[3]) if len(segments) > 3 else None
        if township is None:
            continue
        station = station_of[township.pk]
        people = comanagers[station.pk]
        pair = people[:2] if len(people) >= 2 else [*people, station.responsible_supervisor or inst2]
        template, items = checklist
        frequency = frequency_of(unit, rules)
        behind = township.name == BEHIND
        for start, end in _windows(today, frequency):
            if unit.opened_on and unit.opened_on > end:
                continue
            if unit.closed_on and unit.closed_on < start:
                continue
            if unit.status == UnitStatus.CLOSED and unit.closed_on is None:
                continue
            # A window still running is done in the share of it that has
            # passed: a quarter two thirds gone is mostly patrolled already,
            # a month a week old hardly (the trend has no cliff at the end).
            elapsed = min(1.0, ((today - start).days + 1) / ((end - start).days + 1))
            chance = 0.93 * elapsed - (0.2 if behind else 0)
            if rng.random() > chance:
                continue
            last = min(end, today)
            if unit.closed_on:
                last = min(last, unit.closed_on)
            if last < start:
                continue
            day = start + datetime.timedelta(days=rng.randint(0, (last - start).days))
            started = _at(day, rng)
            fails = rng.choices([0, 1, 2], [78, 14, 8])[0]
            record = Inspection(
                id=uuid.uuid4(),
                unit=unit,
                area=unit.area,
                institution=station,
                template=template,
                status=InspectionStatus.SUBMITTED,
                started_at=started,
                device_time=started,
                submitted_at=past(started + datetime.timedelta(hours=1)),
                place=unit.address,
                latitude=unit.latitude,
                longitude=unit.longitude,
                accuracy_m=float(rng.randint(5, 40)) if unit.latitude is not None else None,
                distance_m=float(rng.randint(3, 60)) if unit.latitude is not None else None,
                representative=unit.legal_representative,
                problems="；".join(rng.sample(PROBLEMS, fails)) if fails else "",
                overall_result=OverallResult.RECTIFY if fails else OverallResult.CONFORMING,
                recorded_by=pair[0],
            )
            inspections.append(record)
            links.extend((record.pk, u.pk) for u in pair)
            failing = set(rng.sample(range(len(items)), fails))
            answers.extend(
                (
                    record.pk,
                    item.pk,
                    Answer.FAILS if n in failing else Answer.CONFORMS,
                    "现场发现问题" if n in failing else "",
                )
                for n, item in enumerate(items)
            )
            signed = record.submitted_at
            signatures.extend(
                (uuid.uuid4(), signed, signed, record.pk, SignerRole.INSPECTOR, u.pk, u.full_name, "", False, "")
                for u in pair
            )
            signatures.append(
                (
                    uuid.uuid4(),
                    signed,
                    signed,
                    record.pk,
                    SignerRole.REPRESENTATIVE,
                    None,
                    unit.legal_representative or "负责人",
                    "",
                    False,
                    "",
                )
            )
            if not fails:
                continue
            deadline = day + datetime.timedelta(days=15)
            opinion = Opinion(
                id=uuid.uuid4(),
                inspection=record,
                unit=unit,
                area=unit.area,
                county=demo.county,
                year=started.year,
                serial=0,
                number="",
                text="检查发现以下问题：" + record.problems + "。请于整改期限前完成整改并留存整改记录。",
                deadline=deadline,
                issued_at=past(started + datetime.timedelta(hours=2)),
                issued_by=pair[0],
            )
            opinions.append(opinion)
            if deadline > today or rng.random() < 0.12:
                continue  # not yet due, or overdue for re-inspection
            result = rng.choices(
                [ReinspectionResult.RECTIFIED, ReinspectionResult.PARTLY, ReinspectionResult.NOT_RECTIFIED], [85, 12, 3]
            )[0]
            re_day = min(deadline + datetime.timedelta(days=rng.randint(0, 3)), today)
            re = Reinspection(
                id=uuid.uuid4(),
                opinion=opinion,
                area=unit.area,
                inspected_at=_at(re_day, rng),
                result=result,
                note={"rectified": "已整改到位", "partly": "部分整改", "not_rectified": "仍未整改"}[result],
                recorded_by=pair[0],
            )
            reinspections.append((re, pair))
            if result == ReinspectionResult.NOT_RECTIFIED:
                closed = re_day < today - datetime.timedelta(days=20)
                handovers.append(
                    Handover(
                        id=uuid.uuid4(),
                        unit=unit,
                        area=unit.area,
                        inspection=record,
                        opinion=opinion,
                        reinspection=re,
                        reason=HandoverReason.NOT_RECTIFIED,
                        description="复查仍未整改，移交县卫生监督所处理。",
                        status=HandoverStatus.CLOSED if closed else HandoverStatus.SENT,
                        sent_at=past(re.inspected_at + datetime.timedelta(hours=3)),
                        sent_by=pair[0],
                        investigation="监督员现场核实，问题属实。" if closed else "",
                        outcome="已立案查处，单位已完成整改，结果书面告知协管站。" if closed else "",
                        outcome_at=past(re.inspected_at + datetime.timedelta(days=10)) if closed else None,
                        handled_by=inst if closed else None,
                    )
                )

    # A few drafts in progress this month in 城关镇.
    first = demo.townships[0]
    cg1, cg2 = demo.users["cg1"], demo.users["cg2"]
    open_units = [u for u in units if u.area.path.startswith(first.path) and u.status == UnitStatus.OPEN]
    for unit in open_units[:3]:
        checklist = checklist_of(unit)
        if checklist is None:
            continue
        template, items = checklist
        record = Inspection(
            id=uuid.uuid4(),
            unit=unit,
            area=unit.area,
            institution=station_of[first.pk],
            template=template,
            status=InspectionStatus.DRAFT,
            started_at=now - datetime.timedelta(hours=2),
            place=unit.address,
            recorded_by=cg1,
        )
        inspections.append(record)
        links.extend((record.pk, u.pk) for u in (cg1, cg2))
        answers.extend((record.pk, item.pk, "", "") for item in items)

    # Numbers per year in order of issue, without gaps, and the counters.
    opinions.sort(key=lambda o: o.issued_at)
    last: dict[int, int] = defaultdict(int)
    for opinion in opinions:
        last[opinion.year] += 1
        opinion.serial = last[opinion.year]
        opinion.number = f"{demo.county.name}卫协意〔{opinion.year}〕{opinion.serial:04d}号"

    _fast_insert_objects(Inspection, inspections, now)
    _fast_insert(InspectionInspector, ["inspection", "user"], links)
    _fast_insert(InspectionAnswer, ["inspection", "item", "result", "note"], answers)
    _fast_insert(
        Signature,
        ["id", "created_at", "updated_at", "inspection", "role", "user", "name", "image", "refused", "sha256"],
        signatures,
    )
    _fast_insert_objects(Opinion, opinions, now)
    OpinionCounter.objects.bulk_create(OpinionCounter(county=demo.county, year=y, last=n) for y, n in last.items())
    _fast_insert_objects(Reinspection, [r for r, _p in reinspections], now)
    Through = Reinspection.inspectors.through
    Through.objects.bulk_create(
        [Through(reinspection_id=r.pk, user_id=u.pk) for r, people in reinspections for u in people], batch_size=2000
    )
    Handover.objects.bulk_create(handovers, batch_size=500)

    # 城关镇's plan for this month: its monthly units, some already done.
    plan = MonthlyPlan.objects.create(township=first, year=today.year, month=today.month, created_by=cg1)
    MonthlyPlanItem.objects.bulk_create(
        MonthlyPlanItem(plan=plan, unit=u)
        for u in open_units
        if checklist_of(u) is not None and frequency_of(u, rules) == Period.MONTH
    )
