"""The API: allocations with their inputs and the budget, scores per item,
what a township sees, idempotent creates, Chinese errors, list query counts."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from xieguan.assessments import services
from xieguan.assessments.models import ItemKind, StationVisit
from xieguan.assessments.tests.conftest import score_all
from xieguan.core.testing import assert_constant_queries

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 10)


def _final(demo, assessment):
    bureau = demo.users["bureau"]
    score_all(demo, assessment)
    services.assessment_release(actor=bureau, assessment=assessment, today=TODAY)
    services.assessment_finalise(actor=bureau, assessment=assessment)


def test_allocations_answer_inputs_and_amounts_that_add_up_to_the_budget(demo, api_token, assessment):
    _final(demo, assessment)
    body = Client().get(f"/api/assessments/{assessment.pk}/allocations", **api_token(demo.users["bureau"])).json()
    assert Decimal(body["budget"]) == Decimal("10000.01")
    assert {"area_id", "population", "score", "coefficient", "amount"} <= set(body["items"][0])
    assert sum(Decimal(i["amount"]) for i in body["items"]) == Decimal("10000.01")


def test_a_township_reads_only_its_own_row_and_scores(demo, api_token, assessment):
    cg1 = api_token(demo.users["cg1"])
    assert Client().get(f"/api/assessments/{assessment.pk}", **cg1).status_code == 404
    _final(demo, assessment)
    body = Client().get(f"/api/assessments/{assessment.pk}", **cg1).json()
    assert [a["area_id"] for a in body["areas"]] == [str(demo.townships[0].pk)]
    scores = Client().get(f"/api/assessments/{assessment.pk}/scores", **cg1).json()["items"]
    assert {s["area_id"] for s in scores} == {str(demo.townships[0].pk)} and len(scores) == 3
    rows = Client().get(f"/api/assessments/{assessment.pk}/allocations", **cg1).json()["items"]
    assert [r["area_id"] for r in rows] == [str(demo.townships[0].pk)]


def test_scores_per_item_and_a_manual_score_through_the_api(demo, api_token, assessment):
    inst = api_token(demo.users["inst"])
    cell = assessment.scores.filter(item__kind=ItemKind.MANUAL).first()
    answer = Client().put(
        f"/api/assessment-scores/{cell.pk}", {"score": "12.5", "notes": "台账"}, content_type="application/json", **inst
    )
    assert answer.status_code == 200 and answer.json()["score"] == "12.50"
    bad = Client().put(
        f"/api/assessment-scores/{cell.pk}", {"score": "99", "notes": ""}, content_type="application/json", **inst
    )
    assert bad.status_code == 422 and "之间" in bad.json()["detail"]


def test_a_visit_create_is_idempotent_on_its_id(demo, api_token):
    inst = api_token(demo.users["inst"])
    body = {
        "id": str(uuid.uuid4()),
        "area_id": str(demo.townships[0].pk),
        "visited_on": "2026-06-01",
        "supervisors": "李明华",
    }
    first = Client().post("/api/station-visits", body, content_type="application/json", **inst)
    again = Client().post("/api/station-visits", body, content_type="application/json", **inst)
    assert (first.status_code, again.status_code) == (201, 200) and StationVisit.objects.count() == 1


def _visit_body(area, **extra):
    return {
        "id": str(uuid.uuid4()),
        "area_id": str(area.pk),
        "visited_on": "2026-06-01",
        "supervisors": "王协管",
    } | extra


def test_a_visit_retry_from_the_phone_answers_the_same_or_409_when_it_differs(demo, api_token):
    """The field app sends If-None-Match: *: the same retry answers 200 with
    the same visit; a retry whose fields differ is a 409 with the server's
    visit, and nothing is changed or added."""
    cg1 = api_token(demo.users["cg1"])
    village = next(v for v in demo.villages if v.parent_id == demo.townships[0].pk)
    body = _visit_body(village, kind="quarterly", findings="台账不全", score="88.5")
    post = lambda b: Client().post(  # noqa: E731
        "/api/station-visits", b, content_type="application/json", HTTP_IF_NONE_MATCH="*", **cg1
    )
    first, again = post(body), post(body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and again.json()["area_name"] == village.name
    changed = post(body | {"findings": "台账齐全", "score": "90"})
    assert changed.status_code == 409
    answer = changed.json()
    assert set(answer["fields"]) == {"findings", "score"} and "两个版本" in answer["detail"]
    assert answer["server"]["findings"] == "台账不全"
    held = StationVisit.objects.get()
    assert (held.findings, held.score, held.created_by) == ("台账不全", Decimal("88.50"), demo.users["cg1"])
    # Without the header a retry keeps the old quiet 200 (the web's double click).
    plain = Client().post("/api/station-visits", body | {"findings": "别的"}, content_type="application/json", **cg1)
    assert plain.status_code == 200 and StationVisit.objects.count() == 1


def test_a_township_visits_its_own_villages_only(demo, api_token):
    cg1 = api_token(demo.users["cg1"])
    own = next(v for v in demo.villages if v.parent_id == demo.townships[0].pk)
    other = next(v for v in demo.villages if v.parent_id == demo.townships[1].pk)
    post = lambda b: Client().post("/api/station-visits", b, content_type="application/json", **cg1)  # noqa: E731
    assert post(_visit_body(other)).status_code == 404
    township = post(_visit_body(demo.townships[0]))
    assert township.status_code == 422 and "村" in township.json()["detail"]
    assert post(_visit_body(own)).status_code == 201
    # A village officer does not supervise stations.
    cun1 = api_token(demo.users["cun1"])
    village_of_cun1 = demo.users["cun1"].institution.area
    refused = Client().post(
        "/api/station-visits", _visit_body(village_of_cun1), content_type="application/json", **cun1
    )
    assert refused.status_code == 403 and StationVisit.objects.count() == 1


def test_the_assessment_list_costs_the_same_however_many(demo, api_token, scheme, assessment):
    bureau = demo.users["bureau"]
    headers = api_token(bureau)

    def grow():
        for i in range(3):
            services.assessment_create(
                actor=bureau,
                scheme=scheme,
                name=f"考核{i}",
                starts_on=datetime.date(2026, 1, 1),
                ends_on=datetime.date(2026, 3, 31),
                areas=demo.townships[:4],
            )

    assert_constant_queries(lambda: Client().get("/api/assessments", **headers), grow, exactly=4)


def test_a_scheme_with_an_unknown_indicator_is_refused_in_chinese(demo, api_token):
    bureau = api_token(demo.users["bureau"])
    made = (
        Client()
        .post(
            "/api/assessment-schemes",
            {"area_id": str(demo.county.pk), "name": "接口方案"},
            content_type="application/json",
            **bureau,
        )
        .json()
    )
    answer = Client().post(
        f"/api/assessment-schemes/{made['id']}/items",
        {"name": "x", "max_score": "10", "kind": "auto", "indicator_code": "无"},
        content_type="application/json",
        **bureau,
    )
    assert answer.status_code == 422 and "指标" in str(answer.json())


def test_a_population_id_reused_for_another_year_is_a_conflict_not_a_500(demo, api_token):
    """Found by the fuzzing: the same client id sent for another year made a
    second row with a taken primary key (a 500); it is a 409 with the figure kept."""
    bureau = api_token(demo.users["bureau"])
    body = {"id": str(uuid.uuid4()), "area_id": str(demo.townships[0].pk), "year": 2026, "population": 1200}
    first = Client().post("/api/populations", body, content_type="application/json", **bureau)
    again = Client().post("/api/populations", body, content_type="application/json", **bureau)
    other = Client().post("/api/populations", {**body, "year": 2027}, content_type="application/json", **bureau)
    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert other.json()["server"]["year"] == 2026 and "year" in other.json()["fields"]


def test_the_assessed_township_may_not_answer_its_own_appeal(demo, api_token, assessment):
    """It sees its appeal, so answering is a role limit (403 in Chinese), not a hidden record."""
    from xieguan.assessments.tests.test_services import TODAY

    bureau, cg1 = demo.users["bureau"], demo.users["cg1"]
    score_all(demo, assessment)
    services.assessment_release(actor=bureau, assessment=assessment, today=TODAY)
    assessment.refresh_from_db()
    item = assessment.scheme.items.get(name="两表一书")
    appeal = services.appeal_create(
        actor=cg1, assessment=assessment, area=demo.townships[0], item=item, reason="请复核", today=TODAY
    )
    url = f"/api/assessment-appeals/{appeal.pk}/answer"
    refused = Client().post(url, {"answer": "同意"}, content_type="application/json", **api_token(cg1))
    assert refused.status_code == 403 and any("\u4e00" <= ch <= "\u9fff" for ch in refused.json()["detail"])
    appeal.refresh_from_db()
    assert appeal.answered_at is None


def test_a_populations_workbook_is_imported_and_a_year_out_of_range_refused(demo, api_token):
    """The form states the year's range (2000–2100): outside it is a 422 and nothing is kept."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from xieguan.assessments.models import Population

    book = Workbook()
    book.active.append(["名称", "服务人口"])
    book.active.append([demo.townships[0].name, 12345])
    out = io.BytesIO()
    book.save(out)
    bureau = api_token(demo.users["bureau"])

    def send(year: int) -> Any:
        data = {"year": year, "file": SimpleUploadedFile("人口.xlsx", out.getvalue())}
        return Client().post("/api/populations/import", data, **bureau)

    refused = send(1999)
    assert refused.status_code == 422 and "year" in refused.json()["fields"]
    assert not Population.objects.filter(area=demo.townships[0], year=1999).exists()
    done = send(2026)
    assert done.status_code == 200 and done.json()["rows"] == 1
    assert Population.objects.get(area=demo.townships[0], year=2026).population == 12345
