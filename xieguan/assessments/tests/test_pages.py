"""The pages: lists with their query counts, the assessor's steps, and what
an assessed township's co-manager sees."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from xieguan.assessments import services
from xieguan.assessments.models import Assessment, AssessmentStatus, ItemKind, StationVisit
from xieguan.assessments.tests.conftest import score_all
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 10)


def _another(demo, scheme, n):
    bureau = demo.users["bureau"]
    for i in range(n):
        services.assessment_create(
            actor=bureau,
            scheme=scheme,
            name=f"考核{i}",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 3, 31),
            areas=demo.townships[:4],
        )


def test_the_list_costs_the_same_however_many_assessments(demo, login, assessment, scheme):
    client = login(demo.users["bureau"])
    assert_constant_queries(lambda: client.get("/assessments/"), lambda: _another(demo, scheme, 3), exactly=9)


def test_the_detail_page_costs_the_same_however_many_areas(demo, login, scheme):
    bureau = demo.users["bureau"]
    made = services.assessment_create(
        actor=bureau,
        scheme=scheme,
        name="x",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
        areas=demo.townships[:2],
    )
    client = login(bureau)

    def grow():
        from xieguan.assessments.models import AssessedArea, ItemScore

        for area in demo.townships[2:6]:
            AssessedArea.objects.create(assessment=made, area=area)
            for item in scheme.items.all():
                ItemScore.objects.create(assessment=made, area=area, item=item)

    # 16: the documents kept with the assessment (archives, one query) joined
    # the page. Their owner is named by content type, which Django caches per
    # process after its first lookup: looked up here, as any running server has.
    from django.contrib.contenttypes.models import ContentType

    from xieguan.assessments.models import Assessment

    ContentType.objects.get_for_model(Assessment)
    assert_constant_queries(lambda: client.get(f"/assessments/{made.pk}/"), grow, exactly=16)


def test_population_and_visit_lists_cost_the_same(demo, login):
    bureau, inst = demo.users["bureau"], demo.users["inst"]
    client = login(bureau)
    assert_constant_queries(
        lambda: client.get("/populations/"),
        lambda: [services.population_save(actor=bureau, area=t, year=2026, population=100) for t in demo.townships[:4]],
        exactly=9,
    )
    assert_constant_queries(
        lambda: client.get("/station-visits/"),
        lambda: [
            services.station_visit_create(actor=inst, area=t, visited_on=TODAY, supervisors="李明华")
            for t in demo.townships[:4]
        ],
        exactly=9,
    )


def test_the_scheme_list_costs_the_same(demo, login, scheme):
    client = login(demo.users["bureau"])
    assert_constant_queries(
        lambda: client.get("/assessment-schemes/"),
        lambda: [
            services.scheme_create(actor=demo.users["bureau"], area=demo.county, name=f"方案{i}") for i in range(3)
        ],
        exactly=9,
    )


def test_bureau_publishes_a_scheme_from_the_pages(demo, login):
    client = login(demo.users["bureau"])
    response = client.post(
        "/assessment-schemes/new/",
        {
            "area": demo.county.pk,
            "name": "页面方案",
            "period_kind": "half",
            "award_mode": "ranks",
            "award_tiers": "一等奖 1 1.2\n二等奖 2 1.1",
            "fund_formula": "share",
            "appeal_days": 5,
        },
    )
    assert response.status_code == 302
    from xieguan.assessments.models import AssessmentScheme

    made = AssessmentScheme.objects.get(name="页面方案")
    assert made.award_tiers[0] == {"name": "一等奖", "count": 1, "coefficient": "1.20"}
    response = client.post(
        f"/assessment-schemes/{made.pk}/items/new/",
        {
            "name": "日常巡查",
            "max_score": "60",
            "kind": "auto",
            "indicator_code": "coverage",
            "rule": "threshold",
            "target": "100",
            "floor": "60",
        },
    )
    assert response.status_code == 302
    client.post(
        f"/assessment-schemes/{made.pk}/items/new/",
        {"name": "档案", "max_score": "40", "kind": "manual", "rule": "threshold"},
    )
    client.post(f"/assessment-schemes/{made.pk}/publish/")
    made.refresh_from_db()
    assert made.status == "in_use" and made.items.count() == 2


def test_bad_tiers_come_back_in_chinese_and_nothing_is_made(demo, login):
    from xieguan.assessments.models import AssessmentScheme

    client = login(demo.users["bureau"])
    before = AuditEvent.objects.count()
    response = client.post(
        "/assessment-schemes/new/",
        {
            "area": demo.county.pk,
            "name": "坏方案",
            "period_kind": "half",
            "award_mode": "ranks",
            "award_tiers": "一等奖 很多",
            "fund_formula": "share",
            "appeal_days": 5,
        },
    )
    assert response.status_code == 200 and "名额" in response.content.decode()
    assert not AssessmentScheme.objects.filter(name="坏方案").exists() and AuditEvent.objects.count() == before


def test_a_township_sees_nothing_before_release_and_only_its_own_after(demo, login, assessment):
    cg1 = login(demo.users["cg1"])
    assert cg1.get(f"/assessments/{assessment.pk}/").status_code == 404
    assert assessment.name not in cg1.get("/assessments/").content.decode()
    score_all(demo, assessment)
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    page = cg1.get(f"/assessments/{assessment.pk}/").content.decode()
    assert demo.townships[0].name in page and demo.townships[1].name not in page
    assert "申诉" in page
    assert cg1.get(f"/assessments/{assessment.pk}/allocations/").status_code == 200
    assert cg1.get(f"/assessments/{assessment.pk}/bulletin/").status_code == 404  # not issued yet


def test_cg1_appeals_and_bureau_answers_through_the_pages(demo, login, assessment):
    score_all(demo, assessment)
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=datetime.date.today())
    item = assessment.scheme.items.get(name="两表一书")
    response = login(demo.users["cg1"]).post(
        f"/assessments/{assessment.pk}/appeal/", {"item": item.pk, "reason": "已补齐台账"}
    )
    assert response.status_code == 302
    appeal = assessment.appeals.get()
    response = login(demo.users["bureau"]).post(
        f"/assessment-appeals/{appeal.pk}/answer/", {"answer": "同意", "new_score": "28"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.new_score == Decimal(28)


def test_the_bulletin_downloads_as_word_and_pdf(demo, login, assessment):
    bureau = demo.users["bureau"]
    score_all(demo, assessment)
    services.assessment_release(actor=bureau, assessment=assessment, today=TODAY)
    services.assessment_finalise(actor=bureau, assessment=assessment)
    client = login(bureau)
    page = client.get(f"/assessments/{assessment.pk}/bulletin/").content.decode()
    assert "关于" in page and "考核结果" in page
    docx = client.get(f"/assessments/{assessment.pk}/bulletin.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    pdf = client.get(f"/assessments/{assessment.pk}/bulletin.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.post(f"/assessments/{assessment.pk}/bulletin/", {"text": "关于考核的通报\n城关镇第一。"})
    client.post(f"/assessments/{assessment.pk}/bulletin/publish/")
    assessment.refresh_from_db()
    assert assessment.bulletin_published_at is not None
    home = login(demo.users["cg1"]).get("/").content.decode()
    assert "考核结果" in home and assessment.name in home


def test_the_allocation_export_adds_up_and_has_no_formula(demo, login, assessment):
    import io

    from openpyxl import load_workbook

    bureau = demo.users["bureau"]
    score_all(demo, assessment)
    services.assessment_release(actor=bureau, assessment=assessment, today=TODAY)
    services.assessment_finalise(actor=bureau, assessment=assessment)
    response = login(bureau).get(f"/assessments/{assessment.pk}/allocations.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert not any(isinstance(v, str) and v.startswith("=") for row in values for v in row)
    amounts = [Decimal(str(row[5])) for row in values[2:-1]]
    assert sum(amounts) == Decimal("10000.01") == Decimal(str(values[-1][5]))


def test_a_visit_is_recorded_from_the_page(demo, login):
    response = login(demo.users["inst"]).post(
        "/station-visits/new/",
        {
            "area": demo.townships[0].pk,
            "kind": "monthly",
            "visited_on": "2026-06-01",
            "supervisors": "李明华",
            "items": "档案",
            "findings": "登记表不全",
            "score": "88",
        },
    )
    assert response.status_code == 302
    assert StationVisit.objects.get().findings == "登记表不全"


def test_a_manual_score_with_evidence_from_the_page(demo, login, assessment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cell = assessment.scores.filter(item__kind=ItemKind.MANUAL).first()
    response = login(demo.users["inst"]).post(
        f"/assessment-scores/{cell.pk}/",
        {
            "score": "27.5",
            "notes": "查阅台账",
            "evidence": SimpleUploadedFile("照片.jpg", b"\xff\xd8jpeg", content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    cell.refresh_from_db()
    assert (
        cell.score == Decimal("27.5")
        and cell.evidence_name == "照片.jpg"
        and cell.evidence.name.startswith("assessments/")
    )
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SCORING
