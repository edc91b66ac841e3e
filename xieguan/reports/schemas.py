from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class CategoryOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    is_emergency: bool
    limit_minutes: int
    county_id: uuid.UUID | None
    default_nature: str = Field(
        description="hazard (事故/隐患) or violation (违法行为): a report's nature when it sends none"
    )


class ReportStepOut(Schema):
    kind: str
    kind_label: str
    at: datetime.datetime
    by: str
    note: str


class ReportOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    institution_id: uuid.UUID
    category_code: str
    category_name: str
    is_emergency: bool
    nature: str = Field(description="hazard (事故/隐患) or violation (违法行为)")
    unit_id: uuid.UUID | None
    inspection_id: uuid.UUID | None = Field(None, description="the inspection record that followed it up, if tied")
    exposed_person_id: uuid.UUID | None
    found_at: datetime.datetime
    received_at: datetime.datetime
    reported_at: datetime.datetime | None
    deadline_at: datetime.datetime
    seconds_left: int | None = Field(description="while on its way to the county; negative once late")
    is_late: bool
    is_on_time: bool | None
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    content: str
    affected_count: int
    reporter: str
    status: str
    status_label: str
    closing_reason: str
    result: str
    steps: list[ReportStepOut] | None = None
    photo_ids: list[uuid.UUID] | None = None


class ReportIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing report"
    )
    category: str = Field(description="a category code (or id) in force in the county, see /api/report-categories")
    found_at: datetime.datetime = Field(description="device time of discovery, with its offset; not in the future")
    place: str = Field(max_length=200)
    content: str = Field(max_length=2000)
    affected_count: int = Field(0, ge=0, le=100000)
    area_id: uuid.UUID | None = Field(None, description="village or township; defaults to the reporter's own")
    unit_id: uuid.UUID | None = Field(None, description="a unit of the registry in the caller's area")
    exposed_person_id: uuid.UUID | None = None
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    forward_now: bool = Field(False, description="a co-manager verifies and forwards to the county on filing")
    nature: Literal["hazard", "violation"] | None = Field(
        None,
        description="hazard = an incident or hazard (事故/隐患), violation = an illegal act (违法行为); "
        "left out or null: the category's default_nature",
    )


class ReportLinksIn(Schema):
    unit_id: uuid.UUID = Field(description="the registered unit the report is about, in its township")
    inspection_id: uuid.UUID | None = Field(
        None, description="a submitted inspection record of that unit that followed it up; empty: none"
    )


class StepIn(Schema):
    note: str = Field("", max_length=2000)


class ReportPhotoOut(Schema):
    id: uuid.UUID
    report_id: uuid.UUID
    width: int
    height: int
    sha256: str
