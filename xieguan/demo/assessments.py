"""The demo county's performance assessment (issue 23): the seeds' scheme
(registry, patrols, 两表一书, reports, complaints, publicity, training, monthly
reports on time, station management; 半年考核 一等奖1 二等奖2 三等奖3), the
townships' 2026 populations, a finished 2026 first-half assessment with its
bulletin and allocations (人均1.25元), a second-half one being scored with one
manual item left, and a few 督导 visits. Below the county, 城关镇 assesses its
villages' information points under its own scheme (SPEC §9: "townships assess
their villages"): a finished first half that the village doctor (cun1 of 李家村)
reads, their own scores only."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from xieguan.accounts.models import User
from xieguan.assessments import services
from xieguan.assessments.models import Assessment, AssessmentScheme, ItemKind, ItemScore
from xieguan.core.statistics import analysed

SCHEME_NAME = "卫生监督协管工作绩效考核细则"
FIRST_HALF = "2026年上半年卫生监督协管工作考核"
SECOND_HALF = "2026年下半年卫生监督协管工作考核"

# name, max score, indicator code (automatic) or "" (manual), target %, floor %, guidance
SEED_ITEMS: list[tuple[str, str, str, str | None, str | None, str]] = [
    ("监督对象台账（一户一档）", "15", "filing", "95", "60", "建档率 = 档案齐全的单位 ÷ 未注销单位，达到95%得满分"),
    ("日常巡查", "20", "coverage", "100", "60", "各类监督对象季度巡查率100%，按巡查覆盖率计分"),
    ("两表一书", "10", "", None, None, "查阅巡查登记表、信息报告登记表和卫生监督意见书，填写规范、整改跟踪到位"),
    ("信息报告", "15", "", None, None, "发现的违法线索及时报告，突发事件2小时内报告；查阅信息报告登记表"),
    ("投诉举报", "5", "", None, None, "受理、转交、答复及时，记录完整"),
    ("宣传", "10", "publicity", "6", None, "半年开展宣传不少于6次（按次数计分）"),
    ("培训", "5", "training", "2", None, "半年组织信息员培训不少于2次（按次数计分）"),
    ("月报按时上报", "10", "", None, None, "每月23日前上报协管工作月报"),
    ("协管站规范化管理", "10", "", None, None, "“十统一”落实情况、制度上墙、档案管理；结合月督导、季抽查情况"),
]
TIERS = [
    {"name": "一等奖", "count": 1, "coefficient": "1.2"},
    {"name": "二等奖", "count": 2, "coefficient": "1.1"},
    {"name": "三等奖", "count": 3, "coefficient": "1.05"},
]
VILLAGE_SCHEME_NAME = "城关镇村级卫生监督协管信息员考核办法"
VILLAGE_FIRST_HALF = "2026年上半年城关镇村级协管信息员考核"
# name, max score, guidance: what a township checks at its villages' information points
VILLAGE_ITEMS: list[tuple[str, str, str]] = [
    ("信息报告", "40", "发现的违法线索和突发事件及时向协管站报告，查阅信息报告登记表"),
    ("巡查协助", "30", "配合协管员开展辖区内监督对象巡查，记录完整"),
    ("宣传", "20", "在村内张贴宣传材料、开展宣传活动"),
    ("资料管理", "10", "信息员工作资料齐全、归档规范"),
]
VILLAGE_TIERS = [{"name": "优秀信息员", "count": 1, "coefficient": "1.1"}]
VILLAGE_POPULATIONS = [6820, 3415, 2978]  # 城北社区, 李家村, 王庄村
VILLAGE_SCORES = ["0.9", "0.85", "0.7"]  # the share of each item's maximum cg1 gave, by village

POPULATIONS = [52310, 38760, 29845, 31207, 18930, 45122, 40318, 22406, 17655, 19873]


def seed_scheme(actor: User, county: Any, *, publish: bool = True) -> AssessmentScheme:
    """The seeds' half-yearly scheme, made through the services (used by the demo and the tests)."""
    scheme = services.scheme_create(
        actor=actor, area=county, name=SCHEME_NAME, period_kind="half", award_tiers=TIERS, fund_formula="share"
    )
    for name, top, code, target, floor, guidance in SEED_ITEMS:
        services.scheme_item_add(
            actor=actor,
            scheme=scheme,
            name=name,
            max_score=Decimal(top),
            kind=ItemKind.AUTO if code else ItemKind.MANUAL,
            indicator_code=code,
            target=target,
            floor=floor,
            guidance=guidance,
        )
    if publish:
        services.scheme_publish(actor=actor, scheme=scheme)
    return scheme


MANUAL_SCORES = {  # by township order: the share of the maximum a reviewer gave
    0: "0.92",
    1: "0.7",
    2: "0.85",
    3: "0.8",
    4: "0.75",
    5: "0.95",
    6: "0.9",
    7: "0.65",
    8: "0.78",
    9: "0.82",
}


HALVES = {
    1: (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
    2: (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
}


def _started(
    actor: User,
    scheme: AssessmentScheme,
    name: str,
    half: int,
    areas: list[Any],
    items: Any,
    reviewer: User,
    **budget: Any,
) -> Assessment:
    """An assessment of ``areas`` by ``scheme`` in the first or second half
    of 2026, ``items`` assigned to ``reviewer``, its scoring started."""
    starts_on, ends_on = HALVES[half]
    assessment = services.assessment_create(
        actor=actor, scheme=scheme, name=name, starts_on=starts_on, ends_on=ends_on, areas=areas, **budget
    )
    for item in items:
        services.reviewer_assign(actor=actor, assessment=assessment, item=item, reviewer=reviewer)
    services.assessment_start(actor=actor, assessment=assessment)
    return assessment


def _score_all(inst: Any, assessment: Assessment, townships: list[Any], *, leave: int = 0) -> None:
    order = {t.pk: n for n, t in enumerate(townships)}
    scores = list(
        ItemScore.objects.filter(assessment=assessment, item__kind=ItemKind.MANUAL)
        .select_related("item", "area", "assessment")
        .order_by("area__path", "item__order")
    )
    for score in scores[: len(scores) - leave]:
        share = Decimal(MANUAL_SCORES[order[score.area_id] % 10])
        value = (score.item.max_score * share).quantize(Decimal("0.5"))
        note = "查阅台账、档案齐全。" if share >= Decimal("0.8") else "部分台账记录不全，意见书整改跟踪缺失。"
        services.item_score_set(actor=inst, score=score, value=value, notes=note)


def load_village_assessment(demo: Any) -> Assessment:
    """城关镇's own scheme for its villages and a finished first-half
    assessment of them, scored, released and finalised by cg1 (the station's
    co-manager), its funds split among the villages."""
    cg1 = demo.users["cg1"]
    township = demo.townships[0]
    villages = [v for v in demo.villages if v.path.startswith(township.path) and v.level == township.level + 1]
    scheme = services.scheme_create(
        actor=cg1,
        area=township,
        name=VILLAGE_SCHEME_NAME,
        period_kind="half",
        award_tiers=VILLAGE_TIERS,
        fund_formula="share",
    )
    for name, top, guidance in VILLAGE_ITEMS:
        services.scheme_item_add(
            actor=cg1, scheme=scheme, name=name, max_score=Decimal(top), kind=ItemKind.MANUAL, guidance=guidance
        )
    services.scheme_publish(actor=cg1, scheme=scheme)
    for village, people in zip(villages, VILLAGE_POPULATIONS, strict=False):
        services.population_save(actor=cg1, area=village, year=2026, population=people, source="2026年村委会常住人口")
    budget = {"budget_mode": "entered", "budget": Decimal("3000.00")}
    assessment = _started(cg1, scheme, VILLAGE_FIRST_HALF, 1, villages, scheme.items.all(), cg1, **budget)
    order = {v.pk: n for n, v in enumerate(villages)}
    for score in ItemScore.objects.filter(assessment=assessment).select_related("item", "area", "assessment"):
        share = Decimal(VILLAGE_SCORES[order[score.area_id] % len(VILLAGE_SCORES)])
        value = (score.item.max_score * share).quantize(Decimal("0.5"))
        note = "登记表记录完整。" if share >= Decimal("0.8") else "部分报告未及时登记。"
        services.item_score_set(actor=cg1, score=score, value=value, notes=note)
    services.assessment_release(actor=cg1, assessment=assessment, today=timezone.localdate())
    services.assessment_finalise(actor=cg1, assessment=assessment)
    return assessment


@analysed
def load_assessments(demo: Any) -> None:
    bureau, inst, cg1 = demo.users["bureau"], demo.users["inst"], demo.users["cg1"]
    townships = list(demo.townships)
    for township, people in zip(townships, POPULATIONS, strict=False):
        services.population_save(
            actor=bureau, area=township, year=2026, population=people, source="2026年统计年鉴常住人口"
        )
    scheme = seed_scheme(bureau, demo.county)
    manual = [i for i in scheme.items.all() if i.kind == ItemKind.MANUAL]
    today = timezone.localdate()

    first = _started(bureau, scheme, FIRST_HALF, 1, townships, manual, inst)
    _score_all(inst, first, townships)
    services.deduction_add(
        actor=inst,
        assessment=first,
        area=townships[7],
        kind="deduction",
        points=Decimal(3),
        reason="3月发现的食品安全事件线索超过2小时才报告",
    )
    services.assessment_release(actor=bureau, assessment=first, today=today)
    reports = next(i for i in manual if i.name == "信息报告")
    appeal = services.appeal_create(
        actor=cg1,
        assessment=first,
        area=townships[0],
        item=reports,
        reason="5月的两起信息报告已在系统中登记，请复核信息报告项目得分。",
        today=today,
    )
    services.appeal_answer(
        actor=bureau, appeal=appeal, answer="经复核，两起报告登记完整，予以加分。", new_score=Decimal("15")
    )
    services.assessment_finalise(actor=bureau, assessment=first)
    from xieguan.assessments.bulletin import bulletin_draft, results_of
    from xieguan.assessments.selectors import areas_of, deductions_of, scores_of

    first.refresh_from_db()
    results = results_of(first, areas_of(bureau, first), scores_of(bureau, first), deductions_of(bureau, first))
    services.bulletin_save(actor=bureau, assessment=first, text=bulletin_draft(first, results))
    services.bulletin_publish(actor=bureau, assessment=first)

    second = _started(bureau, scheme, SECOND_HALF, 2, townships, manual, inst)
    _score_all(inst, second, townships, leave=1)

    load_village_assessment(demo)

    for n, township in enumerate(townships[:6]):
        services.station_visit_create(
            actor=inst,
            area=township,
            kind="quarterly" if n % 3 == 0 else "monthly",
            visited_on=min(today, datetime.date(2026, 11, 10)) - datetime.timedelta(days=n * 4),
            supervisors="李明华、王志强",
            items="组织管理、制度建设、人员培训、档案管理、巡查记录",
            findings="" if n % 2 else "巡查登记表部分栏目填写不全，已要求整改。",
            score=Decimal(90 - n * 2),
        )
