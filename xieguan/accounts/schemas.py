from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

# A password the rules accept (settings.AUTH_PASSWORD_VALIDATORS), a custom
# string format: JSON Schema cannot say "not a common password" nor "unlike
# the user's name". Generated as such by the fuzzing (scripts/fuzz_hooks.py).
NEW_PASSWORD_FORMAT = "new-password"  # noqa: S105 - a format's name, not a password
NEW_PASSWORD_RULES = (
    "the password rules apply: at least 10 characters (PASSWORD_MIN_LENGTH) and at most 256, of three kinds "  # noqa: S105
    "among lower-case, upper-case, digits and symbols, not all digits, not a common password, unlike the "
    "person's names"
)
# The format alone in the document, its length in the rules: a format's
# generator cannot be held to a stated length, so beside one the fuzzing's
# boundary cases would be lengths only ("", 256 zeros), never a password.
NewPassword = Annotated[
    str,
    Field(max_length=256),
    WithJsonSchema({"type": "string", "format": NEW_PASSWORD_FORMAT, "description": NEW_PASSWORD_RULES}),
]


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
    # Checked by the service (its messages in Chinese): a name not blank, one of the types.
    name: str = Field(max_length=100, json_schema_extra={"pattern": r"\S"})
    type: str = Field(
        description="bureau, institute, station or info_point",
        json_schema_extra={"enum": ["bureau", "institute", "station", "info_point"]},
    )
    area_id: uuid.UUID
    host: str = Field("", max_length=100)
    phone: str = Field("", max_length=30, json_schema_extra={"format": "phone"})  # a mobile or a landline; "" for none
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


# People, roles, transfers, API tokens (issue 19: what the pages do) ---------

RoleName = Literal[
    "system_admin", "county_leader", "supervisor", "comanager", "info_officer", "higher_readonly", "township_leader"
]
EducationName = Literal["", "postgraduate", "bachelor", "college", "secondary", "other"]


class RoleOut(Schema):
    code: str
    label: str
    institution_types: list[str] = Field(description="the institution types whose people may hold it")


class PersonOut(Schema):
    id: uuid.UUID
    username: str
    full_name: str
    is_active: bool
    roles: list[str]
    role_labels: list[str]
    institution_id: uuid.UUID | None
    institution_name: str | None
    area_id: uuid.UUID | None
    area_name: str | None
    phone: str
    email: str
    education: str
    major: str
    title: str
    is_full_time: bool
    appointed_on: datetime.date | None
    appointment_doc_no: str
    inspection_card_no: str
    health_status: str


class ProfileIn(Schema):
    full_name: str = Field(max_length=50, min_length=1)
    roles: list[RoleName] = Field(min_length=1)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    id_number: str = Field("", max_length=18)
    education: EducationName = ""
    major: str = Field("", max_length=50)
    title: str = Field("", max_length=50)
    is_full_time: bool = False
    appointed_on: datetime.date | None = None
    appointment_doc_no: str = Field("", max_length=50)
    inspection_card_no: str = Field("", max_length=50)
    health_status: str = Field("", max_length=50)


class PersonIn(ProfileIn):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing person"
    )
    username: str = Field(max_length=150, min_length=1)
    password: NewPassword
    institution_id: uuid.UUID


class PersonPatch(Schema):
    full_name: str | None = Field(None, max_length=50, min_length=1)
    roles: list[RoleName] | None = Field(None, min_length=1)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    id_number: str | None = Field(None, max_length=18)
    education: EducationName | None = None
    major: str | None = Field(None, max_length=50)
    title: str | None = Field(None, max_length=50)
    is_full_time: bool | None = None
    appointed_on: datetime.date | None = None
    appointment_doc_no: str | None = Field(None, max_length=50)
    inspection_card_no: str | None = Field(None, max_length=50)
    health_status: str | None = Field(None, max_length=50)


class PasswordResetIn(Schema):
    password: NewPassword


class ActiveIn(Schema):
    active: bool


class MoveIn(Schema):
    institution_id: uuid.UUID


class TransferIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again returns the existing request"
    )
    person_id: uuid.UUID
    to_institution_id: uuid.UUID
    reason: str = Field(max_length=500, min_length=1)


class TransferDecideIn(Schema):
    decision: Literal["approve", "refuse"]
    note: str = Field("", max_length=500, description="required when refusing")


class TransferOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    from_institution_id: uuid.UUID
    from_institution_name: str
    to_institution_id: uuid.UUID
    to_institution_name: str
    reason: str
    status: str
    status_label: str
    requested_by: str
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str


class InstitutionPatch(Schema):
    name: str | None = Field(None, max_length=100, min_length=1)
    host: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None


class SupervisorIn(Schema):
    supervisor_id: uuid.UUID | None = Field(description="the county supervisor responsible; null to clear")


class ApiTokenIn(Schema):
    id: uuid.UUID | None = Field(
        None, description="client-made UUID; sending the same id again answers 200 without the key"
    )


class ApiTokenOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    label: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str | None = Field(description="the key, shown this once (null on a retry with the same id)")


class PasswordChangeIn(Schema):
    old_password: str = Field(max_length=256)
    new_password: NewPassword


class TwoFactorOut(Schema):
    on: bool
    backup_codes_left: int


class TwoFactorStartOut(Schema):
    device_id: int = Field(description="send it back with the first code to POST /api/auth/two-factor/confirm")
    secret: str = Field(description="the key to type into the authenticator app (base32)")
    config_url: str = Field(description="the otpauth:// address a QR code carries")


class TwoFactorConfirmIn(Schema):
    device_id: int
    code: str = Field(max_length=20, description="the 6 digits the app shows now")


class TwoFactorCodeIn(Schema):
    code: str = Field(max_length=20, description="the 6 digits the app shows now, or a backup code")


class BackupCodesOut(Schema):
    backup_codes: list[str] = Field(description="shown this once; each works once")


class PersonDetailOut(PersonOut):
    two_factor: bool | None = Field(description="two-step sign-in on; null for those who do not manage people")
    transfers: list[TransferOut] = Field(description="the person's transfer requests, newest first")
