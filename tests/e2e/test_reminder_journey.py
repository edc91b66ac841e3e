"""Issue 24's journey in Chromium: cg1's home page and /m/ show one due list
ordered by due time with a complaint due on the next working day; bureau
points 城关镇's WeCom channel at a local receiver; send_reminders run twice
delivers each reminder once; the inbox shows them; the settings page never
shows the saved secret; the township leader zhen1 sees their own
township's people rolled up."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.complaints.calendar import WorkCalendar
from xieguan.complaints.models import CalendarOverride, Channel, Complaint, Status
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.reminders.models import ChannelKind, Reminder, ReminderChannel, ReminderStatus
from xieguan.reminders.tests.servers import http_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "robot-SECRET-9f3a"


def make_complaint(demo, due_on, handler, receipt):
    c = Complaint.objects.create(
        id=uuid.uuid4(),
        receipt=receipt,
        pin_hash="x",
        area=demo.townships[0],
        category="drinking_water",
        content="二次供水水箱不清洗",
        channel=Channel.PHONE,
        status=Status.ACCEPTED,
        registered_at=timezone.now() - datetime.timedelta(days=10),
        due_on=due_on,
        handler_institution=demo.stations[0],
    )
    c.handlers.add(handler)


def test_due_list_wecom_channel_send_twice_and_inbox(journey):
    demo = load_county()
    today = timezone.localdate()
    tomorrow = WorkCalendar(demo.county).add_working_days(today, 1)
    make_complaint(demo, tomorrow, handler=demo.users["cg1"], receipt="DEMT2468")
    make_complaint(demo, today - datetime.timedelta(days=1), handler=demo.users["cg1"], receipt="DEMY1357")

    cg1 = journey(DESKTOP, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/")
    panel = cg1.page.inner_text("#due-list")
    assert "DEMT2468" in panel and "DEMY1357" in panel
    assert panel.index("DEMY1357") < panel.index("DEMT2468")  # ordered by due time: the late one first
    cg1.shot("cg1-home-due-list")

    phone = journey(PHONE, "cg1-phone")
    phone.login("cg1", DEMO_PASSWORD)
    phone.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto("/m/")
    phone.page.wait_for_selector("#field[data-ready]")
    phone.page.wait_for_selector("#due-list li")
    field_list = phone.page.inner_text("#due-list")
    assert field_list.index("DEMY1357") < field_list.index("DEMT2468")
    phone.shot("cg1-field-due-list")

    with http_receiver() as (receiver, url):
        bureau = journey(DESKTOP, "bureau")
        bureau.login("bureau", DEMO_PASSWORD)
        bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        bureau.goto("/reminders/settings/")
        # The rule: WeCom besides the inbox, no quiet hours (so the journey can send now).
        bureau.page.check("input[name=channels][value=wecom]")
        bureau.page.fill("#id_quiet_start", "00:00")
        bureau.page.fill("#id_quiet_end", "00:00")
        bureau.page.click("text=保存规则")
        assert "提醒规则已保存" in bureau.page.inner_text("body")
        bureau.page.select_option("#channel-form #id_area", label="城关镇")
        bureau.page.select_option("#channel-form #id_kind", value="wecom")
        bureau.page.fill("#channel-form #id_url", f"{url}/cgi-bin/webhook/send")
        bureau.page.fill("#channel-form #id_secret", SECRET)
        bureau.shot("bureau-channel-form")
        bureau.page.click("text=保存渠道")
        assert "提醒渠道已保存" in bureau.page.inner_text("body")
        assert SECRET not in bureau.page.content()
        assert bureau.page.input_value("#channel-form #id_secret") == ""
        assert "已保存（不显示）" in bureau.page.inner_text("#channels")
        bureau.shot("bureau-channel-saved")
        assert ReminderChannel.objects.get(area=demo.townships[0], kind="wecom").secret == SECRET

        # Sending happens outside the request, on a working day: today counts as one for the journey.
        if not WorkCalendar(demo.county).is_workday(today):
            CalendarOverride.objects.create(county=demo.county, date=today, is_workday=True, note="演示")
        call_command("send_reminders")
        first = len(receiver.accepted)
        call_command("send_reminders")
        assert len(receiver.accepted) == first > 0
        sent = Reminder.objects.filter(channel=ChannelKind.WECOM, status=ReminderStatus.SENT)
        assert sent.count() == first
        assert all(r["path"].endswith(f"key={SECRET}") for r in receiver.accepted)
        contents = [r["body"]["markdown"]["content"] for r in receiver.accepted]
        name = demo.users["cg1"].full_name
        assert sum("DEMT2468" in c and name in c for c in contents) == 1  # once, to cg1's township group

        bureau.goto("/reminders/settings/?status=sent")
        log = bureau.page.inner_text("#send-log tbody")
        assert "DEMT2468" in log and "已发送" in log
        assert SECRET not in bureau.page.content()
        bureau.shot("bureau-send-log")

    cg1.goto("/reminders/")
    inbox = cg1.page.inner_text("#inbox")
    assert "DEMT2468" in inbox and "DEMY1357" in inbox
    assert inbox.count("DEMT2468") == 1
    cg1.shot("cg1-inbox")
    cg1.page.click("text=全部标为已读")
    assert "未读" not in cg1.page.inner_text("h1")
    cg1.shot("cg1-inbox-read")

    # 城关镇卫生院's head (the township leader) sees cg1's and cg2's lists
    # rolled up, and nobody from the next township.
    head = journey(DESKTOP, "zhen1")
    head.login("zhen1", DEMO_PASSWORD)
    head.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    head.goto("/reminders/due/")
    people = head.page.inner_text("#due-people")
    assert demo.users["cg1"].full_name in people and demo.users["cg2"].full_name in people
    assert demo.users["dh1"].full_name not in people
    head.shot("zhen1-township-rollup")
    assert head.page_errors() == [] and head.outside == []
