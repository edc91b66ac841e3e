"""API schemas of the archives (names unique across the API)."""

from __future__ import annotations

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema

from xieguan.core.api import COMING_MONTH_DATE_FORMAT

OwnerKind = Literal["unit", "campaign", "inspection", "complaint", "training", "assessment"]


class ArchiveDocumentVersionOut(Schema):
    id: uuid.UUID
    number: int
    original_name: str
    kind: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime.datetime


class ArchiveDocumentOut(Schema):
    id: uuid.UUID
    owner_type: str
    owner_id: uuid.UUID
    area_id: uuid.UUID
    title: str
    current: ArchiveDocumentVersionOut | None = None
    created_by: str
    created_at: datetime.datetime


class ArchiveDocumentIn(Schema):
    id: uuid.UUID | None = None
    owner_type: OwnerKind
    owner_id: uuid.UUID
    title: str = Field("", max_length=200)


class UpperDocumentIn(Schema):
    id: uuid.UUID | None = None
    title: str = Field(..., min_length=1, max_length=200)
    number: str = Field("", max_length=60)
    body: str = Field("", max_length=5000)
    target_ids: list[uuid.UUID] = Field(..., min_length=1, max_length=100)
    ack_due: datetime.date | None = None


class UpperReceiptOut(Schema):
    id: uuid.UUID
    institution_id: uuid.UUID
    institution_name: str
    area_id: uuid.UUID
    area_name: str
    read_at: datetime.datetime | None = None
    acknowledged_at: datetime.datetime | None = None


class UpperDocumentOut(Schema):
    id: uuid.UUID
    number: str
    title: str
    body: str
    issuer_name: str
    issued_at: datetime.datetime
    ack_due: datetime.date | None = None
    has_file: bool
    receipts: int
    read: int
    my_read_at: datetime.datetime | None = None
    my_acknowledged_at: datetime.datetime | None = None


class UpperDocumentDetailOut(UpperDocumentOut):
    recipients: list[UpperReceiptOut]


class ArchiveSectionOut(Schema):
    index: int
    name: str
    count: int


class ArchiveAreaOut(Schema):
    id: uuid.UUID
    name: str


class ArchiveYearOut(Schema):
    year: int
    area: ArchiveAreaOut
    closed: bool
    closed_at: datetime.datetime | None = None
    reopened_until: datetime.datetime | None = None
    reopen_requested: bool
    children: list[ArchiveAreaOut]
    sections: list[ArchiveSectionOut]


class YearReopenRequestIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class YearReopenGrantIn(Schema):
    until: datetime.date = Field(
        description="a date (YYYY-MM-DD) from today to 30 days ahead",
        json_schema_extra={"format": COMING_MONTH_DATE_FORMAT},
    )


class YearPackageIn(Schema):
    id: uuid.UUID | None = None
    area_id: uuid.UUID
    year: int = Field(..., ge=2000, le=2100)


class YearPackageOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    year: int
    status: Literal["queued", "running", "done", "failed"]
    done: int
    total: int
    percent: int
    size: int
    sha256: str
    finished_at: datetime.datetime | None = None
