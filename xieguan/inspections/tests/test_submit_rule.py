"""Issue 20 item 6: one submit rule (``records.submit_problems``) for the
page, the API and the phone: at least two inspectors at submit (a draft
may have fewer, and the form says so), the photos the checklist asks for,
the same result words, each item numbered once, and a question before the
record locks."""

import json
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from xieguan.inspections.models import Answer, ChecklistTemplate, InspectionStatus, OverallResult, SignerRole
from xieguan.inspections.services.checklists import checklist_draft_create, checklist_items_set, checklist_publish
from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
from xieguan.inspections.services.records import inspection_save_draft, inspection_submit, submit_problems
from xieguan.inspections.tests.factories import draft, jpeg, plain_unit, png


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cg2(demo):
    return demo.users["cg2"]


@pytest.fixture
def unit(township):
    return plain_unit(township)


def ready_but_photos(actor, unit, inspectors):
    """A draft with everything the submit asks for except photos."""
    inspection = draft(actor, unit, inspectors=inspectors)
    inspection_save_draft(
        actor=actor,
        inspection=inspection,
        answers={a.item_id: (Answer.CONFORMS, "") for a in inspection.answers.all()},
        overall_result=OverallResult.CONFORMING,
    )
    for person in inspectors:
        signature_add(actor=actor, inspection=inspection, role=SignerRole.INSPECTOR, user=person, upload=png())
    signature_add(actor=actor, inspection=inspection, role=SignerRole.REPRESENTATIVE, refused=True)
    return inspection


def add_photos(actor, inspection, count):
    for _n in range(count):
        inspection_photo_add(actor=actor, inspection=inspection, upload=jpeg(size=(64, 48)), client_id=uuid.uuid4())


def test_submit_asks_for_the_photos_the_checklist_asks_for(demo, comanager_in, cg2, unit):
    inspection = ready_but_photos(comanager_in, unit, [comanager_in, cg2])
    assert inspection.template.photos_required == 2
    add_photos(comanager_in, inspection, 1)
    with translation.override("zh-hans"):
        assert submit_problems(inspection) == {"photos": ["本检查表要求至少 2 张照片，本记录现有 1 张。"]}
        with pytest.raises(ValidationError):
            inspection_submit(actor=comanager_in, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT
    add_photos(comanager_in, inspection, 1)
    inspection_submit(actor=comanager_in, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED


def test_a_county_checklist_sets_its_own_photo_count(demo, comanager_in, cg2, supervisor_of, unit):
    county_version = checklist_draft_create(actor=supervisor_of, county=demo.county, category=unit.category)
    with pytest.raises(ValidationError) as caught:
        checklist_items_set(
            actor=supervisor_of, template=county_version, title="x", items="1 | y |", photos_required=21
        )
    assert list(caught.value.message_dict) == ["photos_required"]
    county_version.refresh_from_db()
    assert county_version.title != "x" and county_version.photos_required == 2
    checklist_items_set(
        actor=supervisor_of, template=county_version, title="公共场所巡查表", items="1 | 持证经营 |", photos_required=0
    )
    checklist_publish(actor=supervisor_of, template=county_version)
    inspection = ready_but_photos(comanager_in, unit, [comanager_in, cg2])
    assert inspection.template == county_version and submit_problems(inspection) == {}


def test_one_inspector_is_a_draft_never_a_submitted_record(demo, comanager_in, unit):
    inspection = ready_but_photos(comanager_in, unit, [comanager_in])
    add_photos(comanager_in, inspection, 2)
    with translation.override("zh-hans"):
        assert submit_problems(inspection) == {"inspectors": ["每次检查不得少于两名检查人员。"]}


def test_the_forms_say_the_rule_and_number_each_item_once(demo, login, comanager_in, unit):
    client = login(comanager_in)
    start = client.get(reverse("inspections:create")).content.decode()
    assert "检查人员（提交时不少于两人）" in start and "提交时须有至少两名检查人员" in start
    inspection = draft(comanager_in, unit, inspectors=[comanager_in])
    page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "检查人员（提交时不少于两人）" in page
    assert '<ul class="checklist">' in page and '<ol class="checklist">' not in page
    first = inspection.answers.order_by("item__sort").first().item
    assert f"<strong>{first.code}. {first.text}</strong>" in page
    assert "本检查表要求提交时至少有 2 张照片" in page
    # The one button that locks asks first (app.js reads data-confirm; no inline script).
    button = re.search(r'<button type="submit" name="action" value="submit"[^>]*>', page).group(0)
    assert 'data-confirm="确定提交并锁定这份记录？' in button
    assert "<script>" not in page
    # The result words are the model's, the ones the phone shows too.
    for label in OverallResult.labels:
        assert f">{label}</option>" in page


def test_a_refused_submit_on_the_page_names_the_missing_photos(demo, login, comanager_in, cg2, unit):
    inspection = ready_but_photos(comanager_in, unit, [comanager_in, cg2])
    data = {
        "inspectors": [str(comanager_in.pk), str(cg2.pk)],
        "overall_result": "conforming",
        **{f"a_{a.item_id}": "conforms" for a in inspection.answers.all()},
        "action": "submit",
    }
    response = login(comanager_in).post(reverse("inspections:detail", args=[inspection.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "本检查表要求至少 2 张照片，本记录现有 0 张。" in page
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT


def test_the_api_refuses_the_submit_with_the_photos_field(demo, api_token, comanager_in, cg2, unit):
    inspection = ready_but_photos(comanager_in, unit, [comanager_in, cg2])
    response = Client().post(f"/api/inspections/{inspection.pk}/submit", **api_token(comanager_in))
    body = response.json()
    assert response.status_code == 422 and list(body["fields"]) == ["photos"]
    assert body["fields"]["photos"] == ["本检查表要求至少 2 张照片，本记录现有 0 张。"]
    # Once the photos are in, the same call submits.
    add_photos(comanager_in, inspection, 2)
    done = Client().post(f"/api/inspections/{inspection.pk}/submit", **api_token(comanager_in))
    assert done.status_code == 200 and json.loads(done.content)["status"] == "submitted"


def test_a_new_national_checklist_asks_for_two_photos(db):
    assert set(ChecklistTemplate.objects.values_list("photos_required", flat=True)) == {2}
