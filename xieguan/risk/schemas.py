from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema

# A backtest's cut-off: a date from 2000 on with the months it follows
# already past (the service's rule, which depends on ``months``); named in
# the document and generated as such by the fuzzing (scripts/fuzz_hooks.py).
BACKTEST_CUT_OFF_FORMAT = "backtest-cut-off"


class RiskLinkOut(Schema):
    label: str
    url: str = Field(description="the page of the record behind the reason")


class RiskReasonOut(Schema):
    code: str
    text: str = Field(description="the reason in the caller's language, e.g. 2 violation records (last 12 months)")
    points: int
    links: list[RiskLinkOut]


class UnitRiskOut(Schema):
    unit_id: uuid.UUID
    unit_name: str
    area_name: str
    score: int
    grade: str = Field(
        description="high, medium or low (高/中/低)"  # i18n: data — the codes glossed with the Chinese terms
    )
    reasons: list[RiskReasonOut]
    computed_at: datetime.datetime


class RiskSettingsOut(Schema):
    county_id: uuid.UUID
    violation: int
    serious: int
    open_rectification: int
    complaint: int
    report: int
    overdue: int
    key_unit: int
    licence_expired: int
    licence_expiring: int
    certificate_expired: int
    hygiene_b: int
    hygiene_c: int
    high_from: int
    medium_from: int
    monthly_capacity: int
    sync_unit_grade: bool
    category_points: dict[str, int]


class RiskSettingsIn(Schema):
    violation: int = Field(10, ge=0, le=1000)
    serious: int = Field(10, ge=0, le=1000)
    open_rectification: int = Field(8, ge=0, le=1000)
    complaint: int = Field(6, ge=0, le=1000)
    report: int = Field(6, ge=0, le=1000)
    overdue: int = Field(5, ge=0, le=1000)
    key_unit: int = Field(5, ge=0, le=1000)
    licence_expired: int = Field(10, ge=0, le=1000)
    licence_expiring: int = Field(3, ge=0, le=1000)
    certificate_expired: int = Field(2, ge=0, le=1000)
    hygiene_b: int = Field(4, ge=0, le=1000)
    hygiene_c: int = Field(10, ge=0, le=1000)
    high_from: int = Field(30, ge=0, le=1000)
    medium_from: int = Field(12, ge=0, le=1000)
    monthly_capacity: int = Field(30, ge=1, le=10000)
    sync_unit_grade: bool = True
    category_points: dict[str, int] = Field(default_factory=dict, description="base points by category code")


class BacktestOut(Schema):
    county_id: uuid.UUID
    cut_off: datetime.date
    months: int
    k: int
    units: int
    inspections: int
    violations: int
    too_small: bool = Field(description="fewer than 30 units with violations: the figures below are withheld")
    precision_risk: float | None
    precision_time: float | None
    days_earlier: float | None
    days_earlier_se: float | None
    verdict: str = Field(description="too_small, benefit, no_difference or worse")
    ran_at: datetime.datetime


class BacktestIn(Schema):
    cut_off: datetime.date = Field(
        description="a date (YYYY-MM-DD) from 2000-01-01 on, and ``months`` months or more before today",
        json_schema_extra={"format": BACKTEST_CUT_OFF_FORMAT},
    )
    months: int = Field(3, ge=1, le=12)


class RecordReviewOut(Schema):
    id: uuid.UUID
    inspection_id: uuid.UUID
    unit_name: str
    year: int
    month: int
    weight: float
    result: str = Field(
        description="ok (合格), problem (有问题), returned (退回), or empty while pending"  # i18n: data — codes glossed
    )
    comment: str
    reviewed_at: datetime.datetime | None
    corrected_at: datetime.datetime | None


class RecordReviewIn(Schema):
    result: str = Field(description="ok, problem or returned")
    comment: str = Field("", max_length=2000)


class ReviewDrawIn(Schema):
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)
    share: int = Field(10, ge=1, le=100)


class ReviewDrawOut(Schema):
    drawn: int


class ItemFailureOut(Schema):
    code: str
    text: str
    category: str
    township: str
    answered: int
    failed: int
    rate: float | None
