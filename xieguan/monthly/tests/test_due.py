"""A township's request to unlock its approved month is due (the
``unlock_request`` item of the ``monthly_review`` kind of the one due list)
for the county's reviewers, one working day after it was made; nobody
else's list shows it, and it leaves the list once decided."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from xieguan.monthly import services
from xieguan.monthly.tests.factories import set_clock
from xieguan.reminders.due import due_list

pytestmark = pytest.mark.django_db
FRIDAY = datetime.date(2026, 12, 4)
MONDAY = datetime.date(2026, 12, 7)


def _requests(user, now):
    return [e for e in due_list(user, now) if e.item.kind == "unlock_request"]


def test_an_unlock_request_is_due_for_the_county_reviewers_the_next_working_day(demo, monkeypatch):
    now = set_clock(monkeypatch, FRIDAY)
    township, cg1, inst = demo.townships[0], demo.users["cg1"], demo.users["inst"]
    report, _created = services.monthly_report_submit(actor=cg1, township=township, year=2026, month=11)
    report = services.monthly_report_approve(actor=inst, report=report)
    assert _requests(inst, now) == []
    report = services.monthly_report_unlock_request(actor=cg1, report=report, reason="漏录一次宣传")

    for who in ("inst", "bureau"):  # inside: the county that reviews the township's month
        [entry] = _requests(demo.users[who], now)
        # Made on a Friday: due by the end of Monday, the next working day, not Saturday.
        assert entry.item.due == MONDAY and not entry.overdue
        assert entry.item.record == report and entry.responsible == demo.users[who]
        assert township.name in entry.label and entry.area == township
        assert entry.url == f"/monthly/{township.pk}/2026/11/"
        assert entry.label == f"{township.name} 2026年11月月报申请解锁" and entry.kind_label == "月报待审核与解锁申请"
    with translation.override("en"):
        [english] = _requests(inst, now)
    assert english.label == f"{township.name}: unlock asked for the monthly report for 2026-11"
    assert english.kind_label == "Monthly reports to review and unlock requests"
    # Above (the read-only prefecture), the requesting township and its sibling decide nothing.
    for who in ("city", "cg1", "dh1"):
        assert _requests(demo.users[who], now) == []

    later = timezone.make_aware(datetime.datetime(2026, 12, 8, 10))
    [late] = _requests(inst, later)
    assert late.overdue

    services.monthly_report_unlock_grant(actor=inst, report=report, until=MONDAY)
    assert _requests(inst, now) == [] and _requests(demo.users["bureau"], now) == []
