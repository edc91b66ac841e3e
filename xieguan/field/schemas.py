from __future__ import annotations

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema

from xieguan.core.photos import MAX_PHOTO_BYTES
from xieguan.reminders.schemas import DueOut


class FieldUser(Schema):
    id: uuid.UUID
    username: str
    full_name: str
    institution: str
    area_id: uuid.UUID | None


class FieldArea(Schema):
    id: uuid.UUID
    name: str
    level: int
    parent_id: uuid.UUID | None


class FieldUnit(Schema):
    id: uuid.UUID
    name: str
    area_id: uuid.UUID
    address: str
    category: str = Field(description="the unit's category code")
    checklist_id: uuid.UUID | None = Field(None, description="the checklist a new inspection of this unit uses")


class FieldDue(Schema):
    unit_id: uuid.UUID
    unit_name: str
    state: str = Field(description="due or overdue")
    window_end: datetime.date
    campaign: str = Field("", description="the special campaign that targets the unit, if any")


class FieldItem(Schema):
    id: int
    code: str
    text: str


class FieldChecklist(Schema):
    id: uuid.UUID
    category: str
    title: str
    version: int
    photos_required: int = Field(description="the photos a record made with this checklist needs at submit")
    items: list[FieldItem]


class FieldCategory(Schema):
    code: str
    name: str
    is_emergency: bool
    limit_minutes: int


class FieldPerson(Schema):
    id: uuid.UUID
    name: str
    institution: str


class FieldChoice(Schema):
    value: str
    label: str


class FieldStation(Schema):
    id: uuid.UUID
    name: str
    level: int


class FieldInspectionRules(Schema):
    min_inspectors: int = Field(description="the fewest distinct inspectors a record is submitted with")


class BootstrapOut(Schema):
    """What the phone keeps to work offline; fetch again whenever online."""

    user: FieldUser
    today: datetime.date
    areas: list[FieldArea]
    units: list[FieldUnit]
    due: list[FieldDue]
    due_list: list[DueOut] = Field(
        default_factory=list, description="the one due list (GET /api/due), soonest first, as of this load"
    )
    checklists: list[FieldChecklist]
    colleagues: list[FieldPerson] = Field(description="the people the user may name as the second inspector")
    report_categories: list[FieldCategory]
    outreach_forms: list[FieldChoice]
    inspection_rules: FieldInspectionRules
    can_record_visit: bool = Field(
        False, description="whether the user records station visits (POST /api/station-visits)"
    )
    visit_stations: list[FieldStation] = Field(
        default_factory=list,
        description="the stations the user may visit: the township stations for the county, "
        "the village stations for a township",
    )


class UploadIn(Schema):
    """Start a resumable upload (tus-like) of one photo or signature."""

    id: uuid.UUID = Field(description="client-made UUID of the upload; starting it again answers the same upload")
    target: Literal["inspection_photo", "inspection_signature", "report_photo", "outreach_photo"] = Field(
        description="what the file becomes once complete"
    )
    record_id: uuid.UUID = Field(description="the inspection, report or publicity record it belongs to")
    # The limits are stated here for clients and checked by upload_start,
    # whose messages name them in Chinese ("larger than 20 MB", "JPEG, PNG or WebP").
    length: int = Field(
        ge=1, json_schema_extra={"maximum": MAX_PHOTO_BYTES}, description="total size in bytes (at most 20 MB)"
    )
    sha256: str = Field(
        json_schema_extra={"pattern": "^[0-9a-fA-F]{64}$"}, description="SHA-256 of the whole file, hexadecimal"
    )
    content_type: str = Field(
        "image/jpeg",
        json_schema_extra={"enum": ["image/jpeg", "image/png", "image/webp"]},
        description="image/jpeg, image/png or image/webp",
    )
    role: Literal["inspector", "representative", ""] = Field("", description="for a signature: who signs")
    user_id: uuid.UUID | None = Field(None, description="for an inspector's signature: the inspector")
    name: str = Field("", max_length=50, description="for the representative's signature: their name")
    latitude: float | None = Field(None, description="for a photo: the GPS fix it was taken at (stamped on it)")
    longitude: float | None = Field(None, description="for a photo: the GPS fix it was taken at (stamped on it)")
    accuracy_m: float | None = Field(None, description="for a photo: the fix's accuracy in metres (≥ 0)")


class AttachedOut(Schema):
    id: uuid.UUID = Field(description="the photo or signature made (or already held)")
    sha256: str
    width: int
    height: int


class UploadOut(Schema):
    id: uuid.UUID
    target: str
    record_id: uuid.UUID
    length: int
    offset: int = Field(description="bytes the server holds; send the next chunk from here")
    complete: bool
    expires_at: datetime.datetime
    result: AttachedOut | None = Field(None, description="once complete: the photo or signature")
