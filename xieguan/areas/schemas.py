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
