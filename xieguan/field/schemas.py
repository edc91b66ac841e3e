from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema


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


class FieldDue(Schema):
    unit_id: uuid.UUID
    unit_name: str
    state: str = Field(description="due or overdue")
    window_end: datetime.date


class FieldItem(Schema):
    id: int
    code: str
    text: str


class FieldChecklist(Schema):
    id: uuid.UUID
    category: str
    title: str
    version: int
    items: list[FieldItem]


class FieldCategory(Schema):
    code: str
    name: str
    is_emergency: bool
    limit_minutes: int


class FieldChoice(Schema):
    value: str
    label: str


class BootstrapOut(Schema):
    """What the phone keeps to work offline; fetch again whenever online."""

    user: FieldUser
    today: datetime.date
    areas: list[FieldArea]
    units: list[FieldUnit]
    due: list[FieldDue]
    checklists: list[FieldChecklist]
    report_categories: list[FieldCategory]
    outreach_forms: list[FieldChoice]
