import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from xieguan.core.models import AuditEvent
from xieguan.reports import services
from xieguan.reports.models import ExposedPerson, Report, ReportCategory, ReportStatus, ReportStep, StepKind, ZeroReport
from xieguan.reports.selectors import effective_categories
from xieguan.reports.tests.factories import at, make_report
from xieguan.units.tests.factories import make_unit

NOW = at(2026, 6, 18, 14, 0)


def file(demo, who="cun1", **extra):
    data = {
        "category": "foodborne",
        "found_at": NOW - datetime.timedelta(minutes=40),
        "place": "李家村村民婚宴",
        "content": "婚宴后12人呕吐腹泻",
        "affected_count": 12,
        "now": NOW,
    }
    data.update(extra)
    return services.report_create(actor=demo.users[who], **data)


def test_village_officer_files_an_emergency_with_its_two_hour_deadline(demo):
    report, created = file(demo)
    assert created
    assert report.area == demo.villages[1]  # cun1's own village, 李家村
    assert report.is_emergency and report.status == ReportStatus.FILED
    assert report.deadline_at == NOW - datetime.timedelta(minutes=40) + datetime.timedelta(hours=2)
    assert report.received_at == NOW and report.reported_at is None
    assert list(report.steps.values_list("kind", flat=True)) == [StepKind.FOUND, StepKind.FILED]
    assert AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk)).count() == 1


def test_same_id_twice_makes_one_report(demo):
    import uuid

    rid = uuid.uuid4()
    first, made = file(demo, id=rid)
    again, made_again = file(demo, id=rid)
    assert (made, made_again) == (True, False) and first.pk == again.pk == rid
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"found_at": NOW + datetime.timedelta(minutes=30)}, "found_at", "发现时间不能晚于现在。"),
        ({"category": "no-such"}, "category", "未知的信息类别：请从本县的类别中选择。"),
        ({"place": "  "}, "place", "此项必填。"),
        ({"affected_count": -1}, "affected_count", "涉及人数应在0到100000之间。"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_made(demo, extra, field, message):
    with pytest.raises(ValidationError) as caught:
        file(demo, **extra)
    assert message in caught.value.message_dict[field]
    assert Report.objects.count() == 0 and ReportStep.objects.count() == 0


def test_unit_of_another_township_is_refused(demo):
    theirs = make_unit(demo.users["dh1"], demo.townships[1], name="河东饭店")
    with pytest.raises(ValidationError) as caught:
        file(demo, who="cg1", unit=theirs)
    assert caught.value.message_dict["unit"] == ["这个单位不在您的辖区内。"]
    assert Report.objects.count() == 0


def test_a_unit_in_scope_places_the_report_in_its_area(demo):
    unit = make_unit(demo.users["cg1"], demo.villages[1])
    report, _ = file(demo, who="cg1", unit=unit)
    assert report.unit == unit and report.area == demo.villages[1]


def test_bureau_may_not_file(demo):
    with pytest.raises(PermissionDenied):
        file(demo, who="bureau", area=demo.townships[0])


def test_full_flow_is_timed_and_signed(demo):
    report, _ = file(demo)
    cg1, inst = demo.users["cg1"], demo.users["inst"]
    services.report_step(actor=cg1, report=report, kind=StepKind.VERIFIED, now=NOW + datetime.timedelta(minutes=10))
    report, taken = services.report_step(
        actor=cg1, report=report, kind=StepKind.FORWARDED, now=NOW + datetime.timedelta(minutes=20)
    )
    assert taken and report.reported_at == NOW + datetime.timedelta(minutes=20) and report.is_on_time
    services.report_step(actor=inst, report=report, kind=StepKind.HANDLED, note="已现场流调，封存剩余食品")
    report, _ = services.report_step(actor=inst, report=report, kind=StepKind.FED_BACK, note="诊断为细菌性食物中毒")
    report, _ = services.report_step(actor=cg1, report=report, kind=StepKind.CLOSED)
    assert report.status == ReportStatus.CLOSED and report.result == "诊断为细菌性食物中毒"
    kinds = list(report.steps.values_list("kind", "by__username"))
    assert kinds == [
        ("found", "cun1"),
        ("filed", "cun1"),
        ("verified", "cg1"),
        ("forwarded", "cg1"),
        ("handled", "inst"),
        ("fed_back", "inst"),
        ("closed", "cg1"),
    ]


def test_forwarded_after_the_limit_is_late(demo):
    report, _ = file(demo)
    report, _ = services.report_step(
        actor=demo.users["cg1"], report=report, kind=StepKind.FORWARDED, now=NOW + datetime.timedelta(hours=2)
    )
    assert report.is_on_time is False and report.is_late()


def test_a_step_taken_twice_is_recorded_once(demo):
    report, _ = file(demo)
    services.report_step(actor=demo.users["cg1"], report=report, kind=StepKind.VERIFIED)
    _, taken = services.report_step(actor=demo.users["cg1"], report=report, kind=StepKind.VERIFIED)
    assert taken is False and report.steps.filter(kind=StepKind.VERIFIED).count() == 1


def test_step_out_of_order_is_refused_and_nothing_changes(demo):
    report, _ = file(demo)
    with pytest.raises(ValidationError) as caught:
        services.report_step(actor=demo.users["inst"], report=report, kind=StepKind.HANDLED)
    assert "现在不能办理这一环节" in caught.value.messages[0]
    report.refresh_from_db()
    assert report.status == ReportStatus.FILED and report.steps.count() == 2


def test_closing_without_forwarding_needs_a_reason_and_still_counts_as_found(demo):
    report, _ = file(demo, category="public_place")
    with pytest.raises(ValidationError):
        services.report_step(actor=demo.users["cg1"], report=report, kind=StepKind.NOT_FORWARDED, note=" ")
    report, _ = services.report_step(
        actor=demo.users["cg1"], report=report, kind=StepKind.NOT_FORWARDED, note="经核实为正常经营"
    )
    assert report.status == ReportStatus.NOT_FORWARDED and report.reported_at is None
    assert report.closing_reason == "经核实为正常经营" and not report.is_late(NOW + datetime.timedelta(days=3))


@pytest.mark.parametrize(("who", "error"), [("dh1", Http404), ("cun1", PermissionDenied), ("inst", PermissionDenied)])
def test_only_the_township_verifies(demo, who, error):
    report, _ = file(demo)
    with pytest.raises(error):
        services.report_step(actor=demo.users[who], report=report, kind=StepKind.VERIFIED)
    report.refresh_from_db()
    assert report.status == ReportStatus.FILED


def test_co_manager_may_forward_on_filing_and_a_supervisor_files_at_the_county(demo):
    report, _ = file(demo, who="cg1", forward_now=True)
    assert report.status == ReportStatus.FORWARDED and report.reported_at == NOW
    report2, _ = file(demo, who="inst", area=demo.villages[1])
    assert report2.status == ReportStatus.FORWARDED and report2.reported_at == NOW


def test_zero_report_only_for_a_month_with_nothing_found(demo):
    cg1 = demo.users["cg1"]
    make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 3, 5), reached_after=60)
    with pytest.raises(ValidationError) as caught:
        services.zero_report_make(actor=cg1, month=datetime.date(2026, 3, 1), today=datetime.date(2026, 6, 1))
    assert "该月已有发现的事件或线索" in caught.value.messages[0]
    zero, made = services.zero_report_make(actor=cg1, month=datetime.date(2026, 4, 1), today=datetime.date(2026, 6, 1))
    again, made_again = services.zero_report_make(
        actor=cg1, month=datetime.date(2026, 4, 1), today=datetime.date(2026, 6, 1)
    )
    assert (made, made_again) == (True, False) and zero.pk == again.pk
    with pytest.raises(ValidationError):
        services.zero_report_make(actor=cg1, month=datetime.date(2026, 7, 1), today=datetime.date(2026, 6, 1))
    with pytest.raises(PermissionDenied):
        services.zero_report_make(actor=demo.users["cun1"], month=datetime.date(2026, 4, 1))
    assert ZeroReport.objects.count() == 1


def test_county_overrides_a_default_for_itself_only(demo):
    county = demo.county
    default = ReportCategory.objects.get(county__isnull=True, code="food_safety")
    services.category_save(
        actor=demo.users["bureau"],
        county=county,
        category=default,
        name="食品安全",
        is_emergency=False,
        limit_minutes=720,
    )
    mine = {c.code: c for c in effective_categories(demo.townships[0])}
    assert mine["food_safety"].limit_minutes == 720 and mine["food_safety"].county == county
    default.refresh_from_db()
    assert default.limit_minutes == 1440
    with pytest.raises(ValidationError) as caught:
        services.category_save(
            actor=demo.users["bureau"], county=county, name="饮用水污染", is_emergency=True, limit_minutes=240
        )
    assert "2小时" in caught.value.messages[0]
    with pytest.raises(Http404):  # the county lies above a township's scope
        services.category_save(actor=demo.users["cg1"], county=county, name="x", is_emergency=False, limit_minutes=60)


def test_a_county_limit_applies_to_new_reports_only(demo):
    old, _ = file(demo, category="food_safety")
    default = ReportCategory.objects.get(county__isnull=True, code="food_safety")
    services.category_save(
        actor=demo.users["bureau"],
        county=demo.county,
        category=default,
        name="食品安全",
        is_emergency=False,
        limit_minutes=60,
    )
    new, _ = file(demo, category="food_safety")
    assert old.deadline_at - old.found_at == datetime.timedelta(hours=24)
    assert new.deadline_at - new.found_at == datetime.timedelta(hours=1)


def test_suspected_occupational_disease_is_linked_to_the_exposed_person(demo):
    person, _ = services.exposed_person_register(
        actor=demo.users["cun1"],
        area=None,
        name="王石头",
        employer="石材厂",
        hazard_factors="矽尘",
        id_number="990101197502113215",
    )
    with pytest.raises(ValidationError) as caught:
        file(demo, category="food_safety", exposed_person=person)
    assert "职业卫生" in caught.value.message_dict["category"][0]
    report, _ = file(demo, category="occupational", exposed_person=person)
    assert report.exposed_person == person and person.masked_id_number == "990101********3215"
    assert list(ExposedPerson.objects.visible_to(demo.users["dh1"])) == []


def test_exposed_person_with_a_bad_id_number_is_refused(demo):
    with pytest.raises(ValidationError) as caught:
        services.exposed_person_register(
            actor=demo.users["cg1"], area=None, name="张三", employer="厂", hazard_factors="噪声", id_number="123"
        )
    assert "18位" in caught.value.message_dict["id_number"][0]
    assert ExposedPerson.objects.count() == 0


def test_unit_file_lists_its_reports_for_those_who_may_see_them(demo):
    from xieguan.reports.unit_file import unit_file_context

    unit = make_unit(demo.users["cg1"], demo.villages[1])
    file(demo, who="cg1", unit=unit)
    mine = unit_file_context(demo.users["inst"], unit, False)["reports"]
    assert len(mine) == 1 and "食源性疾病" in mine[0].category.name
    assert unit_file_context(demo.users["dh1"], unit, False)["reports"] == []


def test_found_time_a_little_ahead_within_clock_skew_is_accepted(demo):
    report, _ = file(demo, found_at=NOW + datetime.timedelta(minutes=3))
    assert report.found_at == NOW + datetime.timedelta(minutes=3)
    assert timezone.is_aware(report.found_at)


def test_zero_report_for_a_month_before_2000_is_refused(demo):
    from xieguan.reports.models import ZeroReport

    with pytest.raises(ValidationError) as caught:
        services.zero_report_make(
            actor=demo.users["cg1"], month=datetime.date(1999, 12, 1), today=datetime.date(2026, 6, 1)
        )
    assert "日期不能早于2000年1月1日" in caught.value.message_dict["month"][0]
    assert not ZeroReport.objects.exists()
