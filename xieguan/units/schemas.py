from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from xieguan.core.api import Latitude, Longitude

# Custom string formats (OpenAPI allows any name): the rules the service
# checks that JSON Schema cannot state. A client that does not know a format
# ignores it; scripts/fuzz_hooks.py generates values of each.
CREDIT_CODE_FORMAT = "credit-code"  # GB 32100: 18 characters, the last a check character over the others
PHONE_FORMAT = "phone"  # a Chinese mobile number or a landline with its area code (core.validators.validate_phone)
# The unit fields a merge can take from the merged unit (services.MERGE_FIELDS: every field but the category).
MERGE_FIELD_NAMES = (
    "name", "credit_code", "legal_representative", "phone", "address", "latitude", "longitude", "area",
    "subtype", "status", "opened_on", "closed_on", "is_key_unit", "risk_grade", "hygiene_grade",
)  # fmt: skip
PHONE_DESCRIPTION = "an 11-digit mobile number or a landline with its area code (0931-8812345); empty for none"


class LicenceOut(Schema):
    id: uuid.UUID
    kind: str
    number: str
    issuer: str
    issued_on: datetime.date | None
    expires_on: datetime.date | None
    scope: str


class LicenceIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    kind: str = Field(
        max_length=50,
        description="e.g. 卫生许可证, 医疗机构执业许可证",  # i18n: data — licence names as written
        json_schema_extra={"pattern": r"\S"},  # not blank (checked by the service)
    )
    number: str = Field(max_length=60, json_schema_extra={"pattern": r"\S"})
    issuer: str = Field("", max_length=100)
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = Field(None, description="not before issued_on")
    scope: str = Field("", max_length=200)


class CertificateOut(Schema):
    id: uuid.UUID
    person_name: str
    kind: str = Field(
        description="health_certificate (健康证) or training_certificate (卫生知识培训合格证)"  # i18n: data — the domain term glossed
    )
    kind_label: str
    number: str
    expires_on: datetime.date | None


class CertificateIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    person_name: str = Field(max_length=50)
    kind: str = Field(
        json_schema_extra={
            "enum": ["health_certificate", "training_certificate"]
        },  # checked by the service, in Chinese
        description="health_certificate (健康证) or training_certificate (卫生知识培训合格证)",  # i18n: data — the domain term glossed
    )
    number: str = Field("", max_length=60)
    expires_on: datetime.date | None = None


class LicenceDueOut(LicenceOut):
    unit_id: uuid.UUID
    unit_name: str
    area_name: str


class CertificateDueOut(CertificateOut):
    unit_id: uuid.UUID
    unit_name: str
    area_name: str


class UnitOut(Schema):
    id: uuid.UUID
    name: str
    name_initials: str
    credit_code: str | None
    legal_representative: str
    phone: str
    address: str
    latitude: decimal.Decimal | None
    longitude: decimal.Decimal | None
    area_id: uuid.UUID
    area_name: str
    category: str
    category_name: str
    subtype_id: int | None
    subtype_name: str | None
    status: str
    status_label: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    is_key_unit: bool
    risk_grade: str
    hygiene_grade: str
    extra: dict[str, Any]
    is_complete: bool


class CategoryFieldOut(Schema):
    id: int
    key: str = Field(description="the name of the value in a unit's ``extra``")
    label: str
    kind: str = Field(description="text, int (whole number), decimal, bool (yes / no), date or choice")
    choices: list[str] = Field(description="the allowed values of a choice field; empty for other kinds")
    required: bool = Field(description="needed for a complete file (建档完整)")  # i18n: data — the domain term glossed
    county_id: uuid.UUID | None = Field(description="null for a national field; else the county that added it")
    is_active: bool = Field(description="false once its county switched it off")


class SubtypeOut(Schema):
    id: int
    name: str
    county_id: uuid.UUID | None = Field(description="null for a national subtype; else the county that added it")
    is_active: bool = Field(description="false once its county switched it off")


class UnitCategoryOut(Schema):
    code: str
    name: str
    subtypes: list[SubtypeOut]
    fields: list[CategoryFieldOut]


class UnitCategoriesOut(Schema):
    county_id: uuid.UUID
    county_name: str
    categories: list[UnitCategoryOut]


class SubtypeIn(Schema):
    county_id: uuid.UUID | None = Field(None, description="the county it is for; the caller's own if not given")
    name: str = Field(max_length=50)


class CategoryFieldIn(Schema):
    county_id: uuid.UUID | None = Field(None, description="the county it is for; the caller's own if not given")
    label: str = Field(max_length=50, description="as the unit form and the import template show it")
    kind: str = Field("text", description="text, int, decimal, bool, date or choice")
    choices: list[str] = Field(default_factory=list, description="for a choice field: at least two")
    required: bool = Field(
        False,
        description="needed for a complete file (建档完整)",  # i18n: data — the domain term glossed
    )
    key: str = Field(
        "",
        max_length=40,
        description="the name of its value in a unit's ``extra``: lower-case letters, digits and _; "
        "made from the label's pinyin if not given",
    )


class UnitDetailOut(UnitOut):
    missing_fields: list[str]
    fields: list[CategoryFieldOut] = Field(
        description="the fields the unit's category has in the unit's county: the national ones and the county's own"
    )
    licences: list[LicenceOut]
    certificates: list[CertificateOut]


class UnitIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    name: str = Field(max_length=200, json_schema_extra={"pattern": r"\S"})  # not blank (checked by the service)
    credit_code: str | None = Field(
        None,
        max_length=40,
        description="统一社会信用代码, 18 characters (GB 32100) whose last is the check character; "  # i18n: data — the domain term glossed
        "empty or null for none",
        json_schema_extra={"format": CREDIT_CODE_FORMAT},
    )
    legal_representative: str = Field("", max_length=50)
    phone: str = Field("", max_length=30, description=PHONE_DESCRIPTION, json_schema_extra={"format": PHONE_FORMAT})
    address: str = Field("", max_length=200)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    area_id: uuid.UUID = Field(description="a village or township in the caller's area")
    category: str = Field(description="category code, e.g. food, public_place")
    subtype_id: int | None = None
    status: Literal["open", "suspended", "closed"] = "open"
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    is_key_unit: bool = False
    risk_grade: Literal["", "low", "medium", "high"] = ""
    hygiene_grade: Literal["", "A", "B", "C"] = ""
    extra: dict[str, Any] = Field(default_factory=dict, description="category fields by key")


class UnitPatch(Schema):
    """The fields sent change; those left out keep their values. A unit always
    has a name, an area, a category and a status: those four may be left out
    but not sent as null."""

    name: str = Field(None, max_length=200, json_schema_extra={"pattern": r"\S"})  # type: ignore[assignment]  # optional, not nullable
    credit_code: str | None = Field(None, max_length=40, json_schema_extra={"format": CREDIT_CODE_FORMAT})
    legal_representative: str | None = Field(None, max_length=50)
    phone: str | None = Field(
        None, max_length=30, description=PHONE_DESCRIPTION, json_schema_extra={"format": PHONE_FORMAT}
    )
    address: str | None = Field(None, max_length=200)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    area_id: uuid.UUID = None  # type: ignore[assignment]
    category: str = None  # type: ignore[assignment]
    subtype_id: int | None = None
    status: Literal["open", "suspended", "closed"] = None  # type: ignore[assignment]
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    is_key_unit: bool | None = None
    risk_grade: Literal["", "low", "medium", "high"] | None = None
    hygiene_grade: Literal["", "A", "B", "C"] | None = None
    extra: dict[str, Any] | None = None


# Import batches, possible duplicates, merging, 建档率 (issue 19: what the pages do)


class ImportBatchOut(Schema):
    id: uuid.UUID
    category: str
    category_name: str
    original_name: str
    status: str = Field(description="parsing, ready, failed, importing, imported or cancelled")
    status_label: str
    done: int = Field(description="rows checked or imported so far")
    total: int
    percent: int
    is_running: bool = Field(description="still being checked or imported: ask again for the progress")
    message: str
    created_count: int
    incomplete_count: int
    created_by: str
    created_at: datetime.datetime
    imported_at: datetime.datetime | None


class ImportBatchDetailOut(ImportBatchOut):
    errors: list[dict[str, Any]] = Field(description="[{row, column, reason}] with the sheet's own headers")
    duplicates: list[dict[str, Any]] = Field(description="[{row, name, reason, unit_id?, other_row?}]")
    preview: dict[str, Any] = Field(description="{columns: [...], rows: [[row, value, ...]]}: the first rows as read")


class DuplicatePairOut(Schema):
    first: UnitOut
    second: UnitOut
    reason: str = Field(description="credit_code: the same credit code; name: a similar name nearby")
    reason_label: str


class UnitMergeIn(Schema):
    merged_id: uuid.UUID = Field(description="the duplicate that is merged into this unit and leaves the lists")
    take_from_merged: list[str] = Field(
        default_factory=list,
        description="fields (a unit field or extra.<key>) that take the merged unit's value; the others keep this one's",
        json_schema_extra={
            "items": {
                "anyOf": [{"enum": list(MERGE_FIELD_NAMES)}, {"type": "string", "pattern": r"^extra\.[a-z0-9_]+$"}]
            }
        },
    )


class FilingRateOut(Schema):
    township_id: uuid.UUID
    township_name: str
    units: int = Field(description="units existing (not closed)")
    complete: int = Field(description="of which with a complete file")
    rate: float | None = Field(description="complete ÷ units; null when the township has none")
