"""Fuzz the whole API from its own OpenAPI document (issue 19 item 1).

Builds the demo county in a database of its own (``load_demo``), serves it,
and runs schemathesis over every operation of ``/api/openapi.json`` as a
township co-manager (``cg1``) and as the county (``bureau``): the coverage,
fuzzing and stateful phases, with the checks not_a_server_error,
response_schema_conformance, status_code_conformance and
content_type_conformance. Every warning fails the run too, above all "only
404" (no real ids) and "mostly rejected generated data" (a request schema that
does not say what the code checks).

Real ids: before each user's run, every path parameter is given the id of a
record that user can see, found generically from the document: the list
operation at the path's prefix (``GET /api/units`` for
``/api/units/{unit_id}``) is read as that user, and its first item's
``<parameter>`` (``code``, ``receipt``) or ``id`` is the value; a DELETE takes
the second item so the others keep theirs. Parameters without such a list are
in ``RECIPES`` below (a query on the demo data, or a record made through the
API). A parameter that neither finds stops the run with its name, so a new
endpoint cannot slip through untried.

    python scripts/fuzz_api.py --coverage quick    # the CI run: fixed seed, few examples
    python scripts/fuzz_api.py --max-examples 100 --seed random   # make fuzz

The exit code is schemathesis's: 0 only when both users' runs found nothing.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "Xieguan@2026"
USERS = ("cg1", "bureau")
LOCKED = "cg2"  # locked out before the runs, for the lockout operations
SIGNS_IN = "cun1"  # POST /api/auth/token is fuzzed with this user's name and password
# POST /api/auth/password is fuzzed, in each user's run, as an account of its
# own with its current password: a change revokes every token of the account,
# which would sign the run itself out (demo people, none of the logins above).
PASSWORD_ACCOUNTS = {"cg1": "cun07", "bureau": "cun08"}
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
PHASES = "coverage,fuzzing,stateful"


# ---------------------------------------------------------------- the database


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def _psql(url: str, sql: str) -> None:
    import psycopg

    admin, _name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _exists(url: str, name: str) -> bool:
    import psycopg

    admin, _name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare_database(url: str, env: dict[str, str], *, reuse: bool) -> None:
    """A fresh copy of the demo county in ``url``, its uploaded files in the
    run's own folder. The demo is built once into ``<name>_demo`` (its files
    under var/fuzz/<name>_demo) and copied (PostgreSQL's TEMPLATE), so
    ``--reuse-demo`` starts in seconds; without it the demo is built anew."""
    _admin, name = _admin_url(url)
    template = f"{name}_demo"
    kept = ROOT / "var" / "fuzz" / template
    if not reuse or not _exists(url, template) or not (kept / "media").is_dir():
        _psql(url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        _psql(url, f'CREATE DATABASE "{template}"')
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir(parents=True)
        build = {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + template, "XIEGUAN_VAR_DIR": str(kept)}
        build.pop("MEDIA_ROOT", None)
        t = time.monotonic()
        _manage(build, "migrate", "--noinput", "-v0")
        _manage(build, "load_demo")
        print(f"demo county built in {time.monotonic() - t:.0f} s", flush=True)
    _psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    # The copy's records name the demo's files: a run without them answers
    # 404 for every download (a basis, a document's file), and changes its
    # own copy only.
    shutil.copytree(kept / "media", Path(env["XIEGUAN_VAR_DIR"]) / "media", dirs_exist_ok=True)


# ---------------------------------------------------------------- HTTP


def call(base: str, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def token_for(base: str, username: str) -> str:
    status, body = call(base, "POST", "/api/auth/token", body={"username": username, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"could not sign in as {username}: {status} {body}")
    return body["token"]


def wait_for(base: str, server: subprocess.Popen[bytes], *, within: float = 300) -> None:
    """Until the server answers with its document. Building the document
    takes seconds, tens of them on a busy machine, so one try may take a
    minute; the whole wait is bounded by ``within``."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            urllib.request.urlopen(base + "/api/openapi.json", timeout=60).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer in {within:.0f} s")


# ---------------------------------------------------------------- real ids

# Path parameters no list operation gives: how to find a real one as the
# user. Each gets (base, token, path) and returns a value or None.


def _receipt(base: str, token: str, path: str) -> Any:
    """A complaint's receipt code, from the staff list (the public side has no list)."""
    status, body = call(base, "GET", "/api/complaints", token)
    records = _records(body) if status == 200 else []
    return records[0].get("receipt") if records else None


def _locked_sign_in(base: str, token: str, path: str) -> Any:
    """A sign-in lock to release: made by five wrong passwords for ``LOCKED``
    (not one of the fuzzing users) before the runs, listed for those who may
    see it."""
    status, body = call(base, "GET", "/api/lockouts", token)
    items = _records(body) if status == 200 else []
    return items[0]["id"] if items else None


def _document_version(base: str, token: str, path: str) -> Any:
    """The current version of a document the user sees (the demo keeps a unit's PDF)."""
    status, body = call(base, "GET", "/api/documents", token)
    for document in _records(body) if status == 200 else []:
        current = document.get("current") or {}
        if current.get("id"):
            return current["id"]
    return None


def _year_package(base: str, token: str, path: str) -> Any:
    """A year package of the user's area: last year's (closed in the demo), started through the API."""
    status, body = call(base, "GET", "/api/archive-packages", token)
    found = _records(body) if status == 200 else []
    if found:
        return found[0]["id"]
    area = _month_report("township_id")(base, token, path)
    year = time.localtime().tm_year - 1
    status, made = call(base, "POST", "/api/archive-packages", token, body={"area_id": area, "year": year})
    return made.get("id") if status in (200, 201) and isinstance(made, dict) else None


def _records(body: Any, key: str | None = None) -> list[dict[str, Any]]:
    """The records a list answer holds: its ``items``, or the first list of
    objects in it (``categories``); with ``key``, every list under that key
    at any depth (the subtypes of every category)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any, under: str | None) -> None:
        if isinstance(node, dict):
            for name, child in node.items():
                walk(child, name)
        elif isinstance(node, list):
            records = [x for x in node if isinstance(x, dict)]
            if key is None or under == key:
                found.extend(records)
            for x in records:
                walk(x, None)

    if key is None and isinstance(body, dict):
        if isinstance(body.get("items"), list):
            return [x for x in body["items"] if isinstance(x, dict)]
        for child in body.values():
            if isinstance(child, list) and child and isinstance(child[0], dict):
                return list(child)
        return []
    walk(body, None)
    return found


def _category_part(kind: str) -> Callable[[str, str, str], Any]:
    def find(base: str, token: str, path: str) -> Any:
        status, body = call(base, "GET", "/api/unit-categories", token)
        records = _records(body, kind) if status == 200 else []
        return records[0]["id"] if records else None

    return find


def _upload(base: str, token: str, path: str) -> Any:
    """An upload begun through the API (it has no list), for the user's first inspection."""
    status, body = call(base, "GET", "/api/inspections", token)
    records = _records(body) if status == 200 else []
    if not records:
        return None
    payload = {
        "id": str(uuid.uuid4()),
        "target": "inspection_photo",
        "record_id": records[0]["id"],
        "length": 1000,
        "sha256": "0" * 64,
    }
    status, body = call(base, "POST", "/api/uploads", token, payload)
    return body.get("id") if status in (200, 201) and isinstance(body, dict) else None


def _own_county(base: str, token: str, path: str) -> Any:
    status, body = call(base, "GET", "/api/unit-categories", token)
    return body.get("county_id") if status == 200 and isinstance(body, dict) else None


def _category_code(base: str, token: str, path: str) -> Any:
    """A unit category's code (the import template of that category)."""
    status, body = call(base, "GET", "/api/unit-categories", token)
    records = _records(body, "categories") if status == 200 else []
    return records[0]["code"] if records else None


def _category_and_subtype(part: str) -> Callable[[str, str, str], Any]:
    """``code`` of a unit category with a subtype in use, or ``subtype`` that
    subtype's id: a unit's category and subtype must go together."""

    def find(base: str, token: str, path: str) -> Any:
        status, body = call(base, "GET", "/api/unit-categories", token)
        for category in _records(body, "categories") if status == 200 else []:
            subtypes = [s for s in category.get("subtypes") or [] if s.get("is_active")]
            if subtypes:
                return category["code"] if part == "code" else subtypes[0]["id"]
        return None

    return find


def _first(list_path: str, name: str) -> Callable[[str, str, str], Any]:
    """``name`` of the first record of another list the user reads."""

    def find(base: str, token: str, path: str) -> Any:
        status, body = call(base, "GET", list_path, token)
        records = _records(body) if status == 200 else []
        return records[0].get(name) if records else None

    return find


def _month_report(name: str) -> Callable[[str, str, str], Any]:
    """``township_id``, ``year`` or ``month`` of the user's newest monthly
    report: a township and month with figures (the demo's current month)."""
    return _first("/api/monthly-reports", name)


def _override_date(base: str, token: str, path: str) -> Any:
    """A day of this year: the county's calendar is keyed by date, and a day
    without an override is a real key too (PUT sets it, DELETE is 204)."""
    return f"{time.localtime().tm_year}-05-06"


def _cell_row(base: str, token: str, path: str) -> Any:
    """A row key of the user's township's monthly figures (as the workbook's
    cells link them), from the township's yearly summary."""
    township = _month_report("township_id")(base, token, path)
    year = _month_report("year")(base, token, path)
    if township is None:
        return None
    status, body = call(base, "GET", f"/api/monthly-summaries/{township}/{year}", token)
    rows = body.get("rows") if status == 200 and isinstance(body, dict) else None
    return rows[0]["key"] if rows else None


def _register_institution(base: str, token: str, path: str) -> Any:
    """A station or institute (the kinds that keep registers) the user sees."""
    status, body = call(base, "GET", "/api/institutions?limit=200", token)
    records = _records(body) if status == 200 else []
    kept = [r for r in records if r.get("type") in ("station", "institute")] or records
    return kept[0]["id"] if kept else None


def _draw(base: str, token: str, path: str) -> Any:
    """A random draw (抽查) of the user's own area: one behind a target of a
    campaign the user sees, if it is the user's to see (a county's draw is
    not a township's), else one the user makes through the API (one unit of
    their area)."""
    own = _me(base, token).get("area_id")
    status, body = call(base, "GET", "/api/campaigns", token)
    for campaign in _records(body) if status == 200 else []:
        status, targets = call(base, "GET", f"/api/campaigns/{campaign['id']}/targets", token)
        drawn = [t["draw_id"] for t in (_records(targets) if status == 200 else []) if t.get("draw_id")]
        for draw_id in drawn:
            if call(base, "GET", f"/api/draws/{draw_id}", token)[0] == 200:
                return draw_id
    if own is None:
        return None
    status, made = call(base, "POST", "/api/draws", token, {"area_id": own, "count": 1, "title": "模糊测试抽查"})
    return made.get("id") if status in (200, 201) and isinstance(made, dict) else None


def _target(base: str, token: str, path: str) -> Any:
    """A target (a unit to inspect) of one of the user's campaigns."""
    status, body = call(base, "GET", "/api/campaigns", token)
    for campaign in _records(body) if status == 200 else []:
        status, targets = call(base, "GET", f"/api/campaigns/{campaign['id']}/targets", token)
        found = _records(targets) if status == 200 else []
        if found:
            return found[0]["id"]
    return None


def _county_code(base: str, token: str, path: str) -> Any:
    """The user's county's statistical code (the public draw page's address)."""
    county = _own_county(base, token, path)
    status, body = call(base, "GET", f"/api/areas/{county}", token) if county else (404, None)
    return body.get("code") if status == 200 and isinstance(body, dict) else None


def _draw_conflict(base: str, token: str, path: str) -> Any:
    """A declared 回避关系 the user sees (the demo declares one)."""
    status, body = call(base, "GET", "/api/draw-conflicts", token)
    found = _records(body) if status == 200 else []
    return found[0]["id"] if found else None


def _assessment_part(part: str) -> Callable[[str, str, str], Any]:
    """A record (``scores`` or ``appeals``) of one of the user's assessments."""

    def find(base: str, token: str, path: str) -> Any:
        status, body = call(base, "GET", "/api/assessments", token)
        for assessment in _records(body) if status == 200 else []:
            status, found = call(base, "GET", f"/api/assessments/{assessment['id']}/{part}", token)
            rows = _records(found) if status == 200 else []
            if rows:
                return rows[0]["id"]
        return None

    return find


def _manual_score(base: str, token: str, path: str) -> Any:
    """A manual item's score in an assessment being scored (the demo's second
    half): the one kind a person may score; an automatic item's is computed."""
    for assessment in _assessments(base, token, *MANAGING):
        status, found = call(base, "GET", f"/api/assessments/{assessment['id']}/scores?limit=200", token)
        manual = [r for r in (_records(found) if status == 200 else []) if r.get("kind") == "manual"]
        if manual:
            return manual[0]["id"]
    return _assessment_part("scores")(base, token, path)


def _assessments(base: str, token: str, *statuses: str) -> list[dict[str, Any]]:
    """The user's assessments, those its own area runs first (the ones it
    manages; a township also sees the county's that assess it), and among
    them those in ``statuses`` first, in that order; else newest first."""
    status, me = call(base, "GET", "/api/me", token)
    own = me.get("area_id") if status == 200 and isinstance(me, dict) else None
    status, body = call(base, "GET", "/api/assessments", token)
    found = _records(body) if status == 200 else []
    rank = {s: n for n, s in enumerate(statuses)}
    return sorted(found, key=lambda a: (a.get("area_id") != own, rank.get(a.get("status"), len(rank))))


MANAGING = ("scoring", "draft", "released", "final")  # the steps an assessor takes, in the order they come
RELEASED = ("final", "released")  # results out: the bulletin and the funds exist from then


def _newest_assessment(base: str, token: str) -> dict[str, Any] | None:
    """The assessment the user's managing operations get (``_managed_assessment``)."""
    found = _assessments(base, token, *MANAGING)
    return found[0] if found else None


def _assessed_area(base: str, token: str, path: str) -> Any:
    """An area assessed in the newest assessment (a deduction names one)."""
    assessment = _newest_assessment(base, token)
    areas = (assessment or {}).get("areas") or []
    return areas[0]["area_id"] if areas else None


def _manual_item_and_scorer(field: str) -> Callable[[str, str, str], Any]:
    """``item_id`` or ``reviewer_id`` of a manual item's score in the newest
    assessment: an item scorers are given, and the scorer it has now."""

    def find(base: str, token: str, path: str) -> Any:
        assessment = _newest_assessment(base, token)
        if assessment is None:
            return None
        status, found = call(base, "GET", f"/api/assessments/{assessment['id']}/scores?limit=200", token)
        manual = [r for r in (_records(found) if status == 200 else []) if r.get("kind") == "manual"]
        manual = [r for r in manual if r.get("reviewer_id")] or manual
        return manual[0].get(field) if manual else None

    return find


def _trainee(base: str, token: str, path: str) -> Any:
    """An active person of the newest training's area (the one its path
    operations get), to register at it: one of the training's own area, or
    any of the user's people with an institution (the area is the county's)."""
    status, body = call(base, "GET", "/api/trainings", token)
    trainings = _records(body) if status == 200 else []
    if not trainings:
        return None
    status, body = call(base, "GET", "/api/people?limit=200", token)
    people = [p for p in (_records(body) if status == 200 else []) if p.get("is_active") and p.get("area_id")]
    here = [p for p in people if p["area_id"] == trainings[0].get("area_id")]
    found = here or people
    return found[0]["id"] if found else None


def _appealed_item(base: str, token: str, path: str) -> Any:
    """An item of the user's newest assessment (the list's first, as the
    appeal's path gets): one its area's scores name."""
    status, body = call(base, "GET", "/api/assessments", token)
    found = _records(body) if status == 200 else []
    if not found:
        return None
    status, scores = call(base, "GET", f"/api/assessments/{found[0]['id']}/scores?limit=200", token)
    rows = _records(scores) if status == 200 else []
    return rows[0]["item_id"] if rows else None


RECIPES: dict[str, Callable[[str, str, str], Any]] = {
    "score_id": _manual_score,
    "appeal_id": _assessment_part("appeals"),
    "draw_id": _draw,
    "conflict_id": _draw_conflict,
    "target_id": _target,
    "county": _county_code,
    "lock_id": _locked_sign_in,
    "receipt": _receipt,
    "version_id": _document_version,
    "package_id": _year_package,
    "subtype_id": _category_part("subtypes"),
    "field_id": _category_part("fields"),
    "upload_id": _upload,
    "county_id": _own_county,
    "code": _category_code,
    "institution_id": _register_institution,
    "area_id": _month_report("township_id"),
    "township_id": _month_report("township_id"),
    "year": _month_report("year"),
    "month": _month_report("month"),
    "date": _override_date,
    "row": _cell_row,
    "column": lambda base, token, path: "clues",
    "period": lambda base, token, path: "year",
}


def _plan_unit(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """A unit on the plan found for ``plan_id`` (the one removed by the DELETE)."""
    status, body = call(base, "GET", f"/api/monthly-plans/{values.get('plan_id')}", token)
    items = body.get("items") if status == 200 and isinstance(body, dict) else None
    return items[-1]["unit_id"] if items else None


def _campaign_material(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """A material of the campaign found for ``campaign_id`` (the demo campaign has one)."""
    status, body = call(base, "GET", f"/api/campaigns/{values.get('campaign_id')}/materials", token)
    return body[0]["id"] if status == 200 and isinstance(body, list) and body else None


def _scored_unit(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """A unit with a risk score: the riskiest the user sees (/api/risk/scores)."""
    status, body = call(base, "GET", "/api/risk/scores", token)
    items = body.get("items") if status == 200 and isinstance(body, dict) else None
    return items[0]["unit_id"] if items else None


def _scheme_items(base: str, token: str, scheme_id: Any) -> list[Any]:
    """The ids of a scheme's items, last first (the DELETE takes one of them)."""
    status, body = call(base, "GET", f"/api/assessment-schemes/{scheme_id}", token)
    items = body.get("items") if status == 200 and isinstance(body, dict) else None
    return [i["id"] for i in reversed(items or [])]


def _upper_with_file(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """A document from above that came with a file (the demo's first has one)."""
    status, body = call(base, "GET", "/api/upper-documents", token)
    found = [d for d in (_records(body) if status == 200 else []) if d.get("has_file")]
    return found[0]["id"] if found else None


def _released_assessment(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """An assessment of the user's whose results are out (the county's
    first half, final, its bulletin published): its bulletin and funds
    exist only from then."""
    found = _assessments(base, token, *RELEASED)
    return found[0]["id"] if found else None


def _managed_assessment(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """The assessment the user's own area runs, the one being scored first
    (the list's newest may be the county's, which a township only reads)."""
    found = _newest_assessment(base, token)
    return found["id"] if found else None


# Parameters that depend on the one before them in the same path, or that
# need a particular record of the list (these come before the list's newest).
PATH_RECIPES: dict[tuple[str, str], Callable[[str, str, str, dict[str, Any]], Any]] = {
    ("/api/monthly-plans/{plan_id}/units/{unit_id}", "unit_id"): _plan_unit,
    ("/api/campaigns/{campaign_id}/materials/{material_id}", "material_id"): _campaign_material,
    ("/api/risk/units/{unit_id}", "unit_id"): _scored_unit,
    ("/api/upper-documents/{document_id}/file", "document_id"): _upper_with_file,
    ("/api/assessment-schemes/{scheme_id}/items/{item_id}", "item_id"): lambda base, token, path, values: next(
        iter(_scheme_items(base, token, values.get("scheme_id"))), None
    ),
}


def _last_year(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """Last year: the demo closes it, so it can be asked (and granted) to reopen."""
    return time.localtime().tm_year - 1


PATH_RECIPES[("/api/archive/{year}/reopen-request", "year")] = _last_year


def _submitted_inspection(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """The user's newest submitted record. A correction is made of it (201,
    then 409 once corrected: that version is done). Submitting it answers
    200 (the phone's retry after a lost answer): the demo's drafts lack
    inspectors' signatures, so submitting one is refused with 422 naming
    what is missing (a fault in the content sent before, which the phone
    lists field by field), every time."""
    status, body = call(base, "GET", "/api/inspections?status=submitted", token)
    found = _records(body) if status == 200 else []
    return found[0]["id"] if found else None


def _review_to_correct(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """A review that found problems or returned the record, not yet marked
    corrected: the only kind a co-manager can mark (any other is 409)."""
    status, body = call(base, "GET", "/api/risk/reviews?limit=200", token)
    found = [
        r
        for r in (_records(body) if status == 200 else [])
        if r.get("result") in ("problem", "returned") and not r.get("corrected_at")
    ]
    return found[0]["id"] if found else None


def _draft_inspection(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """The user's newest draft record, photos and signatures are added to a
    draft only (a submitted one is locked, 409), with the unit's
    representative named as a record in the field has it (the demo's drafts
    do not): the representative then signs without a name sent."""
    status, body = call(base, "GET", "/api/inspections?status=draft", token)
    found = _records(body) if status == 200 else []
    if not found:
        return None
    if not found[0].get("representative"):
        call(base, "PATCH", f"/api/inspections/{found[0]['id']}", token, {"representative": "王建国"})
    return found[0]["id"]


def _station(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """A township's co-management station: only a station has a responsible supervisor."""
    status, body = call(base, "GET", "/api/institutions?limit=200", token)
    found = [i for i in (_records(body) if status == 200 else []) if i.get("type") == "station"]
    return found[0]["id"] if found else None


def _changeable_person(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
    """A person the user may change who is none of the demo's logins (the
    administrator's account is the system administrator's alone, and the
    runs sign in as the others)."""
    me = _me(base, token).get("id")
    status, body = call(base, "GET", "/api/people?limit=200", token)
    found = [
        p
        for p in (_records(body) if status == 200 else [])
        if p.get("id") != me
        and p.get("username") not in DEMO_USERS | set(PASSWORD_ACCOUNTS.values())
        and p.get("institution_id")
    ]
    return found[0]["id"] if found else None


def _county_own(kind: str) -> Callable[[str, str, str, dict[str, Any]], Any]:
    """A subtype or field (``kind``) the user's county added itself, made
    through the API if it has none: only those can be switched off and on
    (the national ones stay in use everywhere)."""

    def find(base: str, token: str, path: str, values: dict[str, Any]) -> Any:
        status, body = call(base, "GET", "/api/unit-categories", token)
        if status != 200:
            return None
        own = [r for r in _records(body, kind) if r.get("county_id")]
        if own:
            return own[0]["id"]
        code = _category_code(base, token, path)
        made_body = {"name": "模糊测试小类"} if kind == "subtypes" else {"label": "模糊测试字段", "kind": "text"}
        status, made = call(base, "POST", f"/api/unit-categories/{code}/{kind}", token, made_body)
        return made.get("id") if status in (200, 201) and isinstance(made, dict) else None

    return find


PATH_RECIPES[("/api/inspections/{inspection_id}/photos", "inspection_id")] = _draft_inspection
PATH_RECIPES[("/api/inspections/{inspection_id}/signatures", "inspection_id")] = _draft_inspection
PATH_RECIPES[("/api/institutions/{institution_id}/supervisor", "institution_id")] = _station
PATH_RECIPES[("/api/people/{person_id}", "person_id")] = _changeable_person
for _action in ("deactivate", "reactivate"):
    PATH_RECIPES[(f"/api/unit-categories/subtypes/{{subtype_id}}/{_action}", "subtype_id")] = _county_own("subtypes")
    PATH_RECIPES[(f"/api/unit-categories/fields/{{field_id}}/{_action}", "field_id")] = _county_own("fields")
PATH_RECIPES[("/api/inspections/{inspection_id}/submit", "inspection_id")] = _submitted_inspection
PATH_RECIPES[("/api/inspections/{inspection_id}/corrections", "inspection_id")] = _submitted_inspection
PATH_RECIPES[("/api/risk/reviews/{review_id}/corrected", "review_id")] = _review_to_correct
for _tail in ("allocations", "allocations.xlsx", "bulletin", "bulletin.docx", "bulletin.pdf", "bulletin/publish"):
    PATH_RECIPES[(f"/api/assessments/{{assessment_id}}/{_tail}", "assessment_id")] = _released_assessment
for _tail in ("start", "compute", "release", "finalise", "deductions", "reviewers"):
    PATH_RECIPES[(f"/api/assessments/{{assessment_id}}/{_tail}", "assessment_id")] = _managed_assessment
PATH_RECIPES[("/api/archive/{year}/reopen-grant", "year")] = _last_year


def _township_list(base: str, token: str, path: str) -> Any:
    township = _month_report("township_id")(base, token, path)
    return [township] if township else None


def _first_unit(base: str, token: str, path: str) -> Any:
    return _first("/api/units", "id")(base, token, path)


def _spare_units(base: str, token: str, path: str) -> Any:
    """An open unit no other operation changes: the last of the list's first
    page (the newest is patched, closed even; the second is deleted)."""
    status, body = call(base, "GET", "/api/units", token)
    found = [u for u in (_records(body) if status == 200 else [])[2:] if u.get("status") == "open"]
    return [found[-1]["id"]] if found else None


def _me(base: str, token: str) -> dict[str, Any]:
    status, me = call(base, "GET", "/api/me", token)
    return me if status == 200 and isinstance(me, dict) else {}


def _own_scheme(base: str, token: str) -> dict[str, Any] | None:
    """A scheme in use of the user's own area (a township's co-manager runs
    its villages' assessment under it; the county its townships')."""
    own = _me(base, token).get("area_id")
    status, body = call(base, "GET", "/api/assessment-schemes?limit=200", token)
    in_use = [s for s in (_records(body) if status == 200 else []) if s.get("status") == "in_use"]
    mine = [s for s in in_use if s.get("area_id") == own]
    return mine[0] if mine else None


def _scheme_part(part: str) -> Callable[[str, str, str], Any]:
    """``scheme`` (its id) or ``areas`` (the current areas directly below its
    area, the only ones it assesses) of the user's own scheme in use."""

    def find(base: str, token: str, path: str) -> Any:
        scheme = _own_scheme(base, token)
        if scheme is None:
            return None
        if part == "scheme":
            return scheme["id"]
        status, body = call(base, "GET", f"/api/areas?parent_id={scheme['area_id']}&limit=200", token)
        below = [a["id"] for a in (_records(body) if status == 200 else []) if not a.get("retired_on")]
        return below[:3] or None

    return find


def _campaign_part(part: str) -> Callable[[str, str, str], Any]:
    """What a campaign of the user's own area is made of: ``area`` (the
    user's township, or the county), ``checklist`` (a published one),
    ``category`` (that checklist's: the two must agree), ``subtypes`` (an
    active subtype of that category, or none) and ``assignees`` (the user:
    someone working within the area)."""

    def find(base: str, token: str, path: str) -> Any:
        me = _me(base, token)
        if part == "area":
            return me.get("area_id")
        if part == "assignees":
            return [me["id"]] if me.get("id") else None
        status, body = call(base, "GET", "/api/checklists?limit=200", token)
        published = [c for c in (_records(body) if status == 200 else []) if c.get("status") == "published"]
        if not published:
            return None
        if part == "checklist":
            return published[0]["id"]
        if part == "category":
            return published[0]["category"]
        status, body = call(base, "GET", "/api/unit-categories", token)
        for category in _records(body, "categories") if status == 200 else []:
            if category.get("code") == published[0]["category"]:
                return [s["id"] for s in category.get("subtypes") or [] if s.get("is_active")][:1]
        return []

    return find


def _own_unit(base: str, token: str, path: str) -> Any:
    """An open unit of the user's township no other operation changes (as
    ``_spare_units``): one to inspect or put on a plan."""
    found = _spare_units(base, token, path)
    return found[0] if found else _first_unit(base, token, path)


def _complaint_place(part: str) -> Callable[[str, str, str], Any]:
    """``township``, ``village`` or ``unit`` of one place a complaint is
    about, the three agreeing: the township of the user's newest monthly
    report, its first village and its first open unit. Left to schemathesis,
    each slot takes an id harvested from some other response (a complaint's
    village, another township's unit), and for the county, whose answers
    span ten townships, every positive case could then name a village or a
    unit outside the township it names (422)."""

    def find(base: str, token: str, path: str) -> Any:
        township = _month_report("township_id")(base, token, path)
        if township is None or part == "township":
            return township
        if part == "village":
            status, body = call(base, "GET", f"/api/areas?parent_id={township}&limit=200", token)
            villages = [a["id"] for a in (_records(body) if status == 200 else []) if not a.get("retired_on")]
            return villages[0] if villages else None
        status, body = call(base, "GET", f"/api/units?area_id={township}&limit=200", token)
        units = [u["id"] for u in (_records(body) if status == 200 else []) if u.get("status") == "open"]
        return units[0] if units else None

    return find


def _own_area(base: str, token: str, path: str) -> Any:
    """The user's own area (a township for a co-manager, the county for the
    bureau): a list filter every case can name. Left to schemathesis, the
    filter takes any area id harvested from the answers, the county and the
    levels above it among them, which a co-manager may not read."""
    return _me(base, token).get("area_id")


def _plan_township_unit(base: str, token: str, path: str) -> Any:
    """An open unit of the township of the user's newest plan (the one the
    path gets): a plan takes only its township's units."""
    status, body = call(base, "GET", "/api/monthly-plans", token)
    plans = _records(body) if status == 200 else []
    if not plans:
        return None
    status, body = call(base, "GET", f"/api/units?area_id={plans[0]['township_id']}&limit=200", token)
    found = [u["id"] for u in (_records(body) if status == 200 else []) if u.get("status") == "open"]
    return found[-1] if found else None


def _training_unit(base: str, token: str, path: str) -> Any:
    """A unit of the newest training's area (the training the path gets):
    a guest's registered workplace must be one."""
    status, body = call(base, "GET", "/api/trainings", token)
    trainings = _records(body) if status == 200 else []
    if not trainings:
        return None
    status, body = call(base, "GET", f"/api/units?area_id={trainings[0]['area_id']}&limit=200", token)
    found = [u["id"] for u in (_records(body) if status == 200 else []) if u.get("status") == "open"]
    return found[-1] if found else None


def _complaint_link(field: str) -> Callable[[str, str, str], Any]:
    """``unit_id``, ``inspection_id`` and ``opinion_id`` that link the user's
    newest complaint (the one the path gets): an opinion issued in its
    township, its inspection and its unit; the newest open unit of the
    township alone when no opinion was issued there."""

    def find(base: str, token: str, path: str) -> Any:
        status, body = call(base, "GET", "/api/complaints", token)
        found = _records(body) if status == 200 else []
        if not found:
            return None
        status, body = call(base, "GET", f"/api/units?area_id={found[0]['township_id']}&limit=200", token)
        units = [u["id"] for u in (_records(body) if status == 200 else []) if u.get("status") == "open"]
        status, body = call(base, "GET", "/api/opinions?limit=200", token)
        issued = [o for o in (_records(body) if status == 200 else []) if o.get("unit_id") in units]
        if issued:
            return issued[0][field]
        return (units[-1] if units else None) if field == "unit_id" else None

    return find


def _earlier_complaint(base: str, token: str, path: str) -> Any:
    """Another complaint of the user's, not itself a duplicate: the original
    the newest (the one the path gets) can be marked a duplicate of."""
    status, body = call(base, "GET", "/api/complaints", token)
    found = [c for c in (_records(body) if status == 200 else [])[1:] if c.get("status") != "duplicate"]
    return found[0]["id"] if found else None


def _supervisor(base: str, token: str, path: str) -> Any:
    """A supervisor of the user's county (a station's responsible supervisor is one)."""
    status, body = call(base, "GET", "/api/people?limit=200", token)
    found = [p for p in (_records(body) if status == 200 else []) if "supervisor" in (p.get("roles") or [])]
    return found[0]["id"] if found else None


def _area_pair(base: str, token: str, *, parent_of: bool) -> tuple[Any, Any] | None:
    """Two active areas of the user's at the deepest level under one parent
    that has at least two: (the last, the first) of them, or with
    ``parent_of`` (their parent, the last); the retired pair is taken from
    another parent than the split one. A village retires into its
    sibling; a township splits off one of its villages. The list is read
    in its own order, so the path and the body recipes find the same pair."""
    status, body = call(base, "GET", "/api/areas?limit=200", token)
    areas = [a for a in (_records(body) if status == 200 else []) if not a.get("retired_on")]
    deepest = max((a["level"] for a in areas), default=None)
    groups: dict[Any, list[Any]] = {}
    for area in areas:
        if area["level"] == deepest and area.get("parent_id"):
            groups.setdefault(area["parent_id"], []).append(area["id"])
    # Two groups when there are: the split moves a village to a new township,
    # which would part the retired village from its sibling in the same group.
    pairs = [(parent, children) for parent, children in groups.items() if len(children) >= 2]
    if not pairs:
        return None
    parent, children = pairs[0] if parent_of else pairs[-1]
    if not parent_of and len(pairs) == 1:
        return (children[-2], children[0]) if len(children) >= 3 else None
    return (parent, children[-1]) if parent_of else (children[-1], children[0])


def _retiring(part: int) -> Callable[..., Any]:
    """The area retired (0) and the one it merges into (1)."""

    def find(base: str, token: str, path: str, values: dict[str, Any] | None = None) -> Any:
        pair = _area_pair(base, token, parent_of=False)
        return pair[part] if pair else None

    return find


def _splitting(part: int) -> Callable[..., Any]:
    """The area split (0) and, as a list, the area below it it gives away (1)."""

    def find(base: str, token: str, path: str, values: dict[str, Any] | None = None) -> Any:
        pair = _area_pair(base, token, parent_of=True)
        return (pair[0] if part == 0 else [pair[1]]) if pair else None

    return find


PATH_RECIPES[("/api/areas/{area_id}/retire", "area_id")] = _retiring(0)
PATH_RECIPES[("/api/areas/{area_id}/split", "area_id")] = _splitting(0)


VILLAGE = 5  # areas.models.Level.VILLAGE


def _township_of(base: str, token: str, area_id: Any) -> Any:
    """The township an area lies in (itself for a township)."""
    status, area = call(base, "GET", f"/api/areas/{area_id}", token)
    if status != 200 or not isinstance(area, dict):
        return None
    return area.get("parent_id") if area.get("level") == VILLAGE else area["id"]


def _report_link(field: str) -> Callable[[str, str, str], Any]:
    """``unit_id`` and ``inspection_id`` that link the user's newest report
    (the one the path gets): a unit of its township and a submitted record
    of that unit (the unit alone when none of them has one)."""

    def find(base: str, token: str, path: str) -> Any:
        status, body = call(base, "GET", "/api/reports", token)
        reports = _records(body) if status == 200 else []
        township = _township_of(base, token, reports[0]["area_id"]) if reports else None
        if township is None:
            return None
        status, body = call(base, "GET", f"/api/units?area_id={township}&limit=200", token)
        units = [u["id"] for u in (_records(body) if status == 200 else []) if u.get("status") == "open"]
        status, body = call(base, "GET", "/api/inspections?status=submitted&limit=200", token)
        done = [i for i in (_records(body) if status == 200 else []) if i.get("unit_id") in units]
        if field == "inspection_id":
            return done[0]["id"] if done else None
        return done[0]["unit_id"] if done else (units[-1] if units else None)

    return find


def _merged_unit(base: str, token: str, path: str) -> Any:
    """A unit to merge into the newest (the one the path gets): the third of
    the list, neither the newest nor the one DELETE takes."""
    status, body = call(base, "GET", "/api/units", token)
    units = [u for u in (_records(body) if status == 200 else [])[2:-1] if u.get("status") == "open"]
    return units[0]["id"] if units else None


def _upload_records(base: str, token: str, path: str) -> Any:
    """{target: record}: what an upload belongs to depends on its target (a
    draft inspection for its photos and signatures, a report, a publicity
    record); the hooks pick the one for the case's ``target``."""
    found: dict[str, Any] = {}
    status, body = call(base, "GET", "/api/inspections?status=draft", token)
    drafts = _records(body) if status == 200 else []
    if drafts:
        found["inspection_photo"] = found["inspection_signature"] = drafts[0]["id"]
    for target, list_path in (("report_photo", "/api/reports"), ("outreach_photo", "/api/outreach")):
        status, body = call(base, "GET", list_path, token)
        records = _records(body) if status == 200 else []
        if records:
            found[target] = records[0]["id"]
    return {"by": "target", "values": found} if found else None


def _areas_sheet(base: str, token: str, path: str) -> Any:
    """A sheet of the areas below the user's own as they are (code, name
    under a header): imported again, it changes nothing (the user's own
    area is left out: renamed by the run, its row would rename it back,
    which only the level above may)."""
    own = _me(base, token).get("area_id")
    status, body = call(base, "GET", "/api/areas?limit=40", token)
    areas = [
        a
        for a in (_records(body) if status == 200 else [])
        if a.get("code") and not a.get("retired_on") and a["id"] != own
    ][:20]
    return {"xlsx": [["代码", "名称"], *[[a["code"], a["name"]] for a in areas]]} if areas else None


def _populations_sheet(base: str, token: str, path: str) -> Any:
    """A workbook of the populations served of the townships and villages
    below the user's area (name, population under a header)."""
    own = _me(base, token).get("area_id")
    status, body = call(base, "GET", f"/api/areas?parent_id={own}&limit=20", token) if own else (404, None)
    areas = [a for a in (_records(body) if status == 200 else []) if not a.get("retired_on")]
    rows = [[a["name"], 1000 + 10 * n] for n, a in enumerate(areas)]
    return {"xlsx": [["名称", "服务人口"], *rows]} if rows else None


def _unit_template(base: str, token: str, path: str) -> Any:
    """The import template of the category ``_category_code`` finds, as the
    user downloads it: sent back unfilled, it makes a batch (201) that lists
    what is missing; generated bytes are no workbook (422)."""
    code = _category_code(base, token, path)
    request = urllib.request.Request(f"{base}/api/unit-imports/template/{code}")
    request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return {"base64": base64.b64encode(response.read()).decode()}
    except urllib.error.HTTPError:
        return None


def _station_id(base: str, token: str, path: str) -> Any:
    """A co-management station the user sees (a person made there may be a co-manager)."""
    return _station(base, token, path, {})


def _own_campaign(base: str, token: str, path: str) -> Any:
    """A campaign of the user's own area, the one a draw of theirs may be
    for (a county's, seen from a township through its targets, is not)."""
    own = _me(base, token).get("area_id")
    status, body = call(base, "GET", "/api/campaigns?limit=200", token)
    found = [c for c in (_records(body) if status == 200 else []) if c.get("area_id") == own]
    return found[0]["id"] if found else None


def _report_category(base: str, token: str, path: str) -> Any:
    """The occupational-health category's code, if in force (a report that
    names an exposed person must be of it), else the first in force."""
    status, body = call(base, "GET", "/api/report-categories", token)
    codes = [c.get("code") for c in (_records(body) if status == 200 else []) if c.get("code")]
    return "occupational" if "occupational" in codes else (codes[0] if codes else None)


def _myself(base: str, token: str, path: str) -> Any:
    """The user, as the one inspector named: a co-manager of the area."""
    me = _me(base, token)
    return [me["id"]] if me.get("id") else None


# Ids in a request's query or body that no generator can guess: the
# operation gets the user's own record there (a generated UUID is only ever
# 404), as "query.<name>" or "body.<name>" parameters of its block.
FIELD_RECIPES: dict[str, dict[str, Callable[[str, str, str], Any]]] = {
    "POST /api/populations": {"body.area_id": _month_report("township_id")},
    "POST /api/reminder-channels": {"body.area_id": _month_report("township_id")},
    "POST /api/archive-packages": {"body.area_id": _month_report("township_id")},
    "POST /api/upper-documents": {"body.target_ids": _township_list},
    "POST /api/documents": {"body.owner_id": _first_unit},
    "POST /api/complaints/{complaint_id}/links": {
        "body.unit_id": _complaint_link("unit_id"),
        "body.inspection_id": _complaint_link("inspection_id"),
        "body.opinion_id": _complaint_link("id"),
    },
    "POST /api/inspections/{inspection_id}/signatures": {
        "body.user_id": lambda base, token, path: _me(base, token).get("id")
    },
    "POST /api/complaints/{complaint_id}/link-duplicate": {"body.original_id": _earlier_complaint},
    "PUT /api/institutions/{institution_id}/supervisor": {"body.supervisor_id": _supervisor},
    "POST /api/areas/{area_id}/retire": {"body.successor_id": _retiring(1)},
    "POST /api/areas/{area_id}/split": {"body.village_ids": _splitting(1)},
    "POST /api/areas/import": {"body.file": _areas_sheet},
    "POST /api/populations/import": {"body.file": _populations_sheet},
    "POST /api/unit-imports": {"body.category": _category_code, "body.file": _unit_template},
    "GET /api/monthly-overview": {"query.area_id": _own_county},
    "POST /api/draw-conflicts": {
        "body.unit_id": _own_unit,
        "body.inspector_id": lambda base, token, path: _me(base, token).get("id"),
    },
    "POST /api/people": {"body.institution_id": _station_id, "body.roles": lambda base, token, path: ["comanager"]},
    "POST /api/draws": {
        "body.campaign_id": _own_campaign,
        "body.area_id": _month_report("township_id"),
        "body.township_ids": _township_list,
    },
    "POST /api/public/complaints": {"body.township_id": _month_report("township_id")},
    "POST /api/complaints": {
        "body.township_id": _complaint_place("township"),
        "body.village_id": _complaint_place("village"),
        "body.unit_id": _complaint_place("unit"),
    },
    "GET /api/reports": {"query.area_id": _own_area},
    "POST /api/reports/{report_id}/links": {
        "body.unit_id": _report_link("unit_id"),
        "body.inspection_id": _report_link("inspection_id"),
    },
    "POST /api/units/{unit_id}/merge": {"body.merged_id": _merged_unit},
    "POST /api/uploads": {"body.record_id": _upload_records},
    "POST /api/monthly-plans": {"body.township_id": _month_report("township_id")},
    "POST /api/monthly-reports": {"body.township_id": _month_report("township_id")},
    "POST /api/reports": {
        "body.category": _report_category,
        "body.area_id": _month_report("township_id"),
        "body.unit_id": _own_unit,
        "body.exposed_person_id": _first("/api/exposed-people", "id"),
    },
    "POST /api/trainings/{training_id}/attendance": {"body.person_id": _trainee},
    "POST /api/trainings/{training_id}/guests": {"body.unit_id": _training_unit},
    "POST /api/campaigns/{campaign_id}/targets": {
        "body.township_id": _month_report("township_id"),
        "body.unit_ids": _spare_units,
    },
    "POST /api/outreach": {"body.area_id": _month_report("township_id"), "body.unit_id": _first_unit},
    "POST /api/units": {
        "body.area_id": _month_report("township_id"),
        "body.category": _category_and_subtype("code"),
        "body.subtype_id": _category_and_subtype("subtype"),
    },
    "PATCH /api/units/{unit_id}": {
        "body.area_id": _month_report("township_id"),
        "body.category": _category_and_subtype("code"),
        "body.subtype_id": _category_and_subtype("subtype"),
    },
    "GET /api/units": {
        "query.category": _category_and_subtype("code"),
        "query.subtype_id": _category_and_subtype("subtype"),
        "query.area_id": _month_report("township_id"),
    },
    "GET /api/units/export": {
        "query.category": _category_and_subtype("code"),
        "query.subtype_id": _category_and_subtype("subtype"),
        "query.area_id": _month_report("township_id"),
    },
    "GET /api/outreach": {"query.unit_id": _first_unit},
    "POST /api/inspections": {"body.unit_id": _own_unit, "body.inspector_ids": _myself},
    "PATCH /api/inspections/{inspection_id}": {"body.inspector_ids": _myself},
    "POST /api/monthly-plans/{plan_id}/units": {"body.unit_id": _plan_township_unit},
    "POST /api/assessments": {"body.scheme_id": _scheme_part("scheme"), "body.area_ids": _scheme_part("areas")},
    "POST /api/campaigns": {
        "body.area_id": _campaign_part("area"),
        "body.template_id": _campaign_part("checklist"),
        "body.category": _campaign_part("category"),
        "body.subtype_ids": _campaign_part("subtypes"),
        "body.assignee_ids": _campaign_part("assignees"),
    },
    "POST /api/assessments/{assessment_id}/deductions": {"body.area_id": _assessed_area},
    "POST /api/assessments/{assessment_id}/appeals": {"body.item_id": _appealed_item},
    "POST /api/assessments/{assessment_id}/reviewers": {
        "body.item_id": _manual_item_and_scorer("item_id"),
        "body.reviewer_id": _manual_item_and_scorer("reviewer_id"),
    },
    "GET /api/risk/settings": {"query.county_id": _own_county},
    "PUT /api/risk/settings": {"query.county_id": _own_county},
    "GET /api/risk/backtest": {"query.county_id": _own_county},
    "POST /api/risk/backtest": {"query.county_id": _own_county},
    "POST /api/risk/reviews/draw": {"query.county_id": _own_county},
}


def field_values(base: str, token: str) -> dict[str, dict[str, Any]]:
    """{operation: {"body.x" / "query.x": value}} from FIELD_RECIPES, as far as the user has them."""
    found: dict[str, dict[str, Any]] = {}
    for operation, recipes in FIELD_RECIPES.items():
        for name, recipe in recipes.items():
            value = recipe(base, token, operation.split(" ", 1)[1])
            if value is not None:
                found.setdefault(operation, {})[name] = value
    return found


def cursors(base: str, token: str, document: dict[str, Any], ids: Ids) -> dict[str, dict[str, Any]]:
    """{"GET /path": {"query.after": cursor}} for every list with an
    ``after`` cursor: a real one, the ``next`` of its first page of one
    record as the user (the path's parameters as ``ids`` gives them). The
    server refuses a cursor it did not give out (422), so a generated one
    is always refused; a cursor holds only the ordering's values, so it is
    valid with any of the list's filters. A list of one record or none has
    no cursor to give: it keeps generated ones."""
    found: dict[str, dict[str, Any]] = {}
    for path, operations in document["paths"].items():
        get = operations.get("get") or {}
        if not any(p.get("in") == "query" and p.get("name") == "after" for p in get.get("parameters", [])):
            continue
        values = ids.get(("get", path), {}).get("values", {})
        names = re.findall(r"{(\w+)}", path)
        if any(name not in values for name in names):
            continue
        concrete = path.format(**{name: values[name] for name in names})
        status, body = call(base, "GET", f"{concrete}?limit=1", token)
        cursor = body.get("next") if status == 200 and isinstance(body, dict) else None
        if cursor:
            found[f"GET {path}"] = {"query.after": cursor}
    return found


DEMO_USERS = {"admin", "bureau", "inst", "cg1", "cg2", "dh1", "cun1", "city"}


def seed(base: str) -> None:
    """Records the demo has none of, made through the API before the runs
    so their operations get real ids: a pending transfer request (made by
    ``admin`` for a co-manager who is no demo login, for the county to
    decide) and a unit import batch (the county's template sent back)."""
    admin = token_for(base, "admin")
    _status, people = call(base, "GET", "/api/people?limit=200", admin)
    _status, places = call(base, "GET", "/api/institutions?limit=200", admin)
    person = next(
        (
            p
            for p in _records(people)
            if p["username"] not in DEMO_USERS and p.get("institution_id") and "comanager" in p.get("roles", [])
        ),
        None,
    )
    if person is not None:
        to = next((i for i in _records(places) if i["id"] != person["institution_id"] and not i.get("closed_on")), None)
        if to is not None:
            body = {"person_id": person["id"], "to_institution_id": to["id"], "reason": "调往邻近信息点"}
            status, answer = call(base, "POST", "/api/transfers", admin, body)
            if status not in (200, 201):
                print(f"seeding a transfer failed: {status} {answer}", flush=True)
    bureau = token_for(base, "bureau")
    code = _category_code(base, bureau, "")
    request = urllib.request.Request(f"{base}/api/unit-imports/template/{code}")
    request.add_header("Authorization", f"Bearer {bureau}")
    with urllib.request.urlopen(request, timeout=60) as response:
        template = response.read()
    boundary = uuid.uuid4().hex
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n{code}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="units.xlsx"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        ).encode()
        + template
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(f"{base}/api/unit-imports", data=form, method="POST")
    request.add_header("Authorization", f"Bearer {bureau}")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    try:
        urllib.request.urlopen(request, timeout=120).read()
    except urllib.error.HTTPError as error:
        print(f"seeding a unit import failed: {error.code} {error.read()[:300]!r}", flush=True)


def _from_list(base: str, token: str, path: str, name: str, method: str, cache: dict[str, Any]) -> Any:
    prefix = path[: path.index("{" + name + "}")].rstrip("/")
    if prefix not in cache:
        status, body = call(base, "GET", prefix, token)
        cache[prefix] = _records(body) if status == 200 else []
    items = cache[prefix]
    if not items:
        return None
    # Lists are newest first: every operation takes the newest record, a
    # DELETE the one after it (recent too, so not in a locked month), so the
    # others keep theirs.
    item = items[1] if method == "delete" and len(items) > 1 else items[0]
    return item.get(name, item.get("id"))


Ids = dict[tuple[str, str], dict[str, Any]]


def real_ids(base: str, token: str, document: dict[str, Any]) -> Ids:
    """{(method, path): {parameter: value}} for every operation with path
    parameters, as far as the user's own lists and the recipes give them."""
    found: Ids = {}
    cache: dict[str, Any] = {}
    made: dict[str, Any] = {}
    for path, operations in document["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        for method in operations if names else ():
            values: dict[str, Any] = {}
            for name in names:
                value = None
                if (path, name) in PATH_RECIPES:
                    value = PATH_RECIPES[(path, name)](base, token, path, values)
                if value is None and name == names[0]:
                    value = _from_list(base, token, path, name, method, cache)
                if value is None and name in RECIPES:
                    if name not in made:
                        made[name] = RECIPES[name](base, token, path)
                    value = made[name]
                if value is not None:
                    values[name] = value
            found[(method, path)] = {"values": values, "names": names}
    return found


# ---------------------------------------------------------------- schemathesis


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


# What goes with a path parameter: a public complaint is read with its PIN
# (every demo complaint has the same one).
COMPANIONS: dict[str, dict[str, Any]] = {"receipt": {"query.pin": "246810"}}
SHOWN_WARNINGS = [
    "missing_auth",
    "missing_test_data",
    "base_url_mismatch",
    "validation_mismatch",
    "missing_deserializer",
    "unused_openapi_auth",
    "unsupported_regex",
    "method_not_allowed",
    "unmatched_filter",
    "unresolvable_reference",
    "rate_limited",
]
# Every warning fails the run but one: "only 401/403" is what a township
# co-manager must get from the county's own operations (sign-in locks, unit
# categories), and it is shown all the same.
FAILING_WARNINGS = [w for w in SHOWN_WARNINGS if w != "missing_auth"]

# The warnings that are right, each for one user and one operation, with why.
# Only these are let through: the same warning of any other operation or
# user, or another kind of warning here, still fails the run. Keep it short:
# a warning is mostly a request schema that does not say what the code checks
# (state it there instead) or an operation without a real id (a recipe).
_NEEDS_A_SECRET_THE_RUN_LACKS = {
    "POST /api/auth/two-factor/confirm": "needs the id of the pending set-up from POST /api/auth/two-factor/start "
    "(each start drops the one before) and the 6-digit time-based code an authenticator app computes from its "
    "secret: every generated code is refused (422), as is a set-up since replaced",
}
ALLOWED_WARNINGS: dict[tuple[str, str, str], str] = {
    (user, operation, "validation_mismatch"): reason
    for user in USERS
    for operation, reason in _NEEDS_A_SECRET_THE_RUN_LACKS.items()
}
ALLOWED_WARNINGS[("cg1", "POST /api/inspections/{inspection_id}/signatures", "validation_mismatch")] = (
    "the form's fields go together, which its schema states one by one: an image unless refused, an inspector "
    "signs with the user_id of an inspector of the record and may not refuse, the representative may; the cases "
    "(one field varied at a time from the inspector role, no image) never combine them validly (422 naming the "
    "field: signature, refused, user); the bureau only reads the record (403)"
)

# Operations that rightly take longer than schemathesis's 10 s per request
# on the CI machine (2 shared cores): a year's register or report as PDF.
SLOW_OPERATIONS: dict[str, int] = {
    "GET /api/patrol-register/{institution_id}.pdf": 60,
    "GET /api/report-register/{institution_id}.pdf": 60,
    "GET /api/monthly-reports/{report_id}/workbook.pdf": 60,
    "GET /api/units/{unit_id}/file.pdf": 60,
    "POST /api/monthly-summaries/{township_id}/{year}/document": 60,
    # A township's year: twelve months' figures (about 1 s quiet); once over
    # 10 s on a machine shared by four busy processes.
    "GET /api/monthly-summaries/{township_id}/{year}": 30,
}


# The CI run's coverage phase (``--coverage quick``): each operation's valid
# boundary cases (every enum value, minimum and maximum, required-only and
# all-properties bodies), not its invalid ones nor the HTTP methods it does
# not have. Those are ~80 % of the phase's cases (a wrong type for every
# field, ~7,000 cases and 8 minutes a user) and are answered by the
# framework's own checks (422, 405); the fuzzing phase still sends invalid
# data in CI, and ``make fuzz`` runs the whole phase.
QUICK_COVERAGE = [
    "[phases.coverage]",
    "unexpected-methods = []",
    "[phases.coverage.generation]",
    'mode = "positive"',
]


# The headings of schemathesis's WARNINGS section, by the kind they report.
WARNING_KINDS = {
    "Authentication failed": "missing_auth",
    "Missing test data": "missing_test_data",
    "Schema validation mismatch": "validation_mismatch",
}


def judge_warnings(output: str, user: str, borrowed: set[tuple[str, str]]) -> list[str]:
    """The warnings of one user's run that are not let through: every
    (kind, operation) under the WARNINGS section that is neither
    ``missing_auth`` (the county's own operations, for cg1), nor "only 404"
    on another user's record, nor in ``ALLOWED_WARNINGS``. A heading this
    script does not know is a warning of a new kind: it fails too."""
    section = output.split("= WARNINGS =", 1)[1].split("= SUMMARY =", 1)[0] if "= WARNINGS =" in output else ""
    quiet = {("missing_test_data", f"{m.upper()} {p}") for m, p in borrowed}
    quiet |= {(kind, op) for (who, op, kind) in ALLOWED_WARNINGS if who == user}
    kind, bad = None, []
    for line in section.splitlines():
        if not line.strip() or line.lstrip().startswith(("=", "💡", "No links", "401 ", "403 ")):
            continue
        operation = re.match(r"^\s+- ([A-Z]+ /\S+)", line)
        if operation is None:
            kind = next((k for heading, k in WARNING_KINDS.items() if line.startswith(heading)), line.strip())
            if kind not in WARNING_KINDS.values():
                bad.append(kind)
            continue
        if kind != "missing_auth" and (kind, operation.group(1)) not in quiet:
            bad.append(f"{kind}: {operation.group(1)}")
    return bad


def write_config(
    path: Path,
    *,
    user: str,
    token: str,
    spare_token: str,
    password_token: str | None = None,
    ids: Ids,
    borrowed: set[tuple[str, str]],
    fields: dict[str, dict[str, Any]] | None = None,
    quick_coverage: bool = False,
) -> None:
    lines = [
        "cache = { enabled = false }",  # each run on its own: the fixed seed gives the same cases
        # schemathesis shows every warning and this script judges them
        # (judge_warnings): its own per-operation "fail-on" is not honoured.
        f'warnings = {{ display = {_toml(SHOWN_WARNINGS)}, "fail-on" = [] }}',
        f"headers = {_toml({'Authorization': f'Bearer {token}'})}",
        "",
        *([*QUICK_COVERAGE, ""] if quick_coverage else []),
        # Signing out revokes the token in use: it gets one of its own.
        "[[operations]]",
        'include-name = "DELETE /api/auth/token"',
        f"headers = {_toml({'Authorization': f'Bearer {spare_token}'})}",
        "",
        *(
            [
                # Changing a password as an account of its own, with its current password.
                "[[operations]]",
                'include-name = "POST /api/auth/password"',
                f"headers = {_toml({'Authorization': f'Bearer {password_token}'})}",
                f"parameters = {_toml({'body.old_password': PASSWORD})}",
                "",
            ]
            if password_token
            else []
        ),
        # Signing in as someone real with the right password, so a valid body is accepted.
        "[[operations]]",
        'include-name = "POST /api/auth/token"',
        f"parameters = {_toml({'body.username': SIGNS_IN, 'body.password': PASSWORD})}",
    ]
    blocks: dict[str, dict[str, Any]] = {}
    for (method, op_path), entry in ids.items():
        parameters = {f"path.{k}": v for k, v in entry["values"].items()}
        for name in entry["names"]:
            parameters.update(COMPANIONS.get(name, {}))
        blocks.setdefault(f"{method.upper()} {op_path}", {})["parameters"] = parameters
    for operation, values in (fields or {}).items():
        # A value chosen by another field of the case ({"by": ..., "values": ...})
        # or a file ({"xlsx": rows}, {"base64": bytes}) is the hooks' alone:
        # schemathesis would send the mapping itself.
        plain = {k: v for k, v in values.items() if not isinstance(v, dict)}
        if plain:
            blocks.setdefault(operation, {}).setdefault("parameters", {}).update(plain)
    for operation, seconds in SLOW_OPERATIONS.items():
        blocks.setdefault(operation, {})["timeout"] = seconds
    for operation, block in blocks.items():
        lines += ["", "[[operations]]", f"include-name = {_toml(operation)}"]
        if "parameters" in block:
            lines.append(f"parameters = {_toml(block['parameters'])}")
        if "timeout" in block:
            lines.append(f"request-timeout = {block['timeout']}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def phases_for(user: str, phases: str, coverage_for: str) -> str:
    """``phases`` without the coverage phase for a user not in ``coverage_for``
    (a comma list; empty: every user keeps it)."""
    if not coverage_for or user in coverage_for.split(","):
        return phases
    return ",".join(p for p in phases.split(",") if p != "coverage")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("FUZZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xieguan_fuzz")
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("FUZZ_PORT", "8765")))
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", default="20260101", help="a number, or 'random'")
    parser.add_argument("--users", default=",".join(USERS))
    parser.add_argument("--phases", default=PHASES)
    parser.add_argument(
        "--coverage",
        choices=("quick", "full"),
        default="full",
        help="quick: the coverage phase's valid cases only (the CI run); full: all of them",
    )
    parser.add_argument(
        "--coverage-for",
        default="",
        help="the users whose run has the coverage phase (default: every user); the CI run gives it to bureau only",
    )
    parser.add_argument("--reuse-demo", action="store_true", help="copy the demo built by an earlier run")
    # A warning outside ALLOWED_WARNINGS fails the run, in CI (make test-fuzz)
    # as in `make fuzz`; "report" only prints them, for a local look.
    parser.add_argument("--warnings", choices=("fail", "report"), default="fail")
    # One worker: with two, schemathesis 4.32.5 once failed inside itself
    # (a KeyError in Python's linecache while two threads built strategies).
    parser.add_argument("--workers", default="1")
    parser.add_argument("extra", nargs="*", help="more schemathesis options, after --")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xieguan-fuzz-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "XIEGUAN_VAR_DIR": str(work),  # uploads and the secret key stay in the run's own folder
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        # The public page's per-address limits are settings (docs/deploy.md); every
        # request here comes from 127.0.0.1, so they are raised for the run.
        "COMPLAINTS_SUBMIT_LIMIT": "100000",
        "COMPLAINTS_PIN_FAILURE_LIMIT": "100000",
        "LOCKOUT_ADDRESS_FAILURES": "0",
    }
    env.pop("TASKS_BACKEND", None)
    env.pop("MEDIA_ROOT", None)  # the files under the run's folder, where prepare_database copies the demo's
    started = time.monotonic()
    prepare_database(args.database_url, env, reuse=args.reuse_demo)

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [PY, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{args.port}"],
        cwd=ROOT,
        env=env,
        stdout=(work / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worst = 0
    try:
        wait_for(base, server)
        document = json.loads(urllib.request.urlopen(base + "/api/openapi.json", timeout=30).read())
        for _i in range(5):  # a sign-in lock for the lockout operations
            call(base, "POST", "/api/auth/token", body={"username": LOCKED, "password": "wrong"})
        seed(base)
        users = [u for u in args.users.split(",") if u]
        tokens = {u: (token_for(base, u), token_for(base, u)) for u in users}
        found = {user: real_ids(base, tokens[user][0], document) for user in users}
        fields = {user: field_values(base, tokens[user][0]) for user in users}
        for user in users:
            for operation, values in cursors(base, tokens[user][0], document, found[user]).items():
                fields[user].setdefault(operation, {}).update(values)
        for user in users:
            token, spare = tokens[user]
            ids, borrowed, missing = found[user], set(), []
            for key, entry in ids.items():
                for name in entry["names"]:
                    if name in entry["values"]:
                        continue
                    other = next(
                        (found[o][key]["values"][name] for o in users if name in found[o][key]["values"]), None
                    )
                    if other is None:
                        missing.append(f"{key[0].upper()} {key[1]} ({name})")
                    else:
                        entry["values"][name] = other
                        borrowed.add(key)
            if borrowed:
                print(f"{user} has none of its own for (another user's record, 404 expected):", flush=True)
                print("  " + "\n  ".join(f"{m.upper()} {p}" for m, p in sorted(borrowed)), flush=True)
            if missing:
                print(f"{user}: no real id for:\n  " + "\n  ".join(missing), flush=True)
                worst = max(worst, 2)
                continue
            config = work / f"{user}.toml"
            write_config(
                config,
                user=user,
                token=token,
                spare_token=spare,
                password_token=token_for(base, PASSWORD_ACCOUNTS[user]) if user in PASSWORD_ACCOUNTS else None,
                ids=ids,
                borrowed=borrowed,
                fields=fields[user],
                quick_coverage=args.coverage == "quick",
            )
            command = [
                str(Path(PY).parent / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{base}/api/openapi.json",
                "--url",
                base,
                "--phases",
                phases_for(user, args.phases, args.coverage_for),
                "--checks",
                CHECKS,
                "--max-examples",
                str(args.max_examples),
                "--workers",
                args.workers,
                "--report",
                "ndjson",
                "--report-dir",
                str(ROOT / "var" / "fuzz" / user),
                *([] if args.seed == "random" else ["--seed", args.seed]),
                *args.extra,
            ]
            bodies = {op: {k[5:]: v for k, v in f.items() if k.startswith("body.")} for op, f in fields[user].items()}
            if user in PASSWORD_ACCOUNTS:
                bodies.setdefault("POST /api/auth/password", {})["old_password"] = PASSWORD
            (work / f"{user}-bodies.json").write_text(json.dumps({op: b for op, b in bodies.items() if b}))
            print(f"== schemathesis as {user} ==", flush=True)
            t = time.monotonic()
            run = subprocess.Popen(
                command,
                cwd=ROOT,
                env={
                    **env,
                    "SCHEMATHESIS_HOOKS": "scripts/fuzz_hooks.py",
                    "FUZZ_BODY_VALUES": str(work / f"{user}-bodies.json"),
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            output = []
            for line in run.stdout or ():
                print(line, end="", flush=True)
                output.append(line)
            code = run.wait()
            bad = judge_warnings("".join(output), user, borrowed)
            if bad:
                print(f"{user}: warnings not in ALLOWED_WARNINGS:\n  " + "\n  ".join(bad), flush=True)
                if args.warnings == "fail":
                    code = max(code, 1)
            print(f"== {user}: exit {code} in {time.monotonic() - t:.0f} s ==", flush=True)
            worst = max(worst, code)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log = (work / "server.log").read_text(errors="replace")
        if "Traceback" in log:
            (ROOT / "var" / "fuzz").mkdir(parents=True, exist_ok=True)
            (ROOT / "var" / "fuzz" / "server.log").write_text(log)
            print("the server logged tracebacks: var/fuzz/server.log", flush=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"fuzzing took {time.monotonic() - started:.0f} s", flush=True)
    return worst


if __name__ == "__main__":
    sys.exit(main())
