import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from xieguan.core.errors import StateConflict
from xieguan.core.models import AuditEvent
from xieguan.inspections.defaults import CHECKLISTS
from xieguan.inspections.models import (
    Answer,
    ChecklistTemplate,
    Handover,
    Inspection,
    InspectionStatus,
    Opinion,
    Photo,
    Signature,
    SignerRole,
)
from xieguan.inspections.services.checklists import (
    checklist_draft_create,
    checklist_for,
    checklist_items_set,
    checklist_publish,
    forbidden_phrase_add,
)
from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
from xieguan.inspections.services.followups import handover_create, handover_record, reinspection_record
from xieguan.inspections.services.opinions import opinion_draft_text, opinion_issue
from xieguan.inspections.services.records import (
    inspection_correct,
    inspection_save_draft,
    inspection_submit,
)
from xieguan.inspections.tests.factories import draft, jpeg, plain_unit, png, submitted


@pytest.fixture
def cg2(demo):
    return demo.users["cg2"]


@pytest.fixture
def unit(township):
    return plain_unit(township)


def test_the_six_default_checklists_ship_published(db):
    national = ChecklistTemplate.objects.filter(county__isnull=True, subtype__isnull=True, status="published")
    assert sorted(national.values_list("category__code", flat=True)) == sorted(CHECKLISTS)
    public = national.get(category__code="public_place")
    texts = list(public.items.values_list("text", flat=True))
    assert "公共用品用具一客一换一消毒" in texts and len(texts) == 10


def test_draft_keeps_partial_answers_and_one_inspector(demo, comanager_in, unit):
    inspection = draft(
        comanager_in, unit, inspectors=[comanager_in], latitude=Decimal("30.001"), longitude=Decimal("120")
    )
    first = inspection.answers.order_by("item__sort").first()
    inspection_save_draft(
        actor=comanager_in,
        inspection=inspection,
        answers={first.item_id: ("fails", "无消毒记录")},
        problems="消毒间未启用",
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT and inspection.problems == "消毒间未启用"
    first.refresh_from_db()
    assert (first.result, first.note) == ("fails", "无消毒记录")
    # 0.001° of latitude ≈ 111 m from the unit's registered point
    assert 110 < inspection.distance_m < 112


def test_submit_refuses_one_inspector_in_chinese_and_changes_nothing(demo, comanager_in, unit, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    inspection = draft(comanager_in, unit, inspectors=[comanager_in])
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        inspection_submit(actor=comanager_in, inspection=inspection)
    messages = caught.value.message_dict
    assert "每次检查不得少于两名检查人员。" in messages["inspectors"]
    assert "answers" in messages and "signatures" in messages
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT and inspection.submitted_at is None


def test_the_same_inspector_twice_is_one_inspector(demo, comanager_in, unit):
    inspection = draft(comanager_in, unit, inspectors=[comanager_in, comanager_in])
    assert inspection.inspector_links.count() == 1


def test_inspector_outside_scope_is_refused(demo, comanager_in, outsider, unit):
    with pytest.raises(ValidationError) as caught:
        draft(comanager_in, unit, inspectors=[comanager_in, outsider])
    assert "inspectors" in caught.value.message_dict
    assert not Inspection.objects.exists()


def test_outsider_cannot_inspect_a_unit_of_another_township(demo, outsider, unit):
    with pytest.raises(Http404):
        draft(outsider, unit, inspectors=[outsider])
    assert not Inspection.objects.exists()


def test_county_leader_may_not_record_inspections(demo, county_admin, unit):
    with pytest.raises(PermissionDenied):
        draft(county_admin, unit, inspectors=[])


def test_submitted_record_is_locked_and_a_correction_is_a_new_version(demo, comanager_in, cg2, unit):
    with pytest.raises(StateConflict):  # a draft is edited directly
        inspection_correct(actor=comanager_in, inspection=draft(comanager_in, unit, inspectors=[]), reason="地点写错")
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=2)
    assert record.status == InspectionStatus.SUBMITTED
    with pytest.raises(ValidationError):
        inspection_save_draft(actor=comanager_in, inspection=record, problems="改写")
    record.refresh_from_db()
    assert record.problems == "从业人员健康证过期"
    with pytest.raises(ValidationError):
        inspection_correct(actor=comanager_in, inspection=record, reason="")
    new = inspection_correct(actor=comanager_in, inspection=record, reason="漏填一项备注")
    assert new.version == 2 and new.supersedes == record and new.status == InspectionStatus.DRAFT
    assert new.answers.filter(result=Answer.FAILS).count() == 2
    assert set(new.inspector_links.values_list("user_id", flat=True)) == {comanager_in.pk, cg2.pk}
    record.refresh_from_db()
    assert record.status == InspectionStatus.SUBMITTED and record.problems == "从业人员健康证过期"
    with pytest.raises(ValidationError):
        inspection_correct(actor=comanager_in, inspection=record, reason="再改一次")


def test_an_old_record_keeps_its_checklist_version(demo, comanager_in, cg2, supervisor_of, unit):
    old = submitted(comanager_in, unit, inspectors=[comanager_in, cg2])
    county = demo.county
    new_template = checklist_draft_create(actor=supervisor_of, county=county, category=unit.category)
    checklist_items_set(
        actor=supervisor_of,
        template=new_template,
        title="公共场所巡查表（示范县）",
        items="1 | 持证经营 | 条例\n2 | 新增项目 |",
    )
    checklist_publish(actor=supervisor_of, template=new_template)
    fresh = draft(comanager_in, unit, inspectors=[comanager_in])
    assert fresh.template == new_template and fresh.answers.count() == 2
    assert old.template.county is None and old.answers.count() == 10
    with pytest.raises(ValidationError):
        checklist_items_set(actor=supervisor_of, template=new_template, title="x", items="1 | y |")


def test_photo_is_stamped_resized_and_kept_once(demo, comanager_in, unit, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    inspection = draft(comanager_in, unit, inspectors=[comanager_in])
    photo, created = inspection_photo_add(actor=comanager_in, inspection=inspection, upload=jpeg())
    again, created_again = inspection_photo_add(actor=comanager_in, inspection=inspection, upload=jpeg())
    assert created and not created_again and photo.pk == again.pk
    assert max(photo.width, photo.height) == 1600 and len(photo.sha256) == 64
    assert Photo.objects.count() == 1


def test_representative_may_refuse_but_an_inspector_may_not(demo, comanager_in, cg2, unit):
    inspection = draft(comanager_in, unit, inspectors=[comanager_in, cg2])
    with pytest.raises(ValidationError):
        signature_add(actor=comanager_in, inspection=inspection, role=SignerRole.INSPECTOR, user=cg2, refused=True)
    with pytest.raises(ValidationError):
        signature_add(actor=comanager_in, inspection=inspection, role=SignerRole.INSPECTOR, user=cg2)
    signature_add(actor=comanager_in, inspection=inspection, role=SignerRole.REPRESENTATIVE, refused=True)
    signature_add(actor=comanager_in, inspection=inspection, role=SignerRole.INSPECTOR, user=cg2, upload=png())
    signature_add(actor=comanager_in, inspection=inspection, role=SignerRole.INSPECTOR, user=cg2, upload=png("blue"))
    assert Signature.objects.filter(inspection=inspection, user=cg2).count() == 1
    assert Signature.objects.get(role="representative").refused


def test_opinion_is_numbered_per_county_and_year(demo, comanager_in, cg2, unit):
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=2)
    text = opinion_draft_text(record)
    assert "1. " in text and "2. " in text and "未见台账" in text
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    first = opinion_issue(actor=comanager_in, inspection=record, text=text, deadline=deadline)
    second = opinion_issue(actor=comanager_in, inspection=record, text=text, deadline=deadline)
    year = timezone.localdate().year
    assert (first.serial, second.serial) == (1, 2)
    assert first.number == f"示范县卫协意〔{year}〕0001号"
    assert AuditEvent.objects.filter(object_id=str(first.pk), action="opinion.issue").count() == 1


def test_opinion_create_is_idempotent(demo, comanager_in, cg2, unit):
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    key = uuid.uuid4()
    deadline = timezone.localdate()
    a = opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=deadline, id=key)
    b = opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=deadline, id=key)
    assert a.pk == b.pk and Opinion.objects.count() == 1 and a.serial == 1


@pytest.mark.parametrize("text", ["责令限期整改", "处以 罚 款", "依法吊销许可证", "建议停业，整顿", "行政处罚"])
def test_penalty_wording_is_refused_across_spaces_and_punctuation(demo, comanager_in, cg2, unit, text):
    from django.utils import translation

    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        opinion_issue(actor=comanager_in, inspection=record, text=text, deadline=deadline)
    assert "处罚性用语" in caught.value.message_dict["text"][0]
    assert not Opinion.objects.exists()


def test_full_width_and_county_phrases_are_caught(demo, comanager_in, cg2, supervisor_of, unit):
    forbidden_phrase_add(actor=supervisor_of, county=demo.county, phrase="封存")
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    deadline = timezone.localdate()
    for text in ["对设备予以封　存", "ＡＢＣ罚！款"]:
        with pytest.raises(ValidationError):
            opinion_issue(actor=comanager_in, inspection=record, text=text, deadline=deadline)
    ok = opinion_issue(actor=comanager_in, inspection=record, text="建议规范索证", deadline=deadline)
    assert ok.serial == 1  # refusals took no number


def test_deadline_in_the_past_is_refused(demo, comanager_in, cg2, unit):
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    with pytest.raises(ValidationError) as caught:
        opinion_issue(
            actor=comanager_in,
            inspection=record,
            text="请整改",
            deadline=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "deadline" in caught.value.message_dict
    assert not Opinion.objects.exists()


def test_opinion_on_a_draft_is_refused(demo, comanager_in, unit):
    record = draft(comanager_in, unit, inspectors=[comanager_in])
    with pytest.raises(ValidationError):
        opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=timezone.localdate())


def test_not_rectified_hands_over_and_only_the_institute_records_the_outcome(
    demo, comanager_in, cg2, supervisor_of, unit
):
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    opinion = opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=timezone.localdate())
    partly = reinspection_record(
        actor=comanager_in,
        opinion=opinion,
        inspected_at=timezone.now(),
        result="partly",
        inspectors=[comanager_in, cg2],
    )
    with pytest.raises(ValidationError):
        handover_create(actor=comanager_in, reason="not_rectified", reinspection=partly)
    failed = reinspection_record(
        actor=comanager_in,
        opinion=opinion,
        inspected_at=timezone.now(),
        result="not_rectified",
        inspectors=[comanager_in, cg2],
    )
    handover = handover_create(
        actor=comanager_in, reason="not_rectified", reinspection=failed, description="复查仍未整改"
    )
    assert handover.unit == unit and handover.opinion == opinion and handover.inspection == record
    with pytest.raises(PermissionDenied):
        handover_record(actor=comanager_in, handover=handover, investigation="x", outcome="y")
    done = handover_record(
        actor=supervisor_of, handover=handover, investigation="现场核实", outcome="已立案调查，责令改正"
    )
    assert done.status == "closed" and done.handled_by == supervisor_of
    with pytest.raises(ValidationError):
        handover_record(actor=supervisor_of, handover=handover, investigation="again", outcome="again")


def test_handover_description_is_checked_for_penalty_wording(demo, comanager_in, cg2, unit):
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    with pytest.raises(ValidationError):
        handover_create(actor=comanager_in, reason="serious", inspection=record, description="建议罚款")
    assert not Handover.objects.exists()


def test_reinspection_needs_two_inspectors(demo, comanager_in, cg2, unit):
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    opinion = opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=timezone.localdate())
    with pytest.raises(ValidationError):
        reinspection_record(
            actor=comanager_in,
            opinion=opinion,
            inspected_at=timezone.now(),
            result="rectified",
            inspectors=[comanager_in],
        )


def test_a_kindergarten_gets_its_subtype_checklist_and_a_school_the_category_one(demo, comanager_in, township):
    from xieguan.units.models import Subtype

    kindergarten = plain_unit(
        township, name="城关镇幼儿园", category="school", subtype=Subtype.objects.get(name="托幼机构")
    )
    primary = plain_unit(township, name="城关镇小学", category="school", subtype=Subtype.objects.get(name="小学"))
    assert checklist_for(kindergarten).title == "托幼机构卫生监督协管巡查表"
    assert checklist_for(primary).title == "学校卫生监督协管巡查表"
    items = draft(comanager_in, kindergarten, inspectors=[comanager_in]).answers.select_related("item")
    assert any("一摸、二看、三问、四查" in a.item.text for a in items)
