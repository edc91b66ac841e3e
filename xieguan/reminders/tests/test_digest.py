"""The daily digest (a county's rule ``digest``): instead of one message per
item, each person gets one message a day by each outside channel, counting
what is due for them; nobody with nothing due gets one, and a second run the
same day sends nothing more (the inbox still holds the single items)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from xieguan.reminders.models import ChannelKind, Reminder, ReminderRule, ReminderStatus, Stage
from xieguan.reminders.sending import send_due

from .conftest import at

pytestmark = pytest.mark.django_db

D = datetime.date
# Tuesday 8 December 2026, 10:00: a working day, outside the quiet hours.
NOW = at(2026, 12, 8, 10)


@pytest.fixture
def people(demo):
    found = {}
    for name in ("cg1", "cg2", "dh1"):
        user = demo.users[name]
        user.email = f"{name}@example.cn"
        user.save(update_fields=["email"])
        found[name] = user
    return found


def _mails_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def test_the_digest_is_one_message_per_person_per_day_with_the_count(demo, people, make_complaint):
    ReminderRule.objects.create(county=demo.county, digest=True, channels=["email"], kinds=["complaint"])
    cg1, cg2, dh1 = people["cg1"], people["cg2"], people["dh1"]
    make_complaint(D(2026, 12, 8), handler=cg1, receipt="DIGA")
    make_complaint(D(2026, 12, 9), handler=cg1, receipt="DIGB")
    make_complaint(D(2026, 12, 9), handler=cg2, receipt="DIGC")
    mail.outbox.clear()

    first = send_due(NOW)

    assert first["planned"] > 0
    [to_cg1] = _mails_to(cg1)
    [to_cg2] = _mails_to(cg2)
    assert _mails_to(dh1) == []  # nothing due: no digest
    assert "今日待办 2 项" in to_cg1.subject and "DIGA" in to_cg1.subject  # the earliest named
    assert "今日待办 1 项" in to_cg2.subject and "DIGC" in to_cg2.subject
    digests = Reminder.objects.filter(stage=Stage.DIGEST)
    assert sorted(digests.values_list("person__username", "channel", "status")) == [
        ("cg1", ChannelKind.EMAIL, ReminderStatus.SENT),
        ("cg2", ChannelKind.EMAIL, ReminderStatus.SENT),
    ]
    # The single items go to the inbox only, never one e-mail each.
    singles = Reminder.objects.filter(person=cg1).exclude(stage=Stage.DIGEST)
    assert sorted(singles.values_list("label", flat=True))[0].startswith("投诉 DIGA")
    assert set(singles.values_list("channel", flat=True)) == {ChannelKind.INBOX}
    assert singles.count() == 2

    # Later the same day, and again: nothing more leaves, nothing more is written.
    rows = Reminder.objects.count()
    again = send_due(NOW + datetime.timedelta(hours=2))
    third = send_due(NOW + datetime.timedelta(hours=4))
    assert again["planned"] == 0 and third["planned"] == 0
    assert Reminder.objects.count() == rows
    assert len(_mails_to(cg1)) == 1 and len(_mails_to(cg2)) == 1 and _mails_to(dh1) == []

    # The next working day brings the next digest, one each again.
    send_due(NOW + datetime.timedelta(days=1))
    assert len(_mails_to(cg1)) == 2 and len(_mails_to(cg2)) == 2 and _mails_to(dh1) == []
