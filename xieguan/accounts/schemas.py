from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    otp: str | None = Field(
        default=None,
        max_length=20,
        description="For a person with two-step sign-in: the code the authenticator app shows (or a backup code).",
    )


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: datetime.datetime


class InstitutionRef(Schema):
    id: uuid.UUID
    name: str
    type: str


class MeOut(Schema):
    id: uuid.UUID
    username: str
    full_name: str
    roles: list[str]
    institution: InstitutionRef | None
    area_id: uuid.UUID | None
    area_name: str | None


class InstitutionOut(Schema):
    id: uuid.UUID
    name: str
    type: str
    type_label: str
    area_id: uuid.UUID
    area_name: str
    host: str
    phone: str
    address: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    responsible_supervisor_id: uuid.UUID | None


class InstitutionIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing record"
    )
    name: str = Field(max_length=100)
    type: str = Field(description="bureau, institute, station or info_point")
    area_id: uuid.UUID
    host: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    opened_on: datetime.date | None = None


class LockoutOut(Schema):
    id: uuid.UUID
    kind: str = Field(description="account: one user name from one address; address: every sign-in from it")
    kind_label: str
    username: str
    person_id: uuid.UUID | None
    person_name: str | None
    ip_address: str | None
    locked_at: datetime.datetime
    until: datetime.datetime
    released_at: datetime.datetime | None
