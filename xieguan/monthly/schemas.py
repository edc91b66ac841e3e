from __future__ import annotations

import datetime
import uuid
from typing import Any

from ninja import Field, Schema


class MonthlyReportOut(Schema):
    id: uuid.UUID
    township_id: uuid.UUID
    township_name: str
    year: int
    month: int
    status: str
    status_label: str
    deadline: datetime.date
    submitted_at: datetime.datetime | None
    on_time: bool | None
    remarks: str
    review_comment: str
    unlock_reason: str
    unlock_requested_at: datetime.datetime | None
    unlocked_until: datetime.datetime | None
    versions: int
    figures: dict[str, Any] | None = None


class SubmitIn(Schema):
    id: uuid.UUID | None = None
    township_id: uuid.UUID
    year: int = Field(..., ge=2000, le=2100)
    month: int = Field(..., ge=1, le=12)
    remarks: str = ""


class ResubmitIn(Schema):
    remarks: str = ""


class ReviewIn(Schema):
    comment: str = ""


class UnlockRequestIn(Schema):
    reason: str


class UnlockGrantIn(Schema):
    until: datetime.date
