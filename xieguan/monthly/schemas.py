from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from xieguan.core.api import COMING_MONTH_DATE_FORMAT, RateOut


class FigurePartOut(Schema):
    clues: list[int] = Field(
        description="报告事件线索数 of this part: [本月, 本年累计]"  # i18n: data — the national form's terms glossed
    )


class FigureRowOut(Schema):
    clues: list[int] = Field(
        description="报告事件线索数: [本月 (this period), 本年累计 (year to date)]"  # i18n: data — the national form's terms glossed
    )
    patrols: list[int] = Field(
        description="实地巡查数: [本月, 本年累计]"  # i18n: data — the national form's terms glossed
    )
    publicity: list[int] = Field(
        description="宣传教育数: [本月, 本年累计]"  # i18n: data — the national form's terms glossed
    )
    parts: dict[str, FigurePartOut] | None = Field(
        None,
        description="a split row's parts by report nature: hazard (事故/隐患) and violation (违法行为); their clues "  # i18n: data — the national form's terms glossed
        "add up to the row's. Absent on single rows (illegal_practice, family_planning, other, total).",
    )


class FiguresOut(Schema):
    period: list[datetime.date] = Field(description="the reporting period's first and last day (inclusive)")
    rows: dict[str, FigureRowOut] = Field(
        description="by row key: food_safety, public_place, drinking_water, infectious, occupational, school, "
        "illegal_practice, family_planning, other, total"
    )
    coverage: list[int] = Field(
        description="巡查覆盖率: [units patrolled, units due]"  # i18n: data — the national form's terms glossed
    )
    report_rate: list[int] = Field(
        description="信息报告率: [reported, found]"  # i18n: data — the national form's terms glossed
    )
    timely_rate: list[int] = Field(
        description="及时报告率: [reported within the limit, reported]"  # i18n: data — the national form's terms glossed
    )
    opinions: list[int] = Field(description="[opinions issued, of which rectified]")


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
    figures: FiguresOut | None = None


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


class ReturnIn(Schema):
    comment: str = Field(
        max_length=2000, description="what the township is to correct", json_schema_extra={"pattern": r"\S"}
    )  # required, not blank (the service)


class UnlockRequestIn(Schema):
    reason: str = Field(max_length=2000, json_schema_extra={"pattern": r"\S"})  # not blank (the service)


class UnlockGrantIn(Schema):
    until: datetime.date = Field(
        description="a date (YYYY-MM-DD) from today to 30 days ahead",
        json_schema_extra={"format": COMING_MONTH_DATE_FORMAT},
    )


class PeriodStartDayOut(Schema):
    applies_from: str = Field(description="the first month the start day applies to, YYYY-MM (2000-01: since always)")
    start_day: int = Field(description="first day of the reporting month: 1 = calendar month, 26 = 26th–25th")


class MonthlySettingOut(Schema):
    county_id: uuid.UUID
    county_name: str
    period_start_day: int = Field(
        description="first day of the reporting month by the latest rule: 1 = calendar month, 26 = 26th–25th"
    )
    period_start_days: list[PeriodStartDayOut] = Field(
        description="the county's start days over time, oldest first; months before the first are calendar months"
    )
    deadline_day: int = Field(description="the report is due on the first such day after its period closes")
    current_period: list[datetime.date] = Field(description="first and last day of the period today falls in")
    current_deadline: datetime.date


class MonthlySettingIn(Schema):
    period_start_day: int = Field(ge=1, le=28, description="1–28; a new one needs applies_from")
    applies_from: str | None = Field(
        None,
        pattern=r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$",
        description="YYYY-MM: the month a new start day applies from; not before the month after the latest month "
        "of which a report of the county is submitted or approved. Months before it keep their boundaries.",
    )
    deadline_day: int = Field(ge=1, le=31, description="1–31; 29–31 are clipped to the month (31 = month end)")


# ---------------------------------------------------------------- issue 19 item 2: what the pages offer


class AreaRefOut(Schema):
    id: uuid.UUID
    name: str


class CountyRateOut(Schema):
    area_id: uuid.UUID
    area_name: str
    expected: int
    submitted: int
    on_time: int
    rate: RateOut = Field(
        description="上报率 = reports submitted ÷ expected"  # i18n: data — the national form's terms glossed
    )
    on_time_rate: RateOut = Field(
        description="及时上报率 = submitted by the deadline ÷ expected"  # i18n: data — the national form's terms glossed
    )
    missing: list[AreaRefOut]


class MonthRatesOut(Schema):
    month: int
    counties: list[CountyRateOut]


class RatesOut(Schema):
    year: int
    months: list[MonthRatesOut]


class FigureOut(Schema):
    code: str
    name: str
    formula: str
    numerator: int
    denominator: int | None
    percent: Decimal | None


class OverviewRowOut(Schema):
    area_id: uuid.UUID
    area_name: str
    is_total: bool
    state: str | None = Field(description="a township's monthly report state; none for a county or the total")
    expected: int
    submitted: int
    on_time: int
    figures: list[FigureOut]


class OverviewOut(Schema):
    area_id: uuid.UUID
    area_name: str
    year: int
    month: int
    first_day: datetime.date
    last_day: datetime.date
    of_counties: bool
    rows: list[OverviewRowOut]
    total: OverviewRowOut


class DrillOpinionOut(Schema):
    id: uuid.UUID
    number: str
    unit_id: uuid.UUID
    unit_name: str
    area_name: str
    issued_at: datetime.datetime
    rectified: bool


class CellRecordOut(Schema):
    id: uuid.UUID
    kind: Literal["report", "inspection", "outreach"]
    date: datetime.date
    title: str
    area_name: str


class SummaryRowOut(Schema):
    key: str
    label: str
    clues: int
    patrols: int
    publicity: int
    parts: list[dict[str, Any]] = Field(default_factory=list, description="a split row's clues by part")


class SummaryOut(Schema):
    township_id: uuid.UUID
    year: int
    quarter: int | None
    title: str
    rows: list[SummaryRowOut]
    total: SummaryRowOut
    coverage: RateOut
    report_rate: RateOut
    timely_rate: RateOut
    opinions_issued: int
    opinions_rectified: int
    draft: str = Field(description="the prose draft the page offers to edit")


class SummaryDocumentIn(Schema):
    quarter: int | None = Field(None, ge=1, le=4, description="none: the annual summary")
    text: str = Field(min_length=1, max_length=20000)
    format: Literal["docx", "pdf"] = "docx"
