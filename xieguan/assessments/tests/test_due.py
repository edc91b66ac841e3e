"""An appeal waiting for an answer is due (the ``assessment_appeal`` kind of
the one due list) for those who run the assessment, by the close of the
appeal window; nobody else's list shows it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.assessments import services
from xieguan.assessments.tests.conftest import score_all
from xieguan.reminders.due import due_list

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 10)


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _appeals(user, day):
    return [e for e in due_list(user, _noon(day)) if e.kind == "assessment_appeal"]


def test_an_appeal_is_due_for_the_assessors_by_the_end_of_the_window_and_for_nobody_else(demo, assessment):
    score_all(demo, assessment)
    services.assessment_release(actor=demo.users["bureau"], assessment=assessment, today=TODAY)
    appeal = services.appeal_create(
        actor=demo.users["cg1"], assessment=assessment, area=demo.townships[0], reason="台账已补齐", today=TODAY
    )
    assessment.refresh_from_db()
    closes = assessment.appeal_until
    assert closes == TODAY + datetime.timedelta(days=5)

    for who in ("bureau", "inst"):  # inside: the county that runs the assessment
        [entry] = _appeals(demo.users[who], TODAY)
        assert entry.item.due == closes and not entry.overdue
        assert entry.item.record == appeal and entry.responsible == demo.users[who]
        assert demo.townships[0].name in entry.label and assessment.name in entry.label
        assert entry.url == reverse("assessments:detail", args=[assessment.pk]) + "#appeals"
    # Above (the read-only prefecture), the appealing township itself and its sibling decide nothing.
    for who in ("city", "cg1", "dh1"):
        assert _appeals(demo.users[who], TODAY) == []

    # Past the window and still unanswered: overdue.
    [late] = _appeals(demo.users["bureau"], closes + datetime.timedelta(days=1))
    assert late.overdue

    # Answered: no longer due for anyone.
    services.appeal_answer(actor=demo.users["bureau"], appeal=appeal, answer="维持原评分")
    assert _appeals(demo.users["bureau"], TODAY) == []
    assert _appeals(demo.users["inst"], TODAY) == []
