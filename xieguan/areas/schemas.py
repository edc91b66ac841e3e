from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema


class AreaOut(Schema):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    level: int
    level_label: str
    code: str | None
    retired_on: datetime.date | None
    successor_id: uuid.UUID | None


class AreaIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    parent_id: uuid.UUID
    name: str = Field(max_length=100)
    code: str | None = Field(None, max_length=12, description="12-digit statistical division code, optional")


class AreaSplitIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID of the new area; sending the same id again returns it and moves nothing"
    )
    name: str = Field(max_length=100, description="the new area's name, unique among its active siblings")
    code: str | None = Field(None, max_length=12, description="the new area's 12-digit statistical division code")
    village_ids: list[uuid.UUID] = Field(
        description="areas directly below the split area that go to the new one (at least one, not all)"
    )


class AreaSplitOut(Schema):
    area: AreaOut = Field(description="the new area")
    moved_area_ids: list[uuid.UUID] = Field(description="the areas now below the new area")
    moved_records: dict[str, int] = Field(description="open work that moved with them, by kind (empty on a retry)")


class AreaPatch(Schema):
    name: str = Field(max_length=100, min_length=1)
    code: str | None = Field(None, max_length=12, description="12-digit statistical division code, optional")


class AreaRetireIn(Schema):
    successor_id: uuid.UUID = Field(description="an active area beside it (same parent) that takes everything")
    on: datetime.date | None = Field(None, description="the day it is retired; today if not given")


class AreaRetireOut(Schema):
    area: AreaOut = Field(description="the retired area")
    successor: AreaOut
    moved_children: int
    moved_records: dict[str, int]
    closed_institutions: int


class AreaImportOut(Schema):
    created: int
    renamed: int
    unchanged: int


class AreaImportRowError(Schema):
    row: int
    column: str
    reason: str


class AreaImportRejectedOut(Schema):
    detail: str
    rows: list[AreaImportRowError] = Field(
        default_factory=list,
        description="every bad row; nothing was imported (absent when the request itself is malformed, e.g. no file)",
    )
