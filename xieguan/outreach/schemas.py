from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from xieguan.outreach.models import OutreachForm, TrainingLevel
from xieguan.units.schemas import PHONE_FORMAT

# A score and a training's hours are numbers on the wire (a bare Decimal
# is documented as "number or any string", and most strings are refused).
Score = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100})]
Hours = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0.5, "maximum": 40})]


class OutreachOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    institution_id: uuid.UUID
    date: datetime.date
    place: str
    form: str
    form_label: str
    theme: str
    audience: str
    audience_count: int
    materials: str
    materials_count: int
    unit_id: uuid.UUID | None
    recorded_by: str


class OutreachIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    area_id: uuid.UUID = Field(description="a township or village in the caller's area")
    date: datetime.date
    place: str = Field(max_length=200, json_schema_extra={"pattern": r"\S"})  # not blank (checked by the service)
    form: OutreachForm
    theme: str = Field(max_length=200, json_schema_extra={"pattern": r"\S"})
    audience: str = Field("", max_length=200)
    audience_count: int = Field(0, ge=0)
    materials: str = Field("", max_length=2000)
    materials_count: int = Field(0, ge=0)
    unit_id: uuid.UUID | None = Field(None, description="the unit guided, for form=guidance")


class OutreachPatch(Schema):
    """Only the fields sent are changed; the same checks as recording."""

    area_id: uuid.UUID | None = None
    date: datetime.date | None = None
    place: str | None = Field(None, max_length=200)
    form: OutreachForm | None = None
    theme: str | None = Field(None, max_length=200)
    audience: str | None = Field(None, max_length=200)
    audience_count: int | None = Field(None, ge=0)
    materials: str | None = Field(None, max_length=2000)
    materials_count: int | None = Field(None, ge=0)
    unit_id: uuid.UUID | None = None


class OutreachPhotoOut(Schema):
    id: uuid.UUID
    sha256: str
    width: int
    height: int
    url: str = Field(description="served only to users who may see the record")


class TrainingPatch(Schema):
    topic: str | None = Field(None, max_length=200)
    date: datetime.date | None = None
    hours: Hours | None = Field(None, ge=Decimal("0.5"), le=40, decimal_places=1)
    trainer: str | None = Field(None, max_length=100)
    materials: str | None = Field(None, max_length=2000)


class TrainingOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    institution_id: uuid.UUID
    level: str
    level_label: str
    topic: str
    date: datetime.date
    hours: Decimal
    trainer: str
    materials: str
    attendee_count: int


class TrainingIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    area_id: uuid.UUID = Field(description="the county (level=county) or a township (level=township)")
    level: TrainingLevel
    topic: str = Field(max_length=200)
    date: datetime.date
    hours: Hours = Field(ge=Decimal("0.5"), le=40, decimal_places=1)
    trainer: str = Field(max_length=100)
    materials: str = Field("", max_length=2000)


class AttendanceIn(Schema):
    person_id: uuid.UUID
    score: Score | None = Field(None, ge=0, le=100, decimal_places=1)


class GuestAttendanceIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the attendance already made"
    )
    name: str = Field(max_length=50, description="the attendee's name", json_schema_extra={"pattern": r"\S"})
    phone: str = Field(
        min_length=1,
        max_length=30,
        description="an 11-digit mobile number or a landline with its area code (0931-8812345)",
        json_schema_extra={"format": PHONE_FORMAT},
    )
    workplace: str = Field("", max_length=100, description="where the attendee works; needed when no unit_id is given")
    unit_id: uuid.UUID | None = Field(None, description="a registered unit of the training's area")
    score: Score | None = Field(None, ge=0, le=100, decimal_places=1)


class AttendanceOut(Schema):
    id: uuid.UUID
    training_id: uuid.UUID
    person_id: uuid.UUID | None = Field(description="empty for a guest without an account")
    person_name: str
    is_guest: bool
    workplace: str = Field(description="the institution, the unit or the workplace written")
    unit_id: uuid.UUID | None
    phone: str = Field(description="masked: 138****5678")
    signed_at: datetime.datetime
    method: str
    score: Decimal | None


# ---------------------------------------------------------------- issue 19 item 2: training hours


class PersonHoursOut(Schema):
    person_id: uuid.UUID
    name: str
    institution_name: str
    hours: Decimal = Field(description="hours of the trainings attended in the year")
    short: bool = Field(description="below the yearly minimum (20 hours, SPEC §1)")


class HoursListOut(Schema):
    year: int
    minimum: Decimal
    people: list[PersonHoursOut]


class HoursSessionOut(Schema):
    training_id: uuid.UUID
    date: datetime.date
    topic: str
    institution_name: str
    hours: Decimal


class PersonYearOut(Schema):
    person_id: uuid.UUID
    name: str
    year: int
    minimum: Decimal
    total: Decimal
    sessions: list[HoursSessionOut]
