"""A year (2026) of information reports in the demo county (SPEC §5).

城关镇 is written out by hand so its figures can be checked by hand:
January–October it found 8 events or clues; 7 reached the county (one was
closed without forwarding: 信息报告率 7/8 = 87.5%); 5 of the 7 within their
limit (a clue of illegal practice forwarded after 50 hours and an emergency
after 2 h 45 min are late: 及时报告率 5/7 = 71.4%). It made zero reports for
February and July. The food poisoning at a wedding banquet in 李家村 on
18 June is the demo's emergency (forwarded in 85 minutes). One clue found
three hours ago in 李家村 awaits verification, so the clocks have something
to show.

The other townships get a seeded random year: 0–2 reports a month, a few
late, a few closed without forwarding, and a zero report for each month
with none — except 石桥镇 in July, where nobody reported.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from xieguan.accounts.models import RoleCode, User
from xieguan.core.statistics import analysed
from xieguan.demo.clock import past
from xieguan.reports.defaults import seed_default_categories
from xieguan.reports.models import (
    ExposedPerson,
    Report,
    ReportCategory,
    ReportStatus,
    ReportStep,
    StepKind,
    ZeroReport,
)

YEAR = 2026
FIRST = "城关镇"
SILENT = ("石桥镇", 7)  # the station that made no zero report in a month with nothing found

# (month, day, hh:mm, village name or "" for the township, category, minutes to the county or
#  None = closed without forwarding, last status, place, content, affected)
FIRST_TOWNSHIP = [
    (1, 12, "09:30", "李家村", "food_safety", 330, ReportStatus.CLOSED, "李家村小卖部", "销售过期散装食品", 0),
    (
        3,
        8,
        "10:00",
        "王庄村",
        "illegal_practice",
        3000,
        ReportStatus.CLOSED,
        "王庄村东头民房",
        "疑似无证行医，有人输液",
        0,
    ),
    (4, 15, "14:20", "", "public_place", None, ReportStatus.NOT_FORWARDED, "城关镇红星酒店", "群众反映客房卫生差", 0),
    (
        5,
        20,
        "08:10",
        "城北社区居委会",
        "drinking_water",
        80,
        ReportStatus.CLOSED,
        "城北社区二次供水水箱",
        "自来水浑浊有异味",
        30,
    ),
    (
        6,
        18,
        "12:40",
        "李家村",
        "foodborne",
        85,
        ReportStatus.CLOSED,
        "李家村村民婚宴",
        "婚宴后12人呕吐腹泻，已送卫生院",
        12,
    ),
    (8, 3, "09:00", "李家村", "school", 180, ReportStatus.FED_BACK, "李家村小学", "学校饮水机滤芯长期未换", 0),
    (
        9,
        10,
        "16:00",
        "王庄村",
        "occupational",
        1200,
        ReportStatus.HANDLED,
        "王庄村石材加工厂",
        "工人咳嗽气短，疑似矽肺",
        1,
    ),
    (10, 22, "10:00", "", "emergency", 165, ReportStatus.CLOSED, "城关镇中心小学", "多名学生发热皮疹，疑似水痘聚集", 9),
]
# Clues that are illegal acts (违法行为) although their category is usually
# about incidents and hazards (事故/隐患): the monthly report's split rows
# then show figures in both parts.
VIOLATIONS = {"销售过期散装食品", "无证经营熟食", "食堂从业人员无健康证", "早餐店使用来源不明的散装食用油"}
_CONTENT = {
    "food_safety": ("集贸市场", "无证经营熟食"),
    "foodborne": ("农家乐", "就餐后数人腹泻"),
    "drinking_water": ("村集中供水点", "消毒设施停用"),
    "school": ("中心小学", "食堂从业人员无健康证"),
    "illegal_practice": ("村民家中", "疑似非法行医"),
    "family_planning": ("个体诊所", "疑似非法胎儿性别鉴定"),
    "occupational": ("加工厂", "粉尘作业无防护"),
    "public_place": ("浴室", "公共用品未消毒"),
}


def _at(month: int, day: int, hhmm: str) -> datetime.datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return past(timezone.make_aware(datetime.datetime(YEAR, month, day, hour, minute)))


def _steps_for(report: Report, *, reporter: User, comanager: User, supervisor: User, minutes: int | None) -> list[Any]:
    found = report.found_at
    filed = report.received_at
    steps = [
        ReportStep(report=report, kind=StepKind.FOUND, at=found, by=reporter),
        ReportStep(report=report, kind=StepKind.FILED, at=filed, by=reporter),
    ]
    status = report.status
    if status == ReportStatus.FILED:
        return steps
    if minutes is None:
        steps.append(
            ReportStep(
                report=report,
                kind=StepKind.NOT_FORWARDED,
                at=past(filed + datetime.timedelta(hours=3)),
                by=comanager,
                note=report.closing_reason,
            )
        )
        return steps
    reached = found + datetime.timedelta(minutes=minutes)
    steps.append(
        ReportStep(
            report=report, kind=StepKind.VERIFIED, at=past(reached - datetime.timedelta(minutes=5)), by=comanager
        )
    )
    steps.append(ReportStep(report=report, kind=StepKind.FORWARDED, at=past(reached), by=comanager))
    order = [ReportStatus.HANDLED, ReportStatus.FED_BACK, ReportStatus.CLOSED]
    kinds = {
        ReportStatus.HANDLED: StepKind.HANDLED,
        ReportStatus.FED_BACK: StepKind.FED_BACK,
        ReportStatus.CLOSED: StepKind.CLOSED,
    }
    if status in order:
        for index, later in enumerate(order[: order.index(status) + 1], start=1):
            steps.append(
                ReportStep(
                    report=report,
                    kind=kinds[later],
                    at=past(reached + datetime.timedelta(days=index)),
                    by=supervisor if later != ReportStatus.CLOSED else comanager,
                    note="已现场调查处理" if later == ReportStatus.HANDLED else "",
                )
            )
    return steps


@analysed
def load_reports(demo: Any, *, seed: int = 6) -> None:
    """The demo year of reports, steps and zero reports; a few bulk inserts."""
    seed_default_categories(ReportCategory)
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    categories = {c.code: c for c in ReportCategory.objects.filter(county__isnull=True)}
    people = list(User.objects.filter(is_active=True).select_related("institution__area").prefetch_related("roles"))
    officer_of: dict[Any, User] = {}
    comanager_of: dict[Any, User] = {}
    for person in people:
        if person.institution is None:
            continue
        if RoleCode.INFO_OFFICER in person.role_codes:
            officer_of.setdefault(person.institution.area_id, person)
        elif RoleCode.COMANAGER in person.role_codes:
            comanager_of.setdefault(person.institution.area_id, person)
    supervisor = demo.users["inst"]
    station_of = {s.area_id: s for s in demo.stations}
    villages_of: dict[Any, list[Any]] = {
        t.pk: [v for v in demo.villages if v.parent_id == t.pk] for t in demo.townships
    }

    reports: list[Report] = []
    steps: list[ReportStep] = []
    zeros: list[ZeroReport] = []

    def add(
        township: Any,
        area: Any,
        code: str,
        found: datetime.datetime,
        minutes: int | None,
        status: str,
        place: str,
        content: str,
        affected: int,
        **extra: Any,
    ) -> Report:
        category = categories[code]
        extra.setdefault("nature", "violation" if content in VIOLATIONS else category.default_nature)
        reporter = officer_of.get(area.pk) or comanager_of[township.pk]
        comanager = comanager_of[township.pk]
        report = Report(
            area=area,
            institution=reporter.institution,
            category=category,
            found_at=found,
            received_at=past(found + datetime.timedelta(minutes=min(20, minutes or 20))),
            reported_at=past(found + datetime.timedelta(minutes=minutes))
            if minutes is not None and status != ReportStatus.FILED
            else None,
            deadline_at=found + datetime.timedelta(minutes=category.limit_minutes),
            is_emergency=category.is_emergency,
            place=place,
            content=content,
            affected_count=affected,
            reporter=reporter,
            status=status,
            closing_reason="经核实不属于卫生监督协管报告范围，已当场指导整改" if minutes is None else "",
            result="已调查处理，责令整改" if status in (ReportStatus.FED_BACK, ReportStatus.CLOSED) else "",
            **extra,
        )
        reports.append(report)
        steps.extend(_steps_for(report, reporter=reporter, comanager=comanager, supervisor=supervisor, minutes=minutes))
        return report

    first = demo.townships[0]
    by_name = {v.name: v for v in villages_of[first.pk]}
    quarry = ExposedPerson.objects.create(
        area=by_name["王庄村"],
        name="王石头",
        id_number="990101197502113215",
        employer="王庄村石材加工厂",
        hazard_factors="矽尘、噪声",
        exposure_years=12,
        registered_by=officer_of.get(by_name["王庄村"].pk) or comanager_of[first.pk],
    )
    ExposedPerson.objects.create(
        area=by_name["李家村"],
        name="李铁柱",
        id_number="99010119800305421X",
        employer="李家村家具厂",
        hazard_factors="苯、木粉尘",
        exposure_years=6,
        registered_by=officer_of.get(by_name["李家村"].pk) or comanager_of[first.pk],
    )
    from xieguan.units.models import Unit

    for month, day, hhmm, village, code, minutes, status, place, content, affected in FIRST_TOWNSHIP:
        area = by_name[village] if village else first
        extra: dict[str, Any] = {}
        if code == "occupational":
            extra["exposed_person"] = quarry
        if code == "public_place":
            extra["unit"] = Unit.objects.filter(area__path__startswith=first.path, name__contains="红星").first()
        add(first, area, code, _at(month, day, hhmm), minutes, status, place, content, affected, **extra)
    for month in (2, 7):
        zeros.append(
            ZeroReport(
                institution=station_of[first.pk],
                area=first,
                month=datetime.date(YEAR, month, 1),
                made_by=comanager_of[first.pk],
            )
        )
    if now.year == YEAR:
        found = (now - datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
        add(
            first,
            by_name["李家村"],
            "food_safety",
            found,
            None,
            ReportStatus.FILED,
            "李家村村口早餐店",
            "早餐店使用来源不明的散装食用油",
            0,
        )
        reports[-1].closing_reason = ""
        # And an incident of this month, reported and closed, beside that illegal act.
        add(
            first,
            by_name["王庄村"],
            "drinking_water",
            (now - datetime.timedelta(hours=5)).replace(second=0, microsecond=0),
            40,
            ReportStatus.CLOSED,
            "王庄村集中供水点",
            "供水点消毒设施停用，出水有异味",
            0,
        )

    codes = [c for c in _CONTENT]
    for township in demo.townships[1:]:
        if township.pk not in comanager_of:
            continue
        places = villages_of[township.pk] or [township]
        for month in range(1, 13):
            if (YEAR, month) >= (today.year, today.month):
                break
            count = rng.choice([0, 0, 1, 1, 1, 2])
            if (township.name, month) == SILENT:
                count = 0
            if count == 0:
                if (township.name, month) != SILENT:
                    zeros.append(
                        ZeroReport(
                            institution=station_of[township.pk],
                            area=township,
                            month=datetime.date(YEAR, month, 1),
                            made_by=comanager_of[township.pk],
                        )
                    )
                continue
            for _n in range(count):
                code = rng.choice(codes)
                area = rng.choice(places)
                found = _at(month, rng.randint(1, 27), f"{rng.randint(7, 18)}:{rng.choice(['00', '15', '30', '45'])}")
                limit = categories[code].limit_minutes
                roll = rng.random()
                if roll < 0.06:
                    minutes, status = None, ReportStatus.NOT_FORWARDED
                elif roll < 0.16:
                    minutes, status = limit + rng.randint(30, 600), ReportStatus.CLOSED
                else:
                    minutes, status = (
                        rng.randint(20, max(30, limit - 10)),
                        rng.choice(
                            [ReportStatus.CLOSED, ReportStatus.CLOSED, ReportStatus.FED_BACK, ReportStatus.HANDLED]
                        ),
                    )
                place, content = _CONTENT[code]
                add(township, area, code, found, minutes, status, f"{area.name}{place}", content, rng.randint(0, 3))
    Report.objects.bulk_create(reports)
    ReportStep.objects.bulk_create(steps)
    ZeroReport.objects.bulk_create(zeros)
