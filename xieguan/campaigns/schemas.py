from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema


class CampaignIn(Schema):
    id: uuid.UUID | None = Field(None, description="client-made UUID; sending it again answers the same campaign")
    area_id: uuid.UUID = Field(description="the county (the institute's campaign) or a township (its own)")
    name: str = Field(max_length=100, json_schema_extra={"pattern": r"\S"})  # not blank (checked by the service)
    basis: str = Field("", max_length=200, description="the basis document's number and title")
    starts_on: datetime.date
    ends_on: datetime.date
    category: str | None = Field(None, description="unit category code (e.g. public_place); none: every category")
    subtype_ids: list[int] = Field(default_factory=list)
    template_id: uuid.UUID | None = Field(None, description="a published checklist")
    assignee_ids: list[uuid.UUID] = Field(default_factory=list)
    all_units: bool = Field(False, description="make every matching unit in the area a target")


class CampaignOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    area_name: str
    name: str
    basis: str
    starts_on: datetime.date
    ends_on: datetime.date
    category: str | None
    targets: int = Field(description="targets the caller sees")
    done: int = Field(description="of which inspected (record submitted)")
    closed: bool


class TargetOut(Schema):
    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    area_id: uuid.UUID
    area_name: str
    source: Literal["filter", "hand", "draw"]
    draw_id: uuid.UUID | None
    inspector_ids: list[uuid.UUID]
    inspection_id: uuid.UUID | None
    done: bool


# A share in per cent is a number on the wire (a bare Decimal is documented
# as "number or any string", and most strings are refused).
Share = Annotated[Decimal, WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 100})]


class DrawIn(Schema):
    id: uuid.UUID | None = Field(None, description="client-made UUID; sending it again answers the same draw")
    campaign_id: uuid.UUID | None = Field(None, description="the campaign whose targets the picks become")
    area_id: uuid.UUID | None = Field(None, description="without a campaign: the area drawn from")
    title: str = ""
    category: str | None = Field(None, description="filter: unit category code")
    township_ids: list[uuid.UUID] = Field(default_factory=list, description="filter: townships (none: the whole area)")
    risk_grades: list[Literal["low", "medium", "high"]] = Field(default_factory=list, description="filter")
    count: int | None = Field(None, ge=1, description="units to draw; or ratio")
    ratio: Share | None = Field(None, gt=0, le=100, description="per cent of the pool, rounded up")
    grade_ratios: dict[Literal["low", "medium", "high"], Share] = Field(
        default_factory=dict, description="per cent by risk grade"
    )
    inspectors_per_target: int = Field(2, ge=2, le=5)
    replaces_id: uuid.UUID | None = Field(None, description="a redraw: the draw it replaces (that draw stays)")
    reason: str = Field("", description="why a redraw was made (required with replaces_id)")


class PickOut(Schema):
    unit_id: uuid.UUID
    inspector_ids: list[uuid.UUID]


class DrawOut(Schema):
    id: uuid.UUID
    campaign_id: uuid.UUID | None
    area_id: uuid.UUID
    title: str
    drawn_at: datetime.datetime
    seed: str = Field(description="32 random bytes in hex")
    pool: list[uuid.UUID] = Field(description="ids of the units that matched the filter at the draw")
    inspector_pool: list[uuid.UUID] = Field(description="ids of the people who could be drawn")
    count: int
    picks: list[PickOut] = Field(description="in draw order")
    replaces_id: uuid.UUID | None
    reason: str
    results_due: datetime.date | None
    published_at: datetime.datetime | None
    algorithm: str


class PublicDrawOut(Schema):
    id: uuid.UUID
    title: str
    drawn_at: datetime.datetime
    seed: str
    pool: list[uuid.UUID]
    count: int
    picks: list[uuid.UUID] = Field(description="the picked unit ids, in draw order")
    replaces: uuid.UUID | None
    reason: str
    results_published: bool
    results_due: datetime.date | None = Field(description="the day the county must publish the results by")
    results_published_on: datetime.date | None = Field(description="the day the results were published")
    results_state: Literal["on_time", "late", "overdue", "pending", "none"] = Field(
        description="on_time: published by results_due; late: published after it; overdue: not published and "
        "results_due has passed; pending: not published, results_due still to come; none: no deadline"
    )
    algorithm: str


class TargetsAddIn(Schema):
    township_id: uuid.UUID | None = Field(
        None, description="every unit of the campaign's categories in this township (of the campaign's area)"
    )
    unit_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=500, description="units added by hand (in the campaign's area)"
    )


class TargetRecordIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID of the inspection record; sending it again answers the same record"
    )


class RedrawIn(Schema):
    id: uuid.UUID | None = Field(None, description="client-made UUID; sending it again answers the same draw")
    reason: str = Field(min_length=1, max_length=2000, description="why the draw is made again (required)")


class CampaignSummaryIn(Schema):
    summary: str = Field("", max_length=20000, description="the closing summary's prose")
    close: bool = Field(False, description="also close the campaign")


class DrawSettingsIn(Schema):
    comanagers_drawn: bool = Field(description="co-managers may be drawn as inspectors")
    results_days: int = Field(ge=1, le=120, description="working days from a draw to its published results")


class DrawSettingsOut(Schema):
    county_id: uuid.UUID
    county_name: str
    comanagers_drawn: bool
    results_days: int


class PublicResultOut(Schema):
    unit_id: uuid.UUID
    unit: str = Field(description="the unit's name")
    township: str
    result: str = Field(description="the inspection's overall result; empty while not inspected")
    inspected_on: datetime.date | None = Field(description="the day of the inspection the result comes from")


class PublicDrawPageItem(PublicDrawOut):
    results: list[PublicResultOut] = Field(description="the picks' results, once the county published them")


class PublicDrawPage(Schema):
    items: list[PublicDrawPageItem]
    next_cursor: str | None = Field(description="send as ``after`` for the next page; none on the last")


class DrawConflictIn(Schema):
    id: uuid.UUID | None = Field(None, description="client-made UUID; sending it again answers the same declaration")
    unit_id: uuid.UUID
    inspector_id: uuid.UUID = Field(
        description="the person never drawn for the unit (yourself, or for the institute anyone of its county)"
    )
    reason: str


class DrawConflictOut(Schema):
    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    inspector_id: uuid.UUID
    inspector_name: str
    reason: str
    created_at: datetime.datetime


class MaterialOut(Schema):
    id: uuid.UUID
    campaign_id: uuid.UUID
    title: str
    file_name: str
    is_image: bool
    created_at: datetime.datetime


class CampaignChecklistItemIn(Schema):
    # Checked by the service (its messages in Chinese): not blank.
    code: str = Field(
        description="the item's number on the checklist, unique in it", json_schema_extra={"pattern": r"\S"}
    )
    text: str = Field(description="what is checked", json_schema_extra={"pattern": r"\S"})
    basis: str = Field("", description="the legal basis")


class CampaignChecklistIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID of the draft version; sending it again answers the same version"
    )
    title: str = Field(json_schema_extra={"pattern": r"\S", "maxLength": 100})  # checked by the service: not blank
    items: list[CampaignChecklistItemIn] = Field(
        max_length=300, description="the items, in the order they are checked", json_schema_extra={"minItems": 1}
    )
    publish: bool = Field(False, description="publish the version at once: the campaign then uses it")


class CampaignChecklistItemOut(Schema):
    code: str
    text: str
    basis: str
    order: int


class CampaignChecklistVersionOut(Schema):
    id: uuid.UUID
    title: str
    version: int
    status: Literal["draft", "published"]
    published_at: datetime.datetime | None
    items: list[CampaignChecklistItemOut]


class CampaignChecklistOut(Schema):
    campaign_id: uuid.UUID
    template_id: uuid.UUID | None = Field(description="the checklist the campaign's visits use; none: the category's")
    can_edit: bool = Field(description="whether the caller may write the campaign's own checklist")
    versions: list[CampaignChecklistVersionOut] = Field(description="the campaign's own checklist, newest first")
