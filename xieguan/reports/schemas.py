from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from xieguan.core.api import PAST_YEAR_TIME_FORMAT, Latitude, Longitude, RateOut


class CategoryOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    is_emergency: bool
    limit_minutes: int
    county_id: uuid.UUID | None
    default_nature: str = Field(
        description="hazard (事故/隐患) or violation (违法行为): a report's nature when it sends none"  # i18n: data — the domain terms glossed
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
    nature: str = Field(
        description="hazard (事故/隐患) or violation (违法行为)"  # i18n: data — the domain terms glossed
    )
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
    found_at: datetime.datetime = Field(
        description="device time of discovery (date-time), with its offset; within the last year, not in the future",
        json_schema_extra={"format": PAST_YEAR_TIME_FORMAT},
    )
    place: str = Field(max_length=200, json_schema_extra={"pattern": r"\S"})  # not blank (checked by the service)
    content: str = Field(max_length=2000, json_schema_extra={"pattern": r"\S"})
    affected_count: int = Field(0, ge=0, le=100000)
    area_id: uuid.UUID | None = Field(None, description="village or township; defaults to the reporter's own")
    unit_id: uuid.UUID | None = Field(None, description="a unit of the registry in the caller's area")
    exposed_person_id: uuid.UUID | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    forward_now: bool = Field(False, description="a co-manager verifies and forwards to the county on filing")
    nature: Literal["hazard", "violation"] | None = Field(
        None,
        description="hazard = an incident or hazard (事故/隐患), violation = an illegal act (违法行为); "  # i18n: data — the domain terms glossed
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


# ---------------------------------------------------------------- issue 19 item 2: what the pages offer

ID_HELP = "client-made UUID; sending the same id again returns the existing record"


class ZeroReportIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    month: str = Field(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="the month, as 2026-05")


class ZeroReportOut(Schema):
    id: uuid.UUID
    institution_id: uuid.UUID
    institution_name: str
    month: str = Field(description="as 2026-05")
    made_at: datetime.datetime


class ZeroMonthOut(Schema):
    month: int
    state: Literal["nothing", "reports", "zero", "missing", "open", "future"] = Field(
        description="reports: something was found; zero: the station's zero report; missing: neither; "
        "open: the month is not over; future: still to come"
    )
    found: int


class ZeroStationOut(Schema):
    institution_id: uuid.UUID
    institution_name: str
    area_id: uuid.UUID
    missing: int
    months: list[ZeroMonthOut]


class ExposedPersonIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    area_id: uuid.UUID | None = Field(None, description="a township or village; defaults to the caller's own")
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field("", max_length=18, pattern=r"^(\d{17}[\dXx])?$")
    phone: str = Field("", max_length=30)
    employer: str = Field(min_length=1, max_length=200)
    hazard_factors: str = Field(min_length=1, max_length=300)
    exposure_years: int | None = Field(None, ge=0, le=70)
    note: str = Field("", max_length=2000)


class ExposedPersonOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    name: str
    id_number: str
    phone: str
    employer: str
    hazard_factors: str
    exposure_years: int | None
    note: str
    report_ids: list[uuid.UUID] | None = Field(None, description="the reports about them the caller may see")


class CategoryIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    name: str = Field(min_length=1, max_length=50)
    is_emergency: bool = False
    limit_minutes: int = Field(1440, ge=10, le=43200, description="an emergency's is 120")
    sort: int = Field(100, ge=0, le=32767)
    is_active: bool = True
    default_nature: Literal["hazard", "violation"] | None = None


class CategoryEditIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    is_emergency: bool = False
    limit_minutes: int = Field(1440, ge=10, le=43200, description="an emergency's is 120")
    sort: int = Field(100, ge=0, le=32767)
    is_active: bool = True
    default_nature: Literal["hazard", "violation"] | None = None


class CategoryFullOut(CategoryOut):
    sort: int
    is_active: bool


class IndicatorRowOut(Schema):
    area_id: uuid.UUID
    area_name: str
    is_total: bool
    found: int
    reported: int
    timely: int
    report_rate: RateOut
    timely_rate: RateOut


class IndicatorsOut(Schema):
    area_id: uuid.UUID
    year: int
    month: int | None
    report_rate_formula: str
    timely_rate_formula: str
    total: IndicatorRowOut
    rows: list[IndicatorRowOut]
