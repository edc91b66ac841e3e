from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from xieguan.core.api import Latitude, Longitude, Metres

ID_HELP = "client-made UUID; sending the same id again returns the existing record"


class ChecklistItemOut(Schema):
    id: int
    code: str
    text: str
    basis: str


class ChecklistOut(Schema):
    id: uuid.UUID
    county_id: uuid.UUID | None
    category: str
    subtype: str | None
    title: str
    version: int
    status: str
    items: list[ChecklistItemOut]


class AnswerIn(Schema):
    item_id: int
    result: Literal["conforms", "fails", "na", ""] = ""
    note: str = Field("", max_length=300)


class AnswerOut(Schema):
    item_id: int
    code: str
    text: str
    result: str
    note: str


class InspectionIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    unit_id: uuid.UUID
    started_at: datetime.datetime
    device_time: datetime.datetime | None = None
    inspector_ids: list[uuid.UUID] = Field(default_factory=list)
    place: str = Field("", max_length=200)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accuracy_m: Metres | None = None


class InspectionPatch(Schema):
    inspector_ids: list[uuid.UUID] | None = None
    place: str | None = Field(None, max_length=200)
    representative: str | None = Field(None, max_length=50)
    problems: str | None = Field(None, max_length=4000)
    overall_result: Literal["conforming", "rectify", "serious", ""] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accuracy_m: Metres | None = None
    answers: list[AnswerIn] | None = None


class InspectionOut(Schema):
    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    status: str
    version: int
    supersedes_id: uuid.UUID | None
    correction_reason: str
    checklist_id: uuid.UUID
    started_at: datetime.datetime
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    accuracy_m: float | None
    distance_m: float | None
    representative: str
    problems: str
    overall_result: str
    inspector_ids: list[uuid.UUID]
    answers: list[AnswerOut]
    photo_ids: list[uuid.UUID]
    signatures: list[dict]


class CorrectionIn(Schema):
    reason: str = Field(max_length=1000, json_schema_extra={"pattern": r"\S"})  # not blank (checked by the service)


class PhotoOut(Schema):
    id: uuid.UUID
    sha256: str
    width: int
    height: int
    taken_at: datetime.datetime | None


class OpinionIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    inspection_id: uuid.UUID
    text: str = Field(max_length=4000)
    deadline: datetime.date


class OpinionOut(Schema):
    id: uuid.UUID
    number: str
    inspection_id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    text: str
    deadline: datetime.date
    issued_at: datetime.datetime
    reinspected: bool


class ReinspectionIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    opinion_id: uuid.UUID
    inspected_at: datetime.datetime
    result: Literal["rectified", "partly", "not_rectified"]
    note: str = Field("", max_length=4000)
    inspector_ids: list[uuid.UUID] = Field(default_factory=list)


class ReinspectionOut(Schema):
    id: uuid.UUID
    opinion_id: uuid.UUID
    inspected_at: datetime.datetime
    result: str
    note: str
    inspector_ids: list[uuid.UUID]


class HandoverIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    reason: Literal["not_rectified", "refused", "serious"]
    description: str = Field("", max_length=4000)
    inspection_id: uuid.UUID | None = None
    reinspection_id: uuid.UUID | None = None


class HandoverOut(Schema):
    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    reason: str
    status: str
    description: str
    sent_at: datetime.datetime
    investigation: str
    outcome: str
    outcome_at: datetime.datetime | None


class OutcomeIn(Schema):
    investigation: str = Field("", max_length=8000)
    outcome: str = Field("", max_length=8000)


# ---------------------------------------------------------------- county settings, plans (issue 19 item 2)


class ChecklistNewIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    category: str = Field(max_length=30, description="a unit category code, e.g. food")
    subtype_id: int | None = Field(
        None, ge=1, le=2147483647, description="a national subtype or one of the caller's county"
    )


class ChecklistItemIn(Schema):
    code: str = Field(min_length=1, max_length=10)
    text: str = Field(min_length=1, max_length=300)
    basis: str = Field("", max_length=300)


class ChecklistItemsIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    photos_required: int | None = Field(None, ge=0, le=20)
    items: list[ChecklistItemIn] = Field(min_length=1, max_length=500)


class FrequencyRuleIn(Schema):
    category: str | None = Field(None, max_length=30, description="a unit category code; none: all categories")
    key_unit: bool | None = Field(None, description="true: key units, false: the others, none: all units")
    period: Literal["month", "quarter"]


class FrequencyRuleOut(Schema):
    id: uuid.UUID
    county_id: uuid.UUID
    category: str | None
    key_unit: bool | None
    period: str
    period_label: str


class PhraseIn(Schema):
    phrase: str = Field(min_length=1, max_length=50)


class PhraseOut(Schema):
    id: int
    phrase: str
    county_id: uuid.UUID | None = Field(description="none: the national list, which no county changes")


class PlanIn(Schema):
    id: uuid.UUID | None = Field(None, description=ID_HELP)
    township_id: uuid.UUID
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)


class PlanUnitIn(Schema):
    unit_id: uuid.UUID


class PlanItemOut(Schema):
    unit_id: uuid.UUID
    unit_name: str
    done: bool


class PlanOut(Schema):
    id: uuid.UUID
    township_id: uuid.UUID
    township_name: str
    year: int
    month: int
    items: list[PlanItemOut]
    done_count: int


class PlanSummaryOut(Schema):
    id: uuid.UUID
    township_id: uuid.UUID
    township_name: str
    year: int
    month: int
    unit_count: int


class CoverageOut(Schema):
    township_id: uuid.UUID | None
    township_name: str
    due: int
    done: int
    overdue: int
    rate: float | None = Field(
        description="巡查覆盖率 = units patrolled in their window ÷ units due; none when none due"  # i18n: data — the term glossed
    )


class UnitPatrolOut(Schema):
    unit_id: uuid.UUID
    unit_name: str
    frequency: str
    window_start: datetime.date
    window_end: datetime.date
    done_on: datetime.date | None
    state: Literal["done", "due", "overdue"]


class PatrolDueOut(Schema):
    start: datetime.date
    end: datetime.date
    coverage: list[CoverageOut]
    total: CoverageOut
    rows: list[UnitPatrolOut] = Field(description="at most 300 units, as the page shows")
    more_rows: int
