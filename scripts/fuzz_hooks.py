"""schemathesis hooks for scripts/fuzz_api.py (loaded through SCHEMATHESIS_HOOKS).

- The resumable upload's ``PATCH`` sends raw bytes as
  ``application/offset+octet-stream`` (tus); schemathesis is told how.
- The public complaint form needs a solved CAPTCHA. A person reads it from the
  image; the run signs its own with the server's key (the same ``SECRET_KEY``
  is in both environments), the way the server signs one, so a valid form can
  be accepted. Nothing is relaxed in the server for it.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import django
import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core import signing  # noqa: E402

from xieguan.complaints import guard  # noqa: E402

ANSWER = "FUZZ7"


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


@schemathesis.hook("map_case")
def real_body_ids(context: Any, case: Any) -> Any:
    """A field named in BODY_VALUES gets its real value where the case holds
    a value of the same JSON type there (a wrongly typed one, meant to be
    refused, is left as it is)."""
    wanted = BODY_VALUES.get(f"{case.operation.method.upper()} {case.operation.path}")
    if wanted and isinstance(case.body, dict):
        for name, value in wanted.items():
            if name in case.body and type(case.body[name]) is type(value):
                case.body[name] = value
    return case
