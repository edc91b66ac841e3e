"""The due-list panel, the inbox, the settings page and the API: secrets
never shown back, scope inside/above/beside, query counts on the lists."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from xieguan.reminders import services
from xieguan.reminders.models import ChannelKind, Reminder, ReminderChannel, ReminderStatus, Stage

pytestmark = pytest.mark.django_db


def _inbox(person, n, area):
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            item_key=f"complaint:{i}",
            kind="complaint",
            stage=Stage.BEFORE,
            person=person,
            area=area,
            channel=ChannelKind.INBOX,
            label=f"投诉 提醒{i}",
            url="/complaints/",
            due=now + datetime.timedelta(days=1),
            status=ReminderStatus.SENT,
        )
        for i in range(n)
    )


def test_the_home_page_shows_the_due_list_ordered_by_due_time(demo, login, make_complaint):
    today = timezone.localdate()
    make_complaint(today + datetime.timedelta(days=2), handler=demo.users["cg1"], receipt="THIRD")
    make_complaint(today + datetime.timedelta(days=1), handler=demo.users["cg1"], receipt="FIRST")
    page = login(demo.users["cg1"]).get("/").content.decode()
    assert 'id="due-list"' in page
    assert page.index("FIRST") < page.index("THIRD")


def test_the_leader_home_page_rolls_up_the_people(demo, login, make_complaint):
    make_complaint(timezone.localdate() - datetime.timedelta(days=3), handler=demo.users["cg1"], receipt="LATEX")
    client = login(demo.users["bureau"])
    assert 'id="due-people-link"' in client.get("/").content.decode()
    page = client.get("/reminders/due/").content.decode()
    assert 'id="due-people"' in page and demo.users["cg1"].full_name in page


def test_the_township_leader_page_rolls_up_only_their_township(demo, login, make_complaint):
    make_complaint(timezone.localdate() - datetime.timedelta(days=3), handler=demo.users["cg1"], receipt="LATEY")
    client = login(demo.users["zhen1"])
    assert 'id="due-people-link"' in client.get("/").content.decode()
    page = client.get("/reminders/due/").content.decode()
    assert 'id="due-people"' in page
    assert demo.users["cg1"].full_name in page and demo.users["cg2"].full_name in page
    assert demo.users["dh1"].full_name not in page  # beside: the next township
    colleague = login(demo.users["cg2"]).get("/reminders/due/").content.decode()
    assert 'id="due-people"' not in colleague


def test_the_inbox_shows_ones_own_messages_and_marks_them_read(demo, login, django_assert_max_num_queries):
    _inbox(demo.users["cg1"], 60, demo.townships[0])
    _inbox(demo.users["dh1"], 2, demo.townships[1])
    client = login(demo.users["cg1"])
    with django_assert_max_num_queries(12):
        page = client.get("/reminders/").content.decode()
    assert page.count("投诉 提醒") == 50 and "未读 60" in page
    assert login(demo.users["dh1"]).get("/reminders/").content.decode().count("投诉 提醒") == 2
    client.post("/reminders/read/", {"id": [str(Reminder.objects.filter(person=demo.users["cg1"]).first().pk)]})
    assert Reminder.objects.filter(person=demo.users["cg1"], read_at__isnull=False).count() == 1
    client.post("/reminders/read/")
    assert not Reminder.objects.filter(person=demo.users["cg1"], read_at__isnull=True).exists()
    assert Reminder.objects.filter(person=demo.users["dh1"], read_at__isnull=True).count() == 2


def test_api_inbox_pages_and_marks_read(demo, client, api_token, django_assert_max_num_queries):
    _inbox(demo.users["cg1"], 30, demo.townships[0])
    auth = api_token(demo.users["cg1"])
    with django_assert_max_num_queries(8):
        first = client.get("/api/reminders?limit=20", **auth).json()
    assert len(first["items"]) == 20 and first["next"]
    rest = client.get(f"/api/reminders?limit=20&after={first['next']}", **auth).json()
    assert len(rest["items"]) == 10
    response = client.post("/api/reminders/read", {}, content_type="application/json", **auth)
    assert response.json() == {"marked": 30}
    assert client.get("/api/reminders?unread=true", **auth).json()["items"] == []


def test_the_settings_page_never_shows_the_saved_secret(demo, login):
    client = login(demo.users["bureau"])
    response = client.post(
        "/reminders/settings/channel/",
        {"area": str(demo.townships[0].pk), "kind": "wecom", "url": "http://127.0.0.1:9/hook", "secret": "TOPSECRET-1"},
    )
    assert response.status_code == 302
    channel = ReminderChannel.objects.get(area=demo.townships[0], kind="wecom")
    assert channel.secret == "TOPSECRET-1"
    page = client.get("/reminders/settings/").content.decode()
    assert "TOPSECRET-1" not in page and "已保存（不显示）" in page
    # Saved again without a secret: the old one stays.
    client.post(
        "/reminders/settings/channel/",
        {"area": str(demo.townships[0].pk), "kind": "wecom", "url": "http://127.0.0.1:9/hook2"},
    )
    channel.refresh_from_db()
    assert channel.secret == "TOPSECRET-1" and channel.url.endswith("hook2")


def test_bad_channel_input_is_refused_in_chinese_and_changes_nothing(demo, login, client, api_token):
    response = login(demo.users["bureau"]).post(
        "/reminders/settings/channel/", {"area": str(demo.county.pk), "kind": "wecom", "url": "ftp://x"}
    )
    assert response.status_code == 422 and "http" in response.content.decode()
    bad = client.post(
        "/api/reminder-channels",
        {"area_id": str(demo.county.pk), "kind": "fax", "url": "http://127.0.0.1:9/"},
        content_type="application/json",
        **api_token(demo.users["bureau"]),
    )
    assert bad.status_code in (400, 422) and "渠道类型" in bad.json()["detail"] + str(bad.json().get("fields"))
    assert not ReminderChannel.objects.exists()


def test_api_channels_never_return_the_secret_and_are_scoped(demo, client, api_token):
    bureau = api_token(demo.users["bureau"])
    body = {"area_id": str(demo.townships[0].pk), "kind": "wecom", "url": "http://127.0.0.1:9/hook", "secret": "S3CRET"}
    saved = client.post("/api/reminder-channels", body, content_type="application/json", **bureau)
    assert saved.status_code == 200 and "S3CRET" not in saved.content.decode() and saved.json()["has_secret"]
    again = client.post("/api/reminder-channels", body, content_type="application/json", **bureau)
    assert again.json()["id"] == saved.json()["id"] and ReminderChannel.objects.count() == 1
    listed = client.get("/api/reminder-channels", **bureau)
    assert "S3CRET" not in listed.content.decode() and len(listed.json()["items"]) == 1
    # above: the county's supervisor sees it; inside: cg1 sees its township's; beside: dh1 does not.
    assert len(client.get("/api/reminder-channels", **api_token(demo.users["inst"])).json()["items"]) == 1
    assert len(client.get("/api/reminder-channels", **api_token(demo.users["cg1"])).json()["items"]) == 1
    assert client.get("/api/reminder-channels", **api_token(demo.users["dh1"])).json()["items"] == []
    # a co-manager may not configure.
    refused = client.post(
        "/api/reminder-channels", body, content_type="application/json", **api_token(demo.users["cg1"])
    )
    assert refused.status_code == 403


def test_the_send_log_is_scoped(demo, client, api_token):
    services.reminder_channel_save(actor=demo.users["bureau"], area=demo.county, kind="sms", url="http://127.0.0.1:9/")
    for person, area in ((demo.users["cg1"], demo.townships[0]), (demo.users["dh1"], demo.townships[1])):
        Reminder.objects.create(
            item_key="x",
            kind="complaint",
            stage=Stage.BEFORE,
            person=person,
            area=area,
            channel="sms",
            label=f"短信给{person.username}",
            due=timezone.now(),
            status=ReminderStatus.FAILED,
            last_error="HTTP 500",
        )

    def labels(user):
        return {r["label"] for r in client.get("/api/reminder-log", **api_token(user)).json()["items"]}

    assert labels(demo.users["bureau"]) == {"短信给cg1", "短信给dh1"}  # above
    assert labels(demo.users["cg1"]) == {"短信给cg1"}  # inside
    assert "短信给cg1" not in labels(demo.users["dh1"])  # beside


def test_quiet_hours_with_a_zone_are_refused_in_chinese_and_change_nothing(demo, api_token):
    """Quiet hours are wall-clock times: 00:00:00Z is a 422 in Chinese, never a 500."""
    import json

    from django.test import Client

    headers = api_token(demo.users["bureau"])
    body = {"quiet_start": "00:00:00Z", "quiet_end": "07:00"}
    refused = Client().put("/api/reminder-rule", json.dumps(body), content_type="application/json", **headers)
    assert refused.status_code == 422, refused.content
    detail = refused.json()["detail"]
    assert "quiet_start" in detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail)
    rule = Client().get("/api/reminder-rule", **headers).json()
    assert rule["quiet_start"] == "21:00:00" and rule["quiet_end"] == "08:00:00"


def test_a_township_comanager_may_not_set_the_county_rule(demo, api_token):
    """The rule is the county's: a caller within the county gets 403 in
    Chinese (their own county, so nothing is revealed) and nothing changes."""
    import json

    from django.test import Client

    body = {"lead_days": 9}
    refused = Client().put(
        "/api/reminder-rule", json.dumps(body), content_type="application/json", **api_token(demo.users["cg1"])
    )
    assert refused.status_code == 403 and any("\u4e00" <= ch <= "\u9fff" for ch in refused.json()["detail"])
    assert Client().get("/api/reminder-rule", **api_token(demo.users["bureau"])).json()["lead_days"] != 9


def test_a_client_id_of_another_channel_is_refused_not_a_server_error(demo, client, api_token):
    """The id names a new channel; one already taken by another area's or
    kind's channel is refused (422, in Chinese), not a clash in the database."""
    bureau = api_token(demo.users["bureau"])
    body = {"id": str(uuid.uuid4()), "area_id": str(demo.townships[0].pk), "kind": "sms", "url": "http://127.0.0.1:9/"}
    assert client.post("/api/reminder-channels", body, content_type="application/json", **bureau).status_code == 200
    other = client.post("/api/reminder-channels", {**body, "kind": "wecom"}, content_type="application/json", **bureau)
    assert other.status_code == 422 and "编号" in str(other.json())
    assert ReminderChannel.objects.count() == 1
