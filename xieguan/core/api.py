"""What every API router shares: Chinese error answers, keyset list
responses. The one NinjaAPI lives in config/api.py; its bearer-token
authentication in xieguan.accounts.api."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, WithJsonSchema

from xieguan.core.audit import audit_events_filtered, event_label, with_change_rows
from xieguan.core.display import join_clauses, join_phrases, labelled
from xieguan.core.errors import MissingFile, StateConflict
from xieguan.core.pagination import BadCursor, keyset_page
from xieguan.core.permissions import VIEW_AUDIT, require

logger = logging.getLogger(__name__)
T = TypeVar("T")


# A GPS fix as the document states it. Pydantic describes a Decimal as "a
# number, or any string", so a client (and the fuzzer) would send "" and be
# refused; these say "a number in range", which is what the services check.
Latitude = Annotated[Decimal, Field(ge=-90, le=90), WithJsonSchema({"type": "number", "minimum": -90, "maximum": 90})]
Longitude = Annotated[
    Decimal, Field(ge=-180, le=180), WithJsonSchema({"type": "number", "minimum": -180, "maximum": 180})
]
Metres = Annotated[float, Field(ge=0), WithJsonSchema({"type": "number", "minimum": 0})]

# Custom string formats for rules that move with the day, which JSON
# Schema's fixed bounds cannot state: named in the document (with the
# standard format they refine in the description), checked by the
# services, generated as such by the fuzzing (scripts/fuzz_hooks.py).
PAST_YEAR_TIME_FORMAT = "past-year-date-time"  # a date-time with its offset, in the last 366 days, not in the future
COMING_MONTH_DATE_FORMAT = "date-next-30-days"  # a date from today (Asia/Shanghai) to 30 days ahead


# A time of day on the county's clock. JSON Schema's "time" format asks for
# an offset (08:00:00+08:00); these are wall-clock times, written 08:00 or 08:00:00.
def _wall_clock(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise ValueError(_("Write a local time without a zone, e.g. 08:00."))
    return value


LocalTime = Annotated[
    datetime.time,
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "description": "HH:MM, local time"}
    ),
]


class LocalTimeJSONEncoder(NinjaJSONEncoder):
    """Every moment in ISO 8601 with the county's offset
    (``2026-12-06T02:14:41.123+08:00``), never UTC's ``Z``: the same instant,
    written as the county's clocks read it, so a client that shows the text
    as is shows the right day (issue 20 item 3)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    """The API's JSON, with moments in local time (``LocalTimeJSONEncoder``)."""

    encoder_class = LocalTimeJSONEncoder


class ErrorOut(Schema):
    detail: str
    fields: dict[str, list[str]] | None = None


# The answers of an operation that can fail every usual way, a conflict included.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class RateOut(Schema):
    """A rate as every figure shows it: numerator ÷ denominator."""

    numerator: int
    denominator: int
    percent: Decimal | None = Field(description="per cent to one decimal; none when nothing is counted")


class ConflictOut(ErrorOut):
    """A 409 on a retried create: the fields that differ and the record as
    the server holds it, so the phone can show both versions side by side."""

    server: dict[str, Any] | None = None


class ListOut(Schema, Generic[T]):
    items: list[T]
    next: str | None = None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def file_download(content_types: str | Iterable[str], description: str) -> dict[str, Any]:
    """The OpenAPI description of an operation answering a file of one
    content type or any of several (ninja cannot infer it): pass as
    ``openapi_extra=``, with the error statuses as ``response=``."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    types = [content_types] if isinstance(content_types, str) else content_types
    return {"responses": {200: {"description": description, "content": {t: binary for t in types}}}}


# Pydantic error types in plain Chinese (through gettext).
def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    messages = {
        "missing": _("is required"),
        "uuid_parsing": _("must be a UUID"),
        "uuid_type": _("must be a UUID"),
        "int_parsing": _("must be a whole number"),
        "int_type": _("must be a whole number"),
        "float_parsing": _("must be a number"),
        "bool_parsing": _("must be true or false"),
        "string_type": _("must be text"),
        "string_too_long": _("is too long"),
        "string_too_short": _("is too short"),
        "date_from_datetime_parsing": _("must be a date such as 2026-05-06"),
        "date_parsing": _("must be a date such as 2026-05-06"),
        "datetime_parsing": _("must be a time such as 2026-05-06T08:30:00+08:00"),
        "datetime_from_date_parsing": _("must be a time such as 2026-05-06T08:30:00+08:00"),
        "enum": _("is not one of the allowed values"),
        "literal_error": _("is not one of the allowed values"),
        "json_invalid": _("is not valid JSON"),
        "model_attributes_type": _("has the wrong form"),
        "dict_type": _("must be an object"),
        "list_type": _("must be a list"),
        "greater_than_equal": _("is too small"),
        "less_than_equal": _("is too large"),
    }
    return messages.get(kind, _("is not valid"))


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or _("request")


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error is JSON with a Chinese ``detail`` (the API contract)."""

    def json_error(
        request: HttpRequest, status: int, detail: str, fields: dict[str, list[str]] | None = None
    ) -> HttpResponse:
        body: dict[str, Any] = {"detail": detail}
        if fields:
            body["fields"] = fields
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(list(error.get("loc", []))), []).append(_pydantic_message(error))
        detail = join_clauses(labelled(name, join_phrases(msgs)) for name, msgs in fields.items())
        return json_error(request, 422, _("The request has errors: %(errors)s") % {"errors": detail}, fields)

    def validation_error(request: HttpRequest, exc: DjangoValidationError, status: int) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {name: [m for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
            detail = join_clauses(
                labelled(name, join_phrases(msgs)) if name != "__all__" else join_phrases(msgs)
                for name, msgs in fields.items()
            )
            return json_error(request, status, detail, fields)
        return json_error(request, status, join_clauses(exc.messages))

    @api.exception_handler(DjangoValidationError)
    def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return validation_error(request, exc, 422)

    @api.exception_handler(StateConflict)
    def on_state_conflict(request: HttpRequest, exc: StateConflict) -> HttpResponse:
        return validation_error(request, exc, 409)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        if isinstance(exc, MissingFile):
            return json_error(request, 404, str(exc))
        return json_error(request, 404, _("Not found, or outside your area."))

    @api.exception_handler(PermissionDenied)
    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return json_error(request, 403, str(exc) or _("Your role does not allow this."))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return json_error(
            request, 401, _("Sign in first: send Authorization: Bearer <token> from POST /api/auth/token.")
        )

    @api.exception_handler(BadCursor)
    def on_bad_cursor(request: HttpRequest, exc: BadCursor) -> HttpResponse:
        return json_error(request, 422, _("The 'after' cursor is not one this list gave out."))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return json_error(request, 400, _("The request body is not valid JSON."))
        return json_error(request, exc.status_code, str(exc))

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # A body Django cannot split (no boundary, a broken part) is the
        # client's mistake, as the pages already answer (400.html).
        return json_error(
            request, 400, _("The uploaded form data could not be read; send it again as multipart/form-data.")
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return json_error(request, 413, _("The request is too large."))

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return json_error(request, 400, _("The request could not be understood."))

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path, exc_info=exc)
        return json_error(request, 500, _("Something went wrong on the server; it has been recorded. Try again later."))


# The audit log (SPEC §12), for those allowed to read it ---------------------

audit_router = Router(tags=["audit-log"])


class AuditChangeOut(Schema):
    field: str = Field(description="the changed field as people read it")
    before: str
    after: str


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    actor_username: str
    ip: str | None
    action: str = Field(description="the event code, such as unit.merge")
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    changes: list[AuditChangeOut]
    note: str


_SINCE = Query(None, description="from this local day")
_UNTIL = Query(None, description="to this local day")


@audit_router.get(
    "", response={200: ListOut[AuditEventOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
)
def audit_log(
    request: HttpRequest,
    q: str | None = Query(None, max_length=100, description="a user name or record text"),
    action: str | None = Query(None, max_length=64, description="an event code"),
    since: datetime.date | None = _SINCE,
    until: datetime.date | None = _UNTIL,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The audit log of the caller's area, newest first, with the filters of
    the 操作日志 page; the same permission as the page (403 otherwise). Page
    on with ``after``."""
    require(request.user, VIEW_AUDIT)
    events = audit_events_filtered(request.user, q=q or "", action=action or "", since=since, until=until)
    page = keyset_page(events, ordering=["-id"], cursor=after, size=limit)
    with_change_rows(page.items)
    items = [
        {
            "id": e.pk,
            "at": e.at,
            "actor_username": e.actor_username,
            "ip": e.ip,
            "action": e.action,
            "action_label": str(event_label(e.action)),
            "object_type": e.object_type,
            "object_id": e.object_id,
            "object_repr": e.object_repr,
            "changes": [{"field": str(f), "before": str(b), "after": str(a)} for f, b, a in e.change_rows],
            "note": e.note,
        }
        for e in page.items
    ]
    return {"items": items, "next": page.next_cursor}
