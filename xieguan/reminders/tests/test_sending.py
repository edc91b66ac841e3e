"""Sending against real servers: a local SMTP server (aiosmtpd) for e-mail,
a local HTTP server for the SMS gateway and the WeCom group robot. Each
reminder goes once; a connection cut mid-send is retried and sent once."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from xieguan.reminders import services
from xieguan.reminders.models import ChannelKind, Reminder, ReminderRule, ReminderStatus, Stage
from xieguan.reminders.sending import SMS_LIMIT, deliver, plan, send_due, sms_text

from .conftest import at
from .servers import http_receiver, smtp_server

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date
# Tuesday 8 December 2026, 10:00: a working day, outside the quiet hours.
NOW = at(2026, 12, 8, 10)


@pytest.fixture
def rule(demo):
    return ReminderRule.objects.create(county=demo.county, channels=["email", "sms", "wecom"], lead_days=1)


@pytest.fixture
def cg1(demo):
    user = demo.users["cg1"]
    user.email, user.phone = "cg1@example.cn", "13900000001"
    user.save(update_fields=["email", "phone"])
    return user


def _channels(demo, url):
    bureau = demo.users["bureau"]
    services.reminder_channel_save(
        actor=bureau, area=demo.county, kind="sms", url=f"{url}/sms", secret="gw-key", signature="示范县卫健局"
    )
    services.reminder_channel_save(
        actor=bureau, area=demo.townships[0], kind="wecom", url=f"{url}/cgi-bin/webhook/send", secret="robot-key"
    )


def _mine(cg1, channel):
    return Reminder.objects.filter(person=cg1, channel=channel, label__contains="TOMORROW")


def test_each_reminder_reaches_its_channel_once(demo, rule, cg1, make_complaint, settings):
    make_complaint(D(2026, 12, 9), handler=cg1, receipt="TOMORROW")
    with smtp_server() as (mailbox, port), http_receiver() as (receiver, url):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        _channels(demo, url)
        first = send_due(NOW)
        again = send_due(NOW)
        later = send_due(NOW + datetime.timedelta(minutes=5))
        to_cg1 = [m for m in mailbox.messages if "cg1@example.cn" in m.rcpt_tos and b"TOMORROW" in m.content]
        sms = [
            r
            for r in receiver.accepted
            if r["path"] == "/sms" and "TOMORROW" in r["body"]["text"] and r["body"]["phone"] == cg1.phone
        ]
    assert first["planned"] > 0 and again["planned"] == 0 and later["planned"] == 0
    assert len(to_cg1) == 1
    assert len(sms) == 1 and sms[0]["key"] == "gw-key" and sms[0]["body"]["phone"] == "13900000001"
    assert sms[0]["body"]["text"].startswith("【示范县卫健局】") and len(sms[0]["body"]["text"]) <= SMS_LIMIT
    robot = [r for r in receiver.accepted if r["path"].startswith("/cgi-bin/webhook/send")]
    assert robot and all(r["path"].endswith("?key=robot-key") for r in robot)
    assert all(r["body"]["msgtype"] == "markdown" for r in robot)
    assert _mine(cg1, ChannelKind.WECOM).get().status == ReminderStatus.SENT
    inbox = _mine(cg1, ChannelKind.INBOX).get()
    assert inbox.stage == Stage.BEFORE and inbox.status == ReminderStatus.SENT and inbox.read_at is None


def test_a_connection_cut_mid_send_is_retried_and_sent_once(demo, rule, cg1, make_complaint):
    rule.channels = ["wecom"]
    rule.save()
    make_complaint(D(2026, 12, 9), handler=cg1, receipt="TOMORROW")
    with http_receiver() as (receiver, url):
        _channels(demo, url)
        plan(NOW)
        row = _mine(cg1, ChannelKind.WECOM).get()
        Reminder.objects.exclude(pk=row.pk).exclude(channel=ChannelKind.INBOX).delete()
        receiver.cut = 1
        deliver(NOW)
        row.refresh_from_db()
        assert row.status == ReminderStatus.FAILED and row.attempts == 1 and row.next_try > NOW
        assert "连接失败" in row.last_error
        deliver(NOW)  # before its next try: nothing
        assert len(receiver.seen) == 1
        deliver(row.next_try)
        deliver(row.next_try + datetime.timedelta(hours=1))
        call_command("send_reminders")  # the real clock, once more: still nothing new for it
    row.refresh_from_db()
    assert row.status == ReminderStatus.SENT and row.attempts == 2
    assert [r.get("cut", False) for r in receiver.seen][:2] == [True, False]
    assert sum(1 for r in receiver.accepted if "TOMORROW" in r["body"]["markdown"]["content"]) == 1


def test_a_refused_channel_backs_off_and_gives_up(demo, rule, cg1, make_complaint):
    rule.channels = ["sms"]
    rule.save()
    make_complaint(D(2026, 12, 9), handler=cg1, receipt="TOMORROW")
    services.reminder_channel_save(actor=demo.users["bureau"], area=demo.county, kind="sms", url="http://127.0.0.1:9/x")
    plan(NOW)
    row = _mine(cg1, ChannelKind.SMS).get()
    moment = NOW
    for _ in range(10):
        deliver(moment)
        row.refresh_from_db()
        if row.next_try is None:
            break
        moment = row.next_try
    assert row.status == ReminderStatus.GAVE_UP and row.attempts == 6 and row.last_error


def test_nothing_leaves_on_a_holiday_or_in_quiet_hours_but_the_inbox(demo, rule, cg1, make_complaint):
    rule.channels = ["sms"]
    rule.save()
    make_complaint(D(2026, 10, 8), handler=cg1, receipt="TOMORROW")
    services.reminder_channel_save(actor=demo.users["bureau"], area=demo.county, kind="sms", url="http://127.0.0.1:9/x")
    plan(at(2026, 9, 30, 10))
    sms = _mine(cg1, ChannelKind.SMS).get()
    counts = deliver(at(2026, 10, 2, 10))  # National Day: held
    assert counts["held"] >= 1
    assert _mine(cg1, ChannelKind.INBOX).get().status == ReminderStatus.SENT
    deliver(at(2026, 9, 30, 22))  # a working day, in the quiet hours: held
    sms.refresh_from_db()
    assert sms.status == ReminderStatus.PENDING and sms.attempts == 0


def test_overdue_items_escalate_to_the_supervisor_then_the_leader(demo, rule, cg1, make_complaint):
    rule.channels = []
    rule.escalate_after_days = 2
    rule.save()
    make_complaint(D(2026, 12, 1), handler=cg1, receipt="LATEONE")
    plan(at(2026, 12, 3, 10))  # 2 working days late: cg1 and inst
    plan(at(2026, 12, 7, 10))  # 4 working days late: and the county leader
    rows = Reminder.objects.filter(label__contains="LATEONE", channel=ChannelKind.INBOX)
    stages = {(r.person.username, r.stage) for r in rows}
    assert ("cg1", Stage.OVERDUE) in stages
    assert ("inst", Stage.SUPERVISOR) in stages
    assert ("bureau", Stage.LEADER) in stages


def test_sms_text_keeps_within_one_segment():
    text = sms_text("{label}，截止{due}。", "示范县卫健局", label="很长的事项" * 30, due="12-09 23:59")
    assert len(text) == SMS_LIMIT and text.startswith("【示范县卫健局】") and text.endswith("截止12-09 23:59。")
    short = sms_text("{label}，截止{due}。", "", label="投诉", due="12-09")
    assert short == "投诉，截止12-09。"
