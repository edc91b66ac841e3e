import datetime
import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from xieguan.core.testing import assert_constant_queries
from xieguan.demo.seeds import restore_seeded_rows
from xieguan.inspections.models import Handover, Inspection, InspectionStatus, Opinion, Reinspection
from xieguan.inspections.services.evidence import inspection_photo_add
from xieguan.inspections.services.followups import handover_create, reinspection_record
from xieguan.inspections.services.opinions import opinion_issue
from xieguan.inspections.tests.factories import draft, jpeg, plain_unit, png, submitted


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def cg2(demo):
    return demo.users["cg2"]


@pytest.fixture
def unit(township):
    return plain_unit(township, name="城关镇红星宾馆")


def start(unit, *people, **extra):
    data = {
        "unit_id": str(unit.pk),
        "started_at": timezone.now().isoformat(),
        "inspector_ids": [str(p.pk) for p in people],
        "latitude": "30.0009",
        "longitude": "120.0000",
        "accuracy_m": 12,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "status", "made"), [("cg1", 201, 1), ("inst", 201, 1), ("bureau", 403, 0), ("dh1", 404, 0)]
)
def test_create_inside_above_and_beside(demo, api_token, unit, who, status, made):
    user = demo.users[who]
    response = post_json(Client(), "/api/inspections", start(unit, user), **api_token(user))
    assert response.status_code == status, response.content
    assert Inspection.objects.count() == made
    if status == 201:
        body = response.json()
        assert body["status"] == "draft" and len(body["answers"]) == 10 and 95 < body["distance_m"] < 105
    else:
        assert response.json()["detail"]


def test_create_is_idempotent_on_the_client_id(demo, api_token, comanager_in, unit):
    key = str(uuid.uuid4())
    headers = api_token(comanager_in)
    first = post_json(Client(), "/api/inspections", start(unit, comanager_in, id=key), **headers)
    again = post_json(Client(), "/api/inspections", start(unit, comanager_in, id=key), **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == key and Inspection.objects.count() == 1


def test_the_whole_visit_through_the_api(demo, api_token, comanager_in, cg2, unit, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client, headers = Client(), api_token(comanager_in)
    body = post_json(client, "/api/inspections", start(unit, comanager_in), **headers).json()
    url = f"/api/inspections/{body['id']}"
    # Submitting with one inspector is refused in Chinese and changes nothing.
    refused = client.post(f"{url}/submit", **headers)
    assert refused.status_code == 422
    assert "每次检查不得少于两名检查人员" in refused.json()["detail"]
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    # A draft is edited directly: correcting one is refused for its state (409), not for what was sent.
    early = post_json(client, f"{url}/corrections", {"reason": "地点写错"}, **headers)
    assert early.status_code == 409 and "草稿可直接修改" in early.json()["detail"]
    assert Inspection.objects.count() == 1
    answers = [
        {"item_id": a["item_id"], "result": "fails" if n < 2 else "conforms", "note": "未见台账" if n < 2 else ""}
        for n, a in enumerate(body["answers"])
    ]
    patch = {
        "inspector_ids": [str(comanager_in.pk), str(cg2.pk)],
        "answers": answers,
        "problems": "健康证过期两人",
        "overall_result": "rectify",
        "representative": "张红星",
    }
    response = client.patch(url, json.dumps(patch), content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["problems"] == "健康证过期两人"
    photo = client.post(f"{url}/photos", {"image": jpeg()}, **headers)
    photo_again = client.post(f"{url}/photos", {"image": jpeg()}, **headers)
    assert (photo.status_code, photo_again.status_code) == (201, 200)
    # Submitting with one photo where the checklist asks for two is refused.
    one_photo = client.post(f"{url}/submit", **headers)
    assert one_photo.status_code == 422 and "至少 2 张照片" in one_photo.json()["fields"]["photos"][0]
    # A photo the phone named is kept once per name, even with the same bytes as another.
    slot = str(uuid.uuid4())
    second = client.post(f"{url}/photos", {"image": jpeg(), "id": slot}, **headers)
    second_again = client.post(f"{url}/photos", {"image": jpeg(), "id": slot}, **headers)
    assert (second.status_code, second_again.status_code) == (201, 200)
    assert second.json()["id"] == second_again.json()["id"] != photo.json()["id"]
    for person in (comanager_in, cg2):
        signed = client.post(
            f"{url}/signatures", {"role": "inspector", "user_id": str(person.pk), "image": png()}, **headers
        )
        assert signed.status_code == 201, signed.content
    refused_sign = client.post(f"{url}/signatures", {"role": "representative", "refused": "true"}, **headers)
    assert refused_sign.status_code == 201
    done = client.post(f"{url}/submit", **headers)
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    locked = client.patch(url, json.dumps({"problems": "改"}), content_type="application/json", **headers)
    assert locked.status_code == 409 and "已提交并锁定" in locked.json()["detail"]

    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    bad = post_json(
        client, "/api/opinions", {"inspection_id": body["id"], "text": "请整改", "deadline": past}, **headers
    )
    assert bad.status_code == 422 and "整改期限不能早于今天" in bad.json()["detail"]
    today = timezone.localdate().isoformat()
    penalty = post_json(
        client, "/api/opinions", {"inspection_id": body["id"], "text": "责令停业整顿", "deadline": today}, **headers
    )
    assert (
        penalty.status_code == 422 and "责令" in penalty.json()["detail"] and "处罚性用语" in penalty.json()["detail"]
    )
    key = str(uuid.uuid4())
    made = post_json(
        client,
        "/api/opinions",
        {"id": key, "inspection_id": body["id"], "text": "请整改", "deadline": today},
        **headers,
    )
    again = post_json(
        client,
        "/api/opinions",
        {"id": key, "inspection_id": body["id"], "text": "请整改", "deadline": today},
        **headers,
    )
    assert (made.status_code, again.status_code) == (201, 200) and Opinion.objects.count() == 1

    re = post_json(
        client,
        "/api/reinspections",
        {
            "id": str(uuid.uuid4()),
            "opinion_id": key,
            "inspected_at": timezone.now().isoformat(),
            "result": "not_rectified",
            "inspector_ids": [str(comanager_in.pk), str(cg2.pk)],
        },
        **headers,
    )
    assert re.status_code == 201
    hand = post_json(
        client, "/api/handovers", {"reason": "not_rectified", "reinspection_id": re.json()["id"]}, **headers
    )
    assert hand.status_code == 201
    outcome_url = f"/api/handovers/{hand.json()['id']}/outcome"
    denied = post_json(client, outcome_url, {"outcome": "x"}, **headers)
    assert denied.status_code == 403
    inst = api_token(demo.users["inst"])
    closed = post_json(client, outcome_url, {"investigation": "核实", "outcome": "已立案查处"}, **inst)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    seen = client.get(f"/api/handovers/{hand.json()['id']}", **headers).json()
    assert seen["outcome"] == "已立案查处"
    assert client.get(f"/api/handovers/{hand.json()['id']}", **api_token(demo.users["dh1"])).status_code == 404


def test_unit_outside_scope_is_404_in_chinese(demo, api_token, outsider, unit):
    response = post_json(Client(), "/api/inspections", start(unit, outsider), **api_token(outsider))
    assert response.status_code == 404 and "不在您的辖区内" in response.json()["detail"]
    assert not Inspection.objects.exists()


def test_bad_input_is_422_not_500(demo, api_token, comanager_in, unit):
    headers = api_token(comanager_in)
    for data in (
        start(unit, comanager_in, started_at="yesterday"),
        start(unit, comanager_in, latitude="95"),
        {"unit_id": "nope"},
    ):
        response = post_json(Client(), "/api/inspections", data, **headers)
        assert response.status_code in (404, 422), response.content
        assert response.json()["detail"]
    assert not Inspection.objects.exists()


def test_lists_are_scoped_and_queries_do_not_grow(demo, api_token, comanager_in, cg2, outsider, unit):
    draft(comanager_in, unit, inspectors=[comanager_in])
    client = Client()
    mine = client.get("/api/inspections", **api_token(comanager_in)).json()
    theirs = client.get("/api/inspections", **api_token(outsider)).json()
    assert len(mine["items"]) == 1 and theirs["items"] == []
    headers = api_token(comanager_in)

    def grow():
        record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
        for _ in range(3):
            handover_create(actor=comanager_in, reason="serious", inspection=record)

    assert_constant_queries(lambda: client.get("/api/handovers", **headers), grow, exactly=3)
    assert len(client.get("/api/handovers", **headers).json()["items"]) == 3
    assert client.get("/api/checklists?category=food", **headers).json()["items"][0]["category"] == "food"


def _visited(actor, unit, cg2, n):
    """A draft with a photo and a submitted record with an opinion and its
    re-inspection: one of each row the inspection lists read beside the record's."""
    record = draft(actor, plain_unit(unit.area, name=f"单位{n}"), inspectors=[actor, cg2])
    inspection_photo_add(actor=actor, inspection=record, upload=jpeg(f"#{n:02x}0000", (64, 48)))
    done = submitted(actor, plain_unit(unit.area, name=f"单位{n}乙"), inspectors=[actor, cg2], fails=1)
    opinion = opinion_issue(actor=actor, inspection=done, text="请整改", deadline=timezone.localdate())
    reinspection_record(
        actor=actor, opinion=opinion, inspected_at=timezone.now(), result="rectified", inspectors=[actor, cg2]
    )


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the token and its last use, the scope's area ids, the page; then the
        # answers (with their items), inspectors, photos and signatures of the
        # whole page
        ("/api/inspections", 8),
        # the token and its last use, the page with whether each was re-inspected
        ("/api/opinions", 3),
        # the token and its last use, the page, its inspectors
        ("/api/reinspections", 4),
    ],
)
def test_inspection_lists_cost_the_same_queries_however_many_records(
    demo, api_token, comanager_in, cg2, unit, tmp_path, settings, url, queries
):
    settings.MEDIA_ROOT = tmp_path
    headers = api_token(comanager_in)
    _visited(comanager_in, unit, cg2, 0)
    client = Client()

    def grow():
        for n in range(1, 4):
            _visited(comanager_in, unit, cg2, n)

    if url == "/api/inspections" and connection.features.supports_slicing_ordering_in_compound:
        queries += 1  # PostgreSQL: each area's first rows, then the page's (core.pagination's parts)
    assert_constant_queries(lambda: client.get(url, **headers), grow, exactly=queries)
    assert len(client.get(url, **headers).json()["items"]) == (8 if url == "/api/inspections" else 4)


@pytest.mark.django_db(transaction=True)
def test_two_opinions_issued_at_once_get_consecutive_numbers(demo, comanager_in, cg2, township):
    """Threads on PostgreSQL: the counter row lock serialises the two issues,
    so they get n and n+1, never the same number and never a gap."""
    if connection.vendor != "postgresql":
        pytest.skip("the row lock is PostgreSQL's; SQLite serialises writers anyway")
    restore_seeded_rows()  # an earlier transactional test may have flushed the checklists
    record = submitted(comanager_in, plain_unit(township), inspectors=[comanager_in, cg2], fails=1)
    barrier = threading.Barrier(4)
    errors = []

    def issue():
        try:
            barrier.wait()
            opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=timezone.localdate())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(Opinion.objects.values_list("serial", flat=True)) == [1, 2, 3, 4]
    assert Opinion.objects.values("number").distinct().count() == 4
    assert Handover.objects.count() == 0 and Reinspection.objects.count() == 0


def test_an_answer_sent_without_its_result_keeps_what_the_draft_holds(demo, api_token, comanager_in, unit):
    """Found by fuzzing (issue 19): ``{"item_id": …}`` alone answered 500; an
    item not on the checklist is a 422 in Chinese with nothing changed."""
    record = draft(comanager_in, unit, inspectors=[comanager_in])
    first = record.answers.order_by("item__sort").first()
    first.result, first.note = "fails", "地面有积水"
    first.save()
    url, headers = f"/api/inspections/{record.pk}", api_token(comanager_in)

    kept = Client().patch(
        url, json.dumps({"answers": [{"item_id": first.item_id}]}), content_type="application/json", **headers
    )
    assert kept.status_code == 200, kept.content
    first.refresh_from_db()
    assert (first.result, first.note) == ("fails", "地面有积水")

    noted = Client().patch(
        url,
        json.dumps({"answers": [{"item_id": first.item_id, "note": "已清理"}]}),
        content_type="application/json",
        **headers,
    )
    first.refresh_from_db()
    assert noted.status_code == 200 and (first.result, first.note) == ("fails", "已清理")

    unknown = Client().patch(url, json.dumps({"answers": [{"item_id": 0}]}), content_type="application/json", **headers)
    assert unknown.status_code == 422 and "检查表" in unknown.json()["detail"]
    first.refresh_from_db()
    assert (first.result, first.note) == ("fails", "已清理")
