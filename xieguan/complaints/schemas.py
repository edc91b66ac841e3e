from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

from ninja import Field, Schema

from xieguan.complaints.models import ComplaintCategory
from xieguan.units.schemas import PHONE_DESCRIPTION, PHONE_FORMAT

# The channels staff register a complaint by (the service refuses ``web``,
# which only the public form sets): the schema names what is accepted.
StaffChannel = Literal["phone", "visit", "letter", "hotline_12345", "other"]
# What the service checks of every complaint, staff-taken or public.
Content = Annotated[
    str,
    Field(
        max_length=5000,
        description="what happened: at least 5 characters besides spaces at either end",
        json_schema_extra={"pattern": r"\S[\s\S]{3,}\S"},
    ),
]
Phone = Annotated[str, Field(max_length=30, description=PHONE_DESCRIPTION, json_schema_extra={"format": PHONE_FORMAT})]


class ComplainantOut(Schema):
    name: str
    phone: str
    address: str


class ComplaintStepOut(Schema):
    kind: str
    label: str
    at: datetime.datetime
    deadline: datetime.date | None
    late: bool
    note: str
    actor: str


class ComplaintOut(Schema):
    id: uuid.UUID
    receipt: str
    status: str
    status_label: str
    channel: str
    category: str
    category_label: str
    township_id: uuid.UUID
    township_name: str
    village_id: uuid.UUID | None
    unit_id: uuid.UUID | None
    unit_name: str
    inspection_id: uuid.UUID | None = Field(None, description="the inspection record that settled it, if tied")
    opinion_id: uuid.UUID | None = Field(None, description="the supervision opinion that settled it, if tied")
    content: str
    place: str
    registered_at: datetime.datetime
    due_on: datetime.date | None
    past_deadline: bool
    handler_institution: str
    duplicate_of_id: uuid.UUID | None
    not_accepted_reason: str
    result: str
    reply: str
    is_anonymous: bool
    complainant: ComplainantOut | None = Field(
        None, description="only for those handling the case (each read is audited); absent for everyone else"
    )
    steps: list[ComplaintStepOut] | None = None


class ComplaintFiledOut(ComplaintOut):
    pin: str | None = Field(None, description="the complainant's PIN: given once, on the first create only")


class ComplaintIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    township_id: uuid.UUID
    village_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    unit_name: str = Field("", max_length=200)
    category: ComplaintCategory
    channel: StaffChannel = Field(description="how it came in; ``web`` is the public form's own")
    content: Content
    place: str = Field("", max_length=200)
    is_anonymous: bool = False
    name: str = Field("", max_length=50)
    phone: Phone = ""
    address: str = Field("", max_length=200)


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ResultIn(Schema):
    result: str = Field("", max_length=5000)


class ReplyIn(Schema):
    reply: str = Field(max_length=5000, json_schema_extra={"pattern": r"\S"})  # required, not blank (the service)


class LinkIn(Schema):
    original_id: uuid.UUID


class ComplaintLinksIn(Schema):
    unit_id: uuid.UUID = Field(description="the registered unit the complaint is about, in its township")
    inspection_id: uuid.UUID | None = Field(
        None, description="a submitted inspection record of that unit that settled it; empty: none"
    )
    opinion_id: uuid.UUID | None = Field(
        None, description="a supervision opinion issued to that unit that settled it (its record is linked too)"
    )


class CaptchaOut(Schema):
    token: str
    image: str = Field(description="a data: URL of the PNG to show")


class PublicComplaintIn(Schema):
    """What the public form sends; the schema states what the service checks
    (the CAPTCHA solved, a township, a category, a few words), bar one rule
    across fields: unless anonymous, a name or a phone number."""

    captcha_token: str = Field(description="from GET /api/public/captcha")
    captcha_answer: str = Field(max_length=10, description="the characters in its picture")
    township_id: uuid.UUID = Field(description="the township where it happened")
    village_id: uuid.UUID | None = Field(None, description="a village of that township")
    unit_id: uuid.UUID | None = Field(None, description="a registered unit of that township")
    unit_name: str = Field("", max_length=200)
    category: ComplaintCategory
    content: Content
    place: str = Field("", max_length=200)
    is_anonymous: bool = True
    name: str = Field("", max_length=50)
    phone: Phone = ""
    address: str = Field("", max_length=200)


class PublicFiledOut(Schema):
    receipt: str
    pin: str


class PublicStepOut(Schema):
    label: str
    at: datetime.datetime | None
    deadline: datetime.date | None
    note: str
    late: bool
    pending: bool


class PublicComplaintOut(Schema):
    receipt: str
    status: str
    status_label: str
    registered_at: datetime.datetime
    township_name: str
    category_label: str
    steps: list[PublicStepOut]
    reply: str
    not_accepted_reason: str
    reopen_until: datetime.date | None
    can_reopen: bool


# ---------------------------------------------------------------- issue 19 item 2: the county's settings


class ComplaintSettingsIn(Schema):
    accept_days: int = Field(ge=1, le=60, description="working days to accept")
    handle_days: int = Field(ge=1, le=60, description="working days to handle")
    reply_days: int = Field(ge=1, le=60, description="working days to reply")
    reopen_days: int = Field(ge=1, le=60, description="days to reopen after the reply")
    near_days: int = Field(ge=0, le=10, description="working days before a deadline counted as near")


class ComplaintSettingsOut(ComplaintSettingsIn):
    county_id: uuid.UUID


class CalendarOverrideIn(Schema):
    is_workday: bool = Field(
        description="true: the county works that day (调休); false: it rests"  # i18n: data — the domain term glossed
    )
    note: str = Field("", max_length=100)


class CalendarOverrideOut(Schema):
    id: int
    county_id: uuid.UUID
    date: datetime.date
    is_workday: bool
    note: str
