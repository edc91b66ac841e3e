from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema


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
    kind: str = Field(description="sms | wecom")
    url: str = Field(description="The SMS gateway's or the group robot's webhook URL (http or https)")
    secret: str | None = Field(None, description="Gateway key or robot key; write-only, omitted keeps the saved one")
    template: str = ""
    signature: str = ""
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
