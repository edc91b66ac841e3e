from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema

from xieguan.core.api import LocalTime
from xieguan.reminders.services import SIGNATURE_LIMIT, TEMPLATE_LIMIT


class DueOut(Schema):
    key: str = Field(description="Names the item across runs: kind and record")
    kind: str
    kind_label: str
    label: str
    due: datetime.datetime = Field(description="Due time, Asia/Shanghai; a due date is the end of that day")
    all_day: bool = Field(description="true: due by the end of the day (a date, not a time)")
    overdue: bool
    responsible: str
    responsible_id: int | uuid.UUID | None = None
    url: str
    area: str


class ReminderOut(Schema):
    id: uuid.UUID
    kind: str
    stage: str
    label: str
    url: str
    due: datetime.datetime
    created_at: datetime.datetime
    read_at: datetime.datetime | None = None


class ReadIn(Schema):
    ids: list[uuid.UUID] | None = Field(None, description="The messages to mark read; omitted: all unread")


class ReadOut(Schema):
    marked: int


class ReminderChannelIn(Schema):
    id: uuid.UUID | None = Field(None, description="Client id for a new channel (idempotent per area and kind)")
    area_id: uuid.UUID = Field(description="The county or one of its townships")
    # The enum, the address and the lengths are checked by the service (its
    # messages in Chinese); the schema states them for clients.
    kind: str = Field(description="sms | wecom", json_schema_extra={"enum": ["sms", "wecom"]})
    url: str = Field(
        description="The SMS gateway's or the group robot's webhook URL (http or https)",
        json_schema_extra={"format": "http-url"},
    )
    secret: str | None = Field(None, description="Gateway key or robot key; write-only, omitted keeps the saved one")
    template: str = Field("", json_schema_extra={"maxLength": TEMPLATE_LIMIT})
    signature: str = Field("", json_schema_extra={"maxLength": SIGNATURE_LIMIT})
    enabled: bool = True


class ReminderChannelOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area: str
    kind: str
    url: str
    has_secret: bool = Field(description="A secret is saved (it is never returned)")
    template: str
    signature: str
    enabled: bool


class ReminderRuleIn(Schema):
    kinds: list[str] = Field(default_factory=list, description="Due kinds reminded (GET /api/due's kind); empty: all")
    channels: list[str] = Field(default_factory=list, description="email, sms, wecom beside the in-app inbox")
    lead_days: int = Field(1, ge=0, le=30, description="Working days before the due time")
    quiet_start: LocalTime = datetime.time(21, 0)
    quiet_end: LocalTime = datetime.time(8, 0)
    escalate_after_days: int = Field(
        2, ge=0, le=60, description="Working days overdue before the supervisor, twice that the leader"
    )
    expiry_days: int = Field(
        30, ge=1, le=365, description="Licences and staff certificates expiring within these days are due"
    )
    digest: bool = Field(False, description="One daily digest instead of single messages (e-mail, SMS, WeCom)")


class ReminderRuleOut(ReminderRuleIn):
    county_id: uuid.UUID


class SendLogOut(Schema):
    id: uuid.UUID
    person: str
    channel: str
    stage: str
    label: str
    status: str
    attempts: int
    next_try: datetime.datetime | None = None
    sent_at: datetime.datetime | None = None
    last_error: str
    updated_at: datetime.datetime
