"""English is there when chosen: the inbox, the due list and the settings
page speak English with the language cookie, Chinese without it. Messages
that leave (e-mail, SMS, WeCom, the inbox rows written by the periodic task)
are written in Chinese, the language messages go out in, whatever language
the thread that sends them has active."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from xieguan.reminders import services
from xieguan.reminders.models import ChannelKind, Reminder, ReminderChannel, ReminderRule, ReminderStatus, Stage
from xieguan.reminders.sending import send_due

from .conftest import at
from .servers import http_receiver

pytestmark = pytest.mark.django_db

# Tuesday 8 December 2026, 10:00: a working day, outside the quiet hours.
NOW = at(2026, 12, 8, 10)


def _pages(client):
    return {url: client.get(url).content.decode() for url in ("/reminders/", "/reminders/due/", "/reminders/settings/")}


def test_the_reminder_pages_speak_english_when_chosen_and_chinese_by_default(demo, login, make_complaint):
    bureau = demo.users["bureau"]
    make_complaint(timezone.localdate() - datetime.timedelta(days=3), handler=demo.users["cg1"], receipt="LATEX")
    Reminder.objects.create(
        item_key="complaint:1",
        kind="complaint",
        stage=Stage.BEFORE,
        person=bureau,
        area=demo.county,
        channel=ChannelKind.INBOX,
        label="LATEX",
        url="/complaints/",
        due=timezone.now() + datetime.timedelta(days=1),
        status=ReminderStatus.SENT,
    )
    services.reminder_channel_save(
        actor=bureau, area=demo.county, kind="sms", url="http://127.0.0.1:9/sms", secret="k", signature="卫健局"
    )
    client = login(bureau)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _pages(client)
    inbox, due, settings_page = english["/reminders/"], english["/reminders/due/"], english["/reminders/settings/"]
    assert "Messages" in inbox and "1 unread" in inbox and "Mark all as read" in inbox
    assert "消息" not in inbox and "未读 1" not in inbox and "全部标为已读" not in inbox
    assert "Due list" in due and "Your people's due items" in due and "Earliest due" in due
    assert "待办清单" not in due and "下属人员待办" not in due and "最早截止" not in due
    assert "Reminder rule" in settings_page and "Send log" in settings_page and "Saved (not shown)" in settings_page
    assert "Quiet hours start" in settings_page and "SMS signature" in settings_page
    for chinese in ("提醒规则", "发送记录", "已保存（不显示）", "免打扰开始", "短信签名", "保存渠道"):
        assert chinese not in settings_page, chinese

    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    chinese = _pages(client)
    assert "全部标为已读" in chinese["/reminders/"] and "未读 1" in chinese["/reminders/"]
    assert "下属人员待办" in chinese["/reminders/due/"] and "最早截止" in chinese["/reminders/due/"]
    assert "发送记录" in chinese["/reminders/settings/"] and "免打扰开始" in chinese["/reminders/settings/"]
    assert "Mark all as read" not in chinese["/reminders/"] and "Send log" not in chinese["/reminders/settings/"]


def test_a_reminder_sent_while_english_is_active_arrives_in_chinese(demo, make_complaint):
    cg1 = demo.users["cg1"]
    cg1.email, cg1.phone = "cg1@example.cn", "13900000001"
    cg1.save(update_fields=["email", "phone"])
    ReminderRule.objects.create(county=demo.county, channels=["email", "sms", "wecom"], escalate_after_days=2)
    make_complaint(datetime.date(2026, 12, 3), handler=cg1, receipt="LATEONE")  # 3 working days late
    with http_receiver() as (receiver, url), translation.override("en"):
        # Saved from an English page: the default SMS template is still Chinese.
        services.reminder_channel_save(actor=demo.users["bureau"], area=demo.county, kind="sms", url=f"{url}/sms")
        services.reminder_channel_save(actor=demo.users["bureau"], area=demo.townships[0], kind="wecom", url=url)
        send_due(NOW)
        assert translation.get_language() == "en"  # the thread's language is left as it was
    assert ReminderChannel.objects.get(kind="sms").template == "{label}，截止{due}。"
    labels = set(Reminder.objects.filter(label__contains="LATEONE").values_list("label", flat=True))
    assert any(label.startswith("【已逾期】") for label in labels)
    assert any(label.startswith(f"【逾期升级：责任监督员】{cg1.full_name}：") for label in labels)
    email = next(m for m in mail.outbox if "LATEONE" in m.subject and m.to == [cg1.email])
    assert email.subject.startswith("[待办提醒] 【已逾期】") and "截止：" in email.body
    assert email.body.endswith("——卫生监督协管信息系统")
    sms = next(
        r["body"]["text"]
        for r in receiver.accepted
        if r["path"] == "/sms" and r["body"]["phone"] == cg1.phone and "LATEONE" in r["body"]["text"]
    )
    assert sms.startswith("【已逾期】") and "，截止12-03 23:59。" in sms
    robot = [r["body"]["markdown"]["content"] for r in receiver.accepted if "markdown" in r["body"]]
    assert any(c.startswith("**待办提醒**") and "> 责任人：" in c and "[打开](" in c for c in robot)
    inst_email = Reminder.objects.get(label__contains="LATEONE", person=demo.users["inst"], channel=ChannelKind.EMAIL)
    assert inst_email.status == ReminderStatus.GAVE_UP and inst_email.last_error == "提醒对象没有电子邮箱"
    assert not any("Reminder" in text or "Due:" in text for text in [email.subject, email.body, sms, *robot])
