"""The assessment's steps through the services: who may do what, in which
state, what is audited, and what an assessed township may see."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from xieguan.assessments import services
from xieguan.assessments.models import AssessedArea, AssessmentStatus, ItemKind, ItemScore
from xieguan.assessments.selectors import areas_of, assessments_for, get_assessment_for_user, scores_of
from xieguan.assessments.tests.conftest import score_all
from xieguan.core.models import AuditEvent
from xieguan.core.registry import registry

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 10)


def test_automatic_items_keep_the_indicator_figures_they_used(demo, assessment):
    cell = assessment.scores.select_related("area", "item").get(item__kind=ItemKind.AUTO, area=demo.townships[0])
    filing = next(i for i in registry.indicators if i.code == "filing")
    from xieguan.assessments.periods import Span

    rate = filing.value(
        demo.users["bureau"], area=demo.townships[0], period=Span(assessment.starts_on, assessment.ends_on), today=TODAY
    )
    assert cell.figures["numerator"] == rate.numerator and cell.figures["denominator"] == rate.denominator
    assert cell.figures["code"] == "filing"
    assert cell.score is not None


def test_an_unknown_indicator_code_is_refused_and_nothing_is_made(demo):
    bureau = demo.users["bureau"]
    scheme = services.scheme_create(actor=bureau, area=demo.county, name="草稿")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.scheme_item_add(
            actor=bureau, scheme=scheme, name="x", max_score=10, kind="auto", indicator_code="nope"
        )
    assert "indicator_code" in caught.value.message_dict
    assert scheme.items.count() == 0 and AuditEvent.objects.count() == before


def test_a_scheme_in_use_cannot_be_edited_but_a_new_version_can(demo, scheme):
    bureau = demo.users["bureau"]
    with pytest.raises(ValidationError):
        services.scheme_item_add(actor=bureau, scheme=scheme, name="新增", max_score=5)
    copy = services.scheme_revise(actor=bureau, scheme=scheme)
    assert copy.version == 2 and copy.status == "draft" and copy.items.count() == 3
    services.scheme_item_add(actor=bureau, scheme=copy, name="新增", max_score=5)
    services.scheme_publish(actor=bureau, scheme=copy)
    scheme.refresh_from_db()
    assert scheme.status == "retired"


def test_release_needs_every_manual_item_scored(demo, assessment):
    with pytest.raises(ValidationError, match="未评分"):
        services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCORING


def test_a_reviewer_cannot_score_above_the_maximum(demo, assessment):
    cell = assessment.scores.filter(item__kind=ItemKind.MANUAL).select_related("item", "assessment").first()
    with pytest.raises(ValidationError):
        services.item_score_set(actor=demo.users["inst"], score=cell, value=Decimal(31))
    cell.refresh_from_db()
    assert cell.score is None


def test_a_veto_makes_the_total_zero_and_wins_nothing(demo, assessment):
    score_all(demo, assessment, Decimal(30))
    vetoed = demo.townships[0]
    services.deduction_add(
        actor=demo.users["inst"], assessment=assessment, area=vetoed, kind="veto", reason="突发事件未在2小时内报告"
    )
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    row = AssessedArea.objects.get(assessment=assessment, area=vetoed)
    assert row.vetoed and row.total == Decimal("0.00") and row.tier == ""
    assert AuditEvent.objects.filter(action="deduction.create").exists()


def test_a_deduction_takes_points_off(demo, assessment):
    score_all(demo, assessment, Decimal(20))
    services.deduction_add(
        actor=demo.users["inst"],
        assessment=assessment,
        area=demo.townships[1],
        kind="deduction",
        points=Decimal("2.5"),
        reason="意见书未跟踪整改",
    )
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    rows = {r.area_id: r for r in AssessedArea.objects.filter(assessment=assessment)}
    auto = {s.area_id: s.score for s in ItemScore.objects.filter(assessment=assessment, item__kind=ItemKind.AUTO)}
    assert rows[demo.townships[1].pk].total == auto[demo.townships[1].pk] + 40 - Decimal("2.5")


def test_a_township_never_sees_unpublished_scores_its_own_or_another(demo, assessment):
    cg1, dh1 = demo.users["cg1"], demo.users["dh1"]
    score_all(demo, assessment)
    assert not assessments_for(cg1).filter(pk=assessment.pk).exists()
    with pytest.raises(Http404):
        get_assessment_for_user(cg1, assessment.pk)
    assert scores_of(cg1, assessment).count() == 0
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    assessment.refresh_from_db()
    seen = scores_of(cg1, assessment)
    assert seen.count() == 3 and {s.area_id for s in seen} == {demo.townships[0].pk}
    assert [r.area_id for r in areas_of(cg1, assessment)] == [demo.townships[0].pk]
    assert {s.area_id for s in scores_of(dh1, assessment)} == {demo.townships[1].pk}
    outside = demo.users["bureau"]
    assert scores_of(outside, assessment).count() == 9


def test_the_appeal_window_closes(demo, assessment):
    score_all(demo, assessment)
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    assessment.refresh_from_db()
    late = assessment.appeal_until + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="截止"):
        services.appeal_create(
            actor=demo.users["cg1"], assessment=assessment, area=demo.townships[0], reason="迟到", today=late
        )
    assert not assessment.appeals.exists()


def test_a_township_cannot_appeal_for_another(demo, assessment):
    score_all(demo, assessment)
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    with pytest.raises(Http404):
        services.appeal_create(
            actor=demo.users["dh1"], assessment=assessment, area=demo.townships[0], reason="代申诉", today=TODAY
        )


def test_appeal_answer_changes_the_score_and_finalising_allocates_the_budget_exactly(demo, assessment):
    bureau, cg1 = demo.users["bureau"], demo.users["cg1"]
    score_all(demo, assessment)
    services.assessment_release(actor=bureau, assessment=assessment, today=TODAY)
    assessment.refresh_from_db()
    item = assessment.scheme.items.get(name="两表一书")
    appeal = services.appeal_create(
        actor=cg1, assessment=assessment, area=demo.townships[0], item=item, reason="请复核", today=TODAY
    )
    with pytest.raises(ValidationError, match="未答复"):
        services.assessment_finalise(actor=bureau, assessment=assessment)
    services.appeal_answer(actor=bureau, appeal=appeal, answer="同意", new_score=Decimal(30))
    assert ItemScore.objects.get(assessment=assessment, area=demo.townships[0], item=item).score == Decimal(30)
    services.assessment_finalise(actor=bureau, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.FINAL
    amounts = list(assessment.allocations.values_list("amount", flat=True))
    assert len(amounts) == 3 and sum(amounts) == Decimal("10000.01")
    with pytest.raises(ValidationError, match="冻结"):
        services.assessment_compute(actor=bureau, assessment=assessment)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "assessment.create",
        "assessment.start",
        "assessment.release",
        "appeal.create",
        "appeal.answer",
        "assessment.finalise",
        "assessment.allocate",
        "item_score.score",
    } <= actions


def test_per_capita_budget_is_the_rate_times_the_population(demo, scheme):
    bureau = demo.users["bureau"]
    for township, people in zip(demo.townships[:2], [12345, 6789], strict=True):
        services.population_save(actor=bureau, area=township, year=2026, population=people)
    made = services.assessment_create(
        actor=bureau,
        scheme=scheme,
        name="人均",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
        areas=demo.townships[:2],
    )
    services.assessment_start(actor=bureau, assessment=made, today=TODAY)
    score_all(demo, made)
    services.assessment_release(actor=bureau, assessment=made, today=TODAY)
    services.assessment_finalise(actor=bureau, assessment=made)
    made.refresh_from_db()
    assert made.budget == Decimal("1.25") * (12345 + 6789)
    assert sum(made.allocations.values_list("amount", flat=True)) == made.budget


def test_missing_population_is_named(demo, assessment):
    from xieguan.assessments.models import Population

    Population.objects.filter(area=demo.townships[2]).delete()
    score_all(demo, assessment)
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    with pytest.raises(ValidationError, match=demo.townships[2].name):
        services.assessment_finalise(actor=demo.users["bureau"], assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.RELEASED


def test_a_comanager_cannot_run_the_county_assessment(demo, assessment):
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        services.assessment_compute(actor=demo.users["cg1"], assessment=assessment)
    with pytest.raises((PermissionDenied, Http404)):
        services.scheme_create(actor=demo.users["cun1"], area=demo.townships[0], name="村")
    assert AuditEvent.objects.count() == before


def test_a_township_assesses_its_villages(demo):
    cg1 = demo.users["cg1"]
    township = demo.townships[0]
    scheme = services.scheme_create(actor=cg1, area=township, name="村级考核")
    services.scheme_item_add(actor=cg1, scheme=scheme, name="信息报告", max_score=100)
    services.scheme_publish(actor=cg1, scheme=scheme)
    villages = [v for v in demo.villages if v.path.startswith(township.path)]
    made = services.assessment_create(
        actor=cg1,
        scheme=scheme,
        name="村级",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
        areas=villages,
        budget_mode="entered",
        budget="1000",
    )
    assert made.areas.count() == len(villages)
    with pytest.raises(ValidationError):
        services.assessment_create(
            actor=cg1,
            scheme=scheme,
            name="越级",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 6, 30),
            areas=[township],
        )


def test_supervision_coverage_indicator_counts_visited_stations(demo):
    from xieguan.assessments.periods import Span

    inst = demo.users["inst"]
    services.station_visit_create(
        actor=inst, area=demo.townships[0], visited_on=datetime.date(2026, 3, 3), supervisors="李明华"
    )
    services.station_visit_create(
        actor=inst, area=demo.townships[1], visited_on=datetime.date(2026, 8, 3), supervisors="李明华"
    )
    indicator = next(i for i in registry.indicators if i.code == "supervision")
    rate = indicator.value(
        inst, area=demo.county, period=Span(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)), today=TODAY
    )
    assert (rate.numerator, rate.denominator) == (1, len(demo.townships))


def test_population_import_reads_names_and_refuses_a_bad_row_whole(demo, tmp_path):
    import io

    from openpyxl import Workbook

    from xieguan.assessments.models import Population

    def book(rows):
        wb = Workbook()
        ws = wb.active
        ws.append(["乡镇", "服务人口"])
        for r in rows:
            ws.append(r)
        out = io.BytesIO()
        wb.save(out)
        out.seek(0)
        return out

    bureau = demo.users["bureau"]
    with pytest.raises(ValidationError, match="第3行"):
        services.population_import(
            actor=bureau, parent=demo.county, year=2026, upload=book([["城关镇", 100], ["不存在镇", 5]])
        )
    assert not Population.objects.exists()
    n = services.population_import(
        actor=bureau, parent=demo.county, year=2026, upload=book([["城关镇", 100], ["河东镇", 200]])
    )
    assert n == 2 and Population.objects.get(area=demo.townships[1]).population == 200
