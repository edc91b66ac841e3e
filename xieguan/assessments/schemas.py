from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

# Scores and percentages are numbers on the wire. A bare Decimal is documented
# as "a number or a numeric string", so a client (or a fuzzer) reads "" as
# allowed; these state the number and its range as the Field checks them.
Points = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1000})]
MaxScore = Annotated[Decimal, WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 1000})]
Percent = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100})]
Yuan = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0, "maximum": 999999999999})]
PerCapita = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1000})]

PeriodKindT = Literal["month", "quarter", "half", "year", "campaign"]


class AwardTierIn(Schema):
    name: str = Field(
        min_length=1,
        max_length=20,
        description="一等奖, 二等奖, …",  # i18n: data, examples of the tier names counties write
    )
    count: int | None = Field(None, ge=0, le=1000, description="award_mode ranks: how many win it")
    min_score: Points | None = Field(
        None, ge=0, le=1000, description="award_mode thresholds: the lowest total that wins it"
    )
    coefficient: Decimal = Field(
        Decimal(1), ge=0, le=10, description="fund_formula tiers: the tier's score coefficient"
    )


class AssessmentSchemeIn(Schema):
    id: uuid.UUID | None = Field(None, description="client-made UUID; sending it again answers the same scheme")
    area_id: uuid.UUID = Field(description="the county (assessing its townships) or a township (its villages)")
    name: str = Field(min_length=1, max_length=100)
    period_kind: PeriodKindT = "half"
    award_mode: Literal["ranks", "thresholds"] = "ranks"
    award_tiers: list[AwardTierIn] = Field(default_factory=list)
    fund_formula: Literal["share", "tiers"] = "share"
    appeal_days: int = Field(5, ge=1, le=60)


class AssessmentSchemePatch(Schema):
    """The fields of a draft scheme to change; those left out keep their values."""

    name: str | None = Field(None, min_length=1, max_length=100)
    period_kind: PeriodKindT | None = None
    award_mode: Literal["ranks", "thresholds"] | None = None
    award_tiers: list[AwardTierIn] | None = None
    fund_formula: Literal["share", "tiers"] | None = None
    appeal_days: int | None = Field(None, ge=1, le=60)


class SchemeItemPatch(Schema):
    """The fields of an item of a draft scheme to change; those left out keep their values."""

    order: int | None = Field(None, ge=1, le=1000)
    name: str | None = Field(None, min_length=1, max_length=100)
    guidance: str | None = Field(None, max_length=2000)
    max_score: MaxScore | None = Field(None, gt=0, le=1000)
    kind: Literal["auto", "manual"] | None = None
    indicator_code: str | None = Field(None, max_length=40)
    rule: Literal["threshold", "tiers"] | None = None
    target: Percent | None = Field(None, ge=0, le=100)
    floor: Percent | None = Field(None, ge=0, le=100)
    tiers: list[tuple[Percent, Percent]] | None = None


class SchemeItemIn(Schema):
    id: uuid.UUID | None = Field(None, description="client-made UUID; sending it again answers the same item")
    name: str = Field(min_length=1, max_length=100)
    guidance: str = Field("", max_length=2000)
    max_score: MaxScore = Field(gt=0, le=1000)
    kind: Literal["auto", "manual"] = "manual"
    indicator_code: str = Field(
        "", max_length=40, description="auto: a registered indicator's code (GET /api/report-indicators)"
    )
    rule: Literal["threshold", "tiers"] = "threshold"
    target: Percent | None = Field(None, ge=0, le=100, description="threshold: full marks at or above (per cent)")
    floor: Percent | None = Field(None, ge=0, le=100, description="threshold: zero below (per cent)")
    tiers: list[tuple[Percent, Percent]] = Field(
        default_factory=list, description="tiers: [[minimum per cent, share of the maximum in per cent], …]"
    )


class SchemeItemOut(Schema):
    id: uuid.UUID
    order: int
    name: str
    guidance: str
    max_score: Decimal
    kind: str
    indicator_code: str
    rule: str
    target: Decimal | None
    floor: Decimal | None
    tiers: list[list[str]]


class AssessmentSchemeOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    name: str
    period_kind: str
    version: int
    previous_id: uuid.UUID | None
    status: Literal["draft", "in_use", "retired"]
    award_mode: str
    award_tiers: list[dict[str, str | int | None]]
    fund_formula: str
    appeal_days: int
    items: list[SchemeItemOut]


class AssessmentIn(Schema):
    id: uuid.UUID | None = Field(None, description="client-made UUID; sending it again answers the same assessment")
    scheme_id: uuid.UUID = Field(description="a scheme in use")
    name: str = Field(min_length=1, max_length=100)
    starts_on: datetime.date
    ends_on: datetime.date
    area_ids: list[uuid.UUID] = Field(min_length=1, description="the areas assessed: the level below the scheme's area")
    budget_mode: Literal["entered", "per_capita"] = "per_capita"
    budget: Yuan | None = Field(
        None,
        ge=0,
        le=Decimal("999999999999"),
        description="entered: the budget in 元",  # i18n: data, the currency glossed
    )
    per_capita: PerCapita = Field(
        Decimal("1.25"),
        ge=0,
        le=1000,
        description="per_capita: 元 per person",  # i18n: data, the currency glossed
    )


class AssessedAreaOut(Schema):
    area_id: uuid.UUID
    area_name: str
    total: Decimal | None
    rank: int | None
    tier: str
    vetoed: bool


class AssessmentOut(Schema):
    id: uuid.UUID
    scheme_id: uuid.UUID
    area_id: uuid.UUID
    name: str
    period_kind: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: Literal["draft", "scoring", "released", "final"]
    appeal_until: datetime.date | None
    budget_mode: str
    per_capita: Decimal
    budget: Decimal | None
    bulletin_published: bool
    areas: list[AssessedAreaOut] = Field(
        description="totals, ranks and tiers the caller may see (only its own area, once released, for an assessed area)"
    )


class ItemScoreOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    item_id: uuid.UUID
    item_name: str
    kind: str
    max_score: Decimal
    score: Decimal | None
    figures: dict[str, str | int | bool | None]
    notes: str
    reviewer_id: uuid.UUID | None
    has_evidence: bool


class ItemScoreIn(Schema):
    score: Points = Field(ge=0, le=1000)
    notes: str = Field("", max_length=2000)


class ReviewerAssignIn(Schema):
    item_id: uuid.UUID
    reviewer_id: uuid.UUID


class AssessmentDeductionIn(Schema):
    id: uuid.UUID | None = None
    area_id: uuid.UUID
    kind: Literal["deduction", "veto"] = "deduction"
    points: Points = Field(Decimal(0), ge=0, le=1000, description="deduction: the points taken off")
    reason: str = Field(min_length=1, max_length=300)


class AssessmentDeductionOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    kind: str
    points: Decimal
    reason: str


class AssessmentAppealIn(Schema):
    id: uuid.UUID | None = None
    item_id: uuid.UUID | None = Field(None, description="the item appealed against; none: the total")
    reason: str = Field(min_length=1, max_length=2000)


class AppealAnswerIn(Schema):
    answer: str = Field(min_length=1, max_length=2000)
    new_score: Points | None = Field(None, ge=0, le=1000, description="the appealed item's new score")


class AssessmentAppealOut(Schema):
    id: uuid.UUID
    assessment_id: uuid.UUID
    area_id: uuid.UUID
    item_id: uuid.UUID | None
    reason: str
    answer: str
    new_score: Decimal | None
    answered_at: datetime.datetime | None


class FundAllocationOut(Schema):
    area_id: uuid.UUID
    area_name: str
    population: int
    score: Decimal
    coefficient: Decimal
    amount: Decimal


class FundAllocationsOut(Schema):
    assessment_id: uuid.UUID
    budget: Decimal | None = Field(
        description="the assessment's budget in 元; the amounts of all areas add up to it exactly"  # i18n: data, 元 glossed
    )
    formula: str
    items: list[FundAllocationOut]


class AssessmentBulletinIn(Schema):
    text: str = Field(min_length=1, max_length=20000)


class AssessmentBulletinOut(Schema):
    text: str
    saved: bool
    published_at: datetime.datetime | None


class PopulationIn(Schema):
    id: uuid.UUID | None = None
    area_id: uuid.UUID = Field(description="a township or village")
    year: int = Field(ge=2000, le=2100)
    population: int = Field(ge=0, le=10_000_000)
    source: str = Field("", max_length=100)


class PopulationOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    year: int
    population: int
    source: str


class PopulationImportOut(Schema):
    rows: int


class StationVisitIn(Schema):
    id: uuid.UUID | None = None
    area_id: uuid.UUID = Field(description="the township whose station is visited")
    kind: Literal["monthly", "quarterly"] = "monthly"
    visited_on: datetime.date
    supervisors: str = Field(min_length=1, max_length=200)
    items: str = Field("", max_length=4000)
    findings: str = Field("", max_length=4000)
    score: Decimal | None = Field(None, ge=0, le=100)


class StationVisitOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    kind: str
    visited_on: datetime.date
    supervisors: str
    items: str
    findings: str
    score: Decimal | None
