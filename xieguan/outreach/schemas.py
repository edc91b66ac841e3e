from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema

from xieguan.outreach.models import OutreachForm


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
    place: str = Field(max_length=200)
    form: OutreachForm
    theme: str = Field(max_length=200)
    audience: str = Field("", max_length=200)
    audience_count: int = Field(0, ge=0)
    materials: str = Field("", max_length=2000)
    materials_count: int = Field(0, ge=0)
    unit_id: uuid.UUID | None = Field(None, description="the unit guided, for form=guidance")
