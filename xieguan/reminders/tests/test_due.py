"""The one due list: every registered kind, ordered by due time on the
county's working-day calendar; scoped; ``GET /api/due``."""

from __future__ import annotations

import datetime

import pytest

from xieguan.complaints.calendar import WorkCalendar
from xieguan.complaints.models import CalendarOverride
from xieguan.core.registry import registry
from xieguan.reminders.due import due_list, is_leader, rollup
from xieguan.reminders.models import ReminderRule
from xieguan.reminders.sending import remind_from, stages_due

from .conftest import at

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_2026_national_day_holiday_is_skipped_and_the_make_up_days_count(demo):
    """The calendar in the code (chinesecalendar 1.11) has Oct 1–7 off and
    make-up working days on Sun Sep 20 and Sat Oct 10 (the State Council's
    schedule; not Sep 27, which stays a Sunday off)."""
    cal = WorkCalendar(demo.county)
    assert [cal.is_workday(D(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert cal.is_workday(D(2026, 9, 20)) and cal.is_workday(D(2026, 10, 10))
    assert not cal.is_workday(D(2026, 9, 27))
    # A step started on Sep 30: the next working day is Oct 8, the third Oct 10 (a Saturday).
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    # From Saturday Sep 19 the first working day is the make-up Sunday Sep 20.
    assert cal.add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)


def test_a_complaint_due_after_the_holiday_is_near_on_the_last_working_day_before_it(demo, make_complaint):
    cg1 = demo.users["cg1"]
    make_complaint(D(2026, 10, 8), handler=cg1, receipt="HOLI1008")
    # Sep 30 (Wed): the near window is two working days, Oct 8 and 9: due "tomorrow" on the calendar.
    items = [e for e in due_list(cg1, at(2026, 9, 30)) if e.kind == "complaint"]
    assert [e.label[:11] for e in items] == ["投诉 HOLI1008"]
    assert not items[0].overdue
    # Sep 25 (Mid-autumn Festival) seen from Sep 24: near ends on Sep 28 — the complaint is not near yet.
    assert not [e for e in due_list(cg1, at(2026, 9, 24)) if e.kind == "complaint"]
    # The reminder one working day before goes out on Sep 30, not during the holiday.
    rule = ReminderRule(county=demo.county, lead_days=1)
    entry = items[0]
    assert remind_from(entry, rule, WorkCalendar(demo.county)) == D(2026, 9, 30)
    assert stages_due(entry, rule, WorkCalendar(demo.county), at(2026, 9, 29)) == []
    assert stages_due(entry, rule, WorkCalendar(demo.county), at(2026, 9, 30)) == ["before"]


def test_a_county_override_moves_the_reminder(demo, make_complaint):
    """The county's own calendar (CalendarOverride) counts: Oct 9 declared a rest day."""
    CalendarOverride.objects.create(county=demo.county, date=D(2026, 10, 9), is_workday=False)
    cal = WorkCalendar(demo.county)
    assert cal.add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 10)


def test_the_list_is_ordered_by_due_time_with_responsible_person_and_link(demo, make_complaint):
    cg1 = demo.users["cg1"]
    make_complaint(D(2026, 12, 9), handler=cg1, receipt="LATER")
    make_complaint(D(2026, 12, 8), handler=cg1, receipt="SOONER")
    entries = due_list(cg1, at(2026, 12, 7))
    assert [e.due_at for e in entries] == sorted(e.due_at for e in entries)
    complaints = [e for e in entries if e.kind == "complaint"]
    assert [e.label.split()[1].split("（")[0] for e in complaints] == ["SOONER", "LATER"]
    assert all(e.responsible == cg1 and e.url.startswith("/complaints/") for e in complaints)


def test_every_kind_the_issue_names_is_registered():
    kinds = {s.kind for s in registry.due}
    assert {
        "patrol",
        "reinspection",
        "report",
        "report_forwarded",
        "complaint",
        "monthly_due",
        "monthly_review",
        "expiring",
        "training_hours",
        "handover",
        "campaign",
    } <= kinds


def test_scope_inside_above_and_beside(demo, make_complaint):
    make_complaint(D(2026, 12, 8), receipt="CGONLY")
    now = at(2026, 12, 7)

    def has(user):
        return any("CGONLY" in e.label for e in due_list(user, now))

    assert has(demo.users["cg1"])  # inside
    assert has(demo.users["inst"])  # above: the county supervisor (a handler too)
    assert not has(demo.users["dh1"])  # beside: the next township


def test_the_monthly_report_is_due_on_the_county_day_and_awaits_review(demo):
    cg1, bureau = demo.users["cg1"], demo.users["bureau"]
    due = [e for e in due_list(cg1, at(2026, 12, 7)) if e.kind == "monthly_due"]
    assert len(due) == 1 and "11月月报待上报" in due[0].label
    assert due[0].item.due == D(2026, 12, 23)  # the county's default day, 23
    assert not [e for e in due_list(bureau, at(2026, 12, 7)) if e.kind == "monthly_due"]


def test_a_leader_sees_the_people_rolled_up(demo, make_complaint):
    make_complaint(D(2026, 12, 1), handler=demo.users["cg1"], receipt="LATE1")
    rows = rollup(demo.users["bureau"], at(2026, 12, 7))
    cg1 = next(r for r in rows if r.person == demo.users["cg1"])
    assert cg1.count >= 1 and cg1.overdue >= 1
    assert all(r.person != demo.users["city"] for r in rows)


def test_api_due_returns_the_callers_list(demo, make_complaint, client, api_token):
    make_complaint(D(2026, 12, 31), handler=demo.users["cg1"], receipt="APIDUE")
    response = client.get("/api/due", **api_token(demo.users["cg1"]))
    assert response.status_code == 200
    rows = response.json()
    assert rows == sorted(rows, key=lambda r: r["due"])
    assert {"key", "kind", "label", "due", "responsible", "url", "overdue"} <= set(rows[0])
    assert client.get("/api/due").status_code == 401


def test_a_township_leader_sees_only_their_townships_people(demo, make_complaint):
    from xieguan.accounts.models import Role, RoleCode, User

    make_complaint(D(2026, 12, 1), handler=demo.users["cg1"], receipt="LATE2")
    head = demo.users["zhen1"]  # 城关镇卫生院's head
    assert is_leader(head)
    rows = rollup(head, at(2026, 12, 7))
    people = {r.person for r in rows}
    assert people == {demo.users["cg1"], demo.users["cg2"]}
    assert next(r for r in rows if r.person == demo.users["cg1"]).overdue >= 1
    # The next township's head sees their own people, none of 城关镇's.
    sibling = User.objects.create(username="zhen2", full_name="邻镇院长", institution=demo.stations[1])
    sibling.roles.add(Role.objects.get(code=RoleCode.TOWNSHIP_LEADER))
    theirs = {r.person for r in rollup(sibling, at(2026, 12, 7))}
    assert theirs == {demo.users["dh1"], demo.users["dh2"]}
    # A co-manager is no leader: no roll-up of their colleagues.
    assert not is_leader(demo.users["cg2"])
