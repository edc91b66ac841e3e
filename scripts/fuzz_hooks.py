"""schemathesis hooks for scripts/fuzz_api.py (loaded through SCHEMATHESIS_HOOKS).

- The resumable upload's ``PATCH`` sends raw bytes as
  ``application/offset+octet-stream`` (tus); schemathesis is told how.
- The public complaint form needs a solved CAPTCHA. A person reads it from the
  image; the run signs its own with the server's key (the same ``SECRET_KEY``
  is in both environments), the way the server signs one, so a valid form can
  be accepted. Nothing is relaxed in the server for it.
- The client ``id`` of the creates in FRESH_ID_OPERATIONS is a fresh UUID
  in every case, not one read in an earlier answer (a retry, 404 when that
  record is another area's).
- A photo (a multipart ``image``) must be a real JPEG or PNG whose bytes the
  server decodes; a generator's bytes never are. Every case that sends one
  sends a small real JPEG instead. And a form cannot carry JSON's null: a
  client leaves such a field out, so a multipart case does too.
"""

from __future__ import annotations

import base64
import datetime
import os
import secrets
import string
import sys
import uuid
from pathlib import Path
from typing import Any

import django
import schemathesis
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core import signing  # noqa: E402

from xieguan.accounts.schemas import NEW_PASSWORD_FORMAT  # noqa: E402
from xieguan.complaints import guard  # noqa: E402
from xieguan.core.api import COMING_MONTH_DATE_FORMAT, PAST_YEAR_TIME_FORMAT  # noqa: E402
from xieguan.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_character  # noqa: E402
from xieguan.risk.schemas import BACKTEST_CUT_OFF_FORMAT  # noqa: E402

ANSWER = "FUZZ7"

# Custom string formats of the request schemas: rules JSON Schema cannot
# state (a check character, the forms of a phone number), stated by name in
# the schema and generated here as values the server's own checks accept.


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


schemathesis.openapi.format(
    "credit-code",
    st.just("") | st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17).map(_credit_code),
)
schemathesis.openapi.format(
    "phone", st.just("") | st.from_regex(r"\A1[3-9][0-9]{9}\Z") | st.from_regex(r"\A0[0-9]{2,3}-?[0-9]{7,8}\Z")
)
schemathesis.openapi.format(
    "http-url", st.from_regex(r"\Ahttps?://[a-z][a-z0-9]{1,15}\.example\.cn(/[a-z0-9]{1,12}){0,3}\Z")
)


# A password the rules accept (xieguan.accounts.schemas.NEW_PASSWORD_FORMAT):
# lower-case, upper-case, digits and a symbol, 11 characters or more, in a
# random order (nothing common, nothing like a person's name).
def _password(parts: tuple[str, str, str, str], order: list[int]) -> str:
    characters = "".join(parts)
    return "".join(characters[i] for i in order)


schemathesis.openapi.format(
    NEW_PASSWORD_FORMAT,
    st.tuples(
        st.text(alphabet=string.ascii_lowercase, min_size=6, max_size=10),
        st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=4),
        st.text(alphabet=string.digits, min_size=2, max_size=4),
        st.text(alphabet="!#%&*+-=?@^_~", min_size=1, max_size=2),
    ).flatmap(lambda parts: st.permutations(range(sum(map(len, parts)))).map(lambda order: _password(parts, order))),
)


# Rules that move with the day (xieguan.core.api's formats), generated from
# the server's own today (Asia/Shanghai) when a case is made.
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _today() -> datetime.date:
    return datetime.datetime.now(SHANGHAI).date()


schemathesis.openapi.format(
    PAST_YEAR_TIME_FORMAT,
    st.integers(min_value=60, max_value=365 * 24 * 3600).map(
        lambda seconds: (datetime.datetime.now(SHANGHAI) - datetime.timedelta(seconds=seconds)).isoformat(
            timespec="seconds"
        )
    ),
)
schemathesis.openapi.format(
    COMING_MONTH_DATE_FORMAT,
    st.integers(min_value=0, max_value=30).map(lambda days: (_today() + datetime.timedelta(days=days)).isoformat()),
)


# A year or more back (any months from 1 to 12 have then passed), from 2000 on.
schemathesis.openapi.format(
    BACKTEST_CUT_OFF_FORMAT,
    st.integers(min_value=366, max_value=(_today() - datetime.date(2000, 1, 1)).days).map(
        lambda days: (_today() - datetime.timedelta(days=days)).isoformat()
    ),
)


def _small_jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 200)).save(out, "JPEG")
    return out.getvalue()


JPEG = _small_jpeg()
PHOTO_FIELDS = {"image"}  # the multipart file fields that take a photo


@schemathesis.hook("map_case")
def real_photo(context: Any, case: Any) -> Any:
    """A multipart case: its photo a real JPEG, its null fields left out."""
    if case.media_type != "multipart/form-data" or not isinstance(case.body, dict):
        return case
    for name in [k for k, v in case.body.items() if v is None]:
        del case.body[name]
    for name in PHOTO_FIELDS & case.body.keys():
        if isinstance(case.body[name], (bytes, str)):
            case.body[name] = JPEG
    return case


@schemathesis.serializer("application/offset+octet-stream")
def raw_bytes(ctx: Any, value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    return str(value).encode()


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    body = case.body
    if case.operation.path != "/api/public/complaints" or not isinstance(body, dict):
        return case
    if isinstance(body.get("captcha_token"), str) and isinstance(body.get("captcha_answer"), str):
        token = signing.dumps({"n": secrets.token_hex(8), "h": guard._digest(ANSWER)}, salt=guard._SALT, compress=True)
        body["captcha_token"], body["captcha_answer"] = token, ANSWER
    return case


def _body_values() -> dict[str, dict[str, Any]]:
    """{"METHOD /path": {field: value}}: real ids for request bodies, written
    by fuzz_api.py for the user of the run (FIELD_RECIPES' "body." entries).
    Schemathesis's own ``parameters`` reach a body in the fuzzing phase only;
    this puts them in the coverage phase's cases too."""
    path = os.environ.get("FUZZ_BODY_VALUES")
    if not path or not Path(path).is_file():
        return {}
    import json

    return json.loads(Path(path).read_text(encoding="utf-8"))


BODY_VALUES = _body_values()


def _workbook(rows: list[list[Any]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@schemathesis.hook("map_case")
def real_body_ids(context: Any, case: Any) -> Any:
    """A field named in BODY_VALUES gets its real value where the case holds
    a value of the same JSON type there (a wrongly typed one, meant to be
    refused, is left as it is)."""
    wanted = BODY_VALUES.get(f"{case.operation.method.upper()} {case.operation.path}")
    if wanted and isinstance(case.body, dict):
        for name, value in wanted.items():
            if isinstance(value, dict) and set(value) & {"xlsx", "base64"}:
                # A file that must be a workbook of real rows (the areas'
                # codes and names, their populations) or one the server gave
                # out (an import template): generated bytes never are.
                if isinstance(case.body.get(name), (bytes, str)):
                    case.body[name] = _workbook(value["xlsx"]) if "xlsx" in value else base64.b64decode(value["base64"])
                continue
            if isinstance(value, dict) and set(value) == {"by", "values"}:
                # A value that depends on another field of the case (an
                # upload's record on its target): none for a value it lacks.
                value = value["values"].get(case.body.get(value["by"]))
                if value is None:
                    continue
            if name in case.body and type(case.body[name]) is type(value):
                case.body[name] = value
    return case


# The creates whose client ``id`` is a fresh UUID in every case. Schemathesis
# fills a create's ``id`` with one it read in an earlier answer (a stateful
# link, or the fuzzing phase's pool of captured ids): sent again, that is the
# retry of a create, answered with the record held under that id, and 404
# when the record is outside the user's area (the demo's ids are random, so
# it was in some runs of the first two; an upload's id sent again with
# another file, or a channel's id taken by a channel of another kind, is
# refused, 422). Other creates still get read ids: many
# are accepted only as such retries (200) while a new record of theirs is
# refused, which fresh ids would show as warnings to resolve one by one.
FRESH_ID_OPERATIONS = {
    "POST /api/assessments",
    "POST /api/campaigns",
    "POST /api/uploads",
    "POST /api/reminder-channels",
}


def _dates_in_order(case: Any) -> None:
    """A body's ``starts_on`` and ``ends_on`` (a campaign's, an
    assessment's), both dates, in order: the end not before the start is a
    rule JSON Schema cannot state, and half the generated pairs broke it."""
    body = case.body
    if not isinstance(body, dict):
        return
    start, end = body.get("starts_on"), body.get("ends_on")
    if isinstance(start, str) and isinstance(end, str):
        try:
            in_order = datetime.date.fromisoformat(start) <= datetime.date.fromisoformat(end)
        except ValueError:
            return
        if not in_order:
            body["starts_on"], body["ends_on"] = end, start


@schemathesis.hook("before_call")
def fresh_client_id_and_real_ids(context: Any, case: Any, kwargs: Any) -> None:
    """Just before a request is sent, after the stateful phase has put in it
    values read from earlier answers (links): the fields of BODY_VALUES get
    the user's own records again (a link may bring another area's), and the
    client ``id`` of a create in FRESH_ID_OPERATIONS becomes a fresh UUID
    (one that is no UUID, meant to be refused, is left as it is)."""
    real_body_ids(context, case)
    _dates_in_order(case)
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    if operation not in FRESH_ID_OPERATIONS or not isinstance(case.body, dict):
        return
    value = case.body.get("id")
    if isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            return
        case.body["id"] = str(uuid.uuid4())
