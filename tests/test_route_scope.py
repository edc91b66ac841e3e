"""Every route's scope, tested by walking the routes (STYLE.md "Tests"; the
NetBox ViewTestCases idea, with the routes themselves as the list).

Every URL pattern of Django's resolver and every operation of
/api/openapi.json is declared ONCE in ROUTES below, and the sweep tests it:

- ``scoped("unit")`` — the route shows or changes one record, filled with the
  ids of that record of 城关镇 (cg1's township) from tests/route_world.py.
  As dh1 (co-manager of the sibling township 河东镇) reading it answers 404;
  as city (the prefecture, read-only) reading it is allowed but writing is
  not; writing (POST, or the operation's own method) answers 403 or 404 for
  both, and no row anywhere changes. An inside user (cg1 unless ``inside=``)
  must not get a 404, so the ids really point at something.
  ``args=lambda w: {...}`` gives the URL's other arguments; ``body=`` what
  is sent (merged over a plausible body: the inside user's own form, or for
  the API one made from the operation's schema).
- ``unscoped()`` — no record id in the route (a list, a form, a county page):
  whatever dh1 gets, no record of 城关镇 appears in it (their texts carry
  route_world.MARK). ``body=`` makes it post that too (a create naming a
  record of 城关镇 through an id in the body), which must change nothing.
- ``public("why")`` — no login needed (the public complaint pages, sign-in,
  health, the OpenAPI docs).
- ``"admin:*": superuser_only()`` — every Django admin route at once.

Anything else (a page or operation not in ROUTES) fails
test_every_route_is_declared with its name, and so does a declared route that
no longer exists. Adding a route is one line here, next to its app's others:

    "units:detail": scoped("unit"),
    "GET /api/units/{unit_id}": scoped("unit"),
    "units:list": unscoped(),

If the record it needs is not in the world yet, add one line to
route_world.build_world (through the service when it is quick)."""

from __future__ import annotations

import datetime
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.route_world import MARK, World, build_world, jpeg
from xieguan.accounts.schemas import NEW_PASSWORD_FORMAT
from xieguan.accounts.services import token_issue
from xieguan.core.api import COMING_MONTH_DATE_FORMAT, PAST_YEAR_TIME_FORMAT
from xieguan.core.testing import kept_for_module, pdf_inflated

Args = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    kind: str  # public | unscoped | scoped | superuser
    record: str = ""  # the World record whose pk fills the route's ids
    args: Args | None = None
    body: Args | None = None
    inside: str = "cg1"
    owner_only: bool = False  # only its maker sees it: the user above gets 404 too
    writes: bool = True  # False: its form only makes a document, nothing is kept
    why: str = ""


def public(why: str) -> Route:
    return Route("public", why=why)


def unscoped(*, body: Args | None = None, args: Args | None = None, why: str = "") -> Route:
    return Route("unscoped", args=args, body=body, why=why)


def scoped(
    record: str,
    *,
    args: Args | None = None,
    body: Args | None = None,
    inside: str = "cg1",
    owner_only: bool = False,
    writes: bool = True,
) -> Route:
    return Route("scoped", record, args, body, inside, owner_only, writes)


def superuser_only() -> Route:
    return Route("superuser")


UPLOAD = {"target": "inspection_photo", "length": 102, "sha256": "0" * 64, "content_type": "image/jpeg"}


def month_of(w: World) -> dict[str, Any]:
    return {"township_id": w.township.pk, "year": w.monthly.year, "month": w.monthly.month}


LAST_YEAR = datetime.date.today().year - 1


def pdf_upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("越界.pdf", b"%PDF-1.4 out of scope", content_type="application/pdf")


ROUTES: dict[str, Route] = {
    # core, accounts
    "core:home": unscoped(),
    "core:audit": unscoped(),
    "core:healthz": public("the load balancer's health check"),
    "set_language": public("Django's language switch; changes only the visitor's own cookie"),
    "admin:*": superuser_only(),
    "admin:login": public("the admin's own sign-in page"),
    "admin:logout": public("signing out of the admin"),
    "accounts:login": public("the sign-in page"),
    "accounts:logout": public("signing out is harmless without a session"),
    "accounts:password_change": unscoped(),
    "accounts:two_factor_verify": public("the second step of signing in, before the session exists"),
    "accounts:two_factor": unscoped(),
    "accounts:person_two_factor_off": scoped("cg1", inside="bureau"),
    "accounts:institution_list": unscoped(),
    "accounts:institution_create": unscoped(),
    "accounts:institution_detail": scoped("institution"),
    "accounts:institution_edit": scoped("institution", inside="bureau"),
    "accounts:institution_supervisor": scoped("institution", inside="bureau"),
    "accounts:person_list": unscoped(),
    "accounts:person_create": unscoped(),
    "accounts:person_detail": scoped("cg1"),
    "accounts:person_edit": scoped("cg1", inside="bureau"),
    "accounts:person_password": scoped("cg1", inside="bureau"),
    "accounts:person_active": scoped("cg1", inside="bureau"),
    "accounts:person_move": scoped("cg1", inside="bureau"),
    "accounts:token_revoke": scoped("token", args=lambda w: {"pk": w.cg1.pk, "token_id": w.token.pk}),
    "accounts:transfer_list": unscoped(),
    "accounts:lockout_list": unscoped(),
    "accounts:lockout_release": scoped("lock", inside="bureau"),
    "accounts:transfer_decide": scoped("transfer", inside="bureau"),
    # areas
    "areas:list": unscoped(),
    "areas:import": unscoped(),
    "areas:detail": scoped("township"),
    "areas:create": scoped("township", inside="bureau"),
    "areas:edit": scoped("township", inside="bureau"),
    "areas:retire": scoped("township", inside="bureau"),
    "areas:split": scoped("township", inside="bureau"),
    # units
    "units:list": unscoped(),
    "units:create": unscoped(body=lambda w: {"area": w.township.pk, "name": "越界新建"}),
    "units:filing_rate": unscoped(),
    "units:export": unscoped(),
    "units:licence_expiry": unscoped(),
    "units:certificate_expiry": unscoped(),
    "units:import_start": unscoped(),
    "units:import_template": unscoped(args=lambda w: {"code": "food"}),
    "units:import_detail": scoped("import_batch"),
    "units:import_confirm": scoped("import_batch"),
    "units:import_cancel": scoped("import_batch"),
    "units:duplicates": unscoped(),
    "units:pick": unscoped(),
    "accounts:pick_person": unscoped(),
    "accounts:pick_institution": unscoped(),
    "units:detail": scoped("unit"),
    "units:edit": scoped("unit"),
    "units:pdf": scoped("unit"),
    "units:merge": scoped("unit", args=lambda w: {"pk": w.unit.pk, "other": w.other_unit.pk}),
    "units:licence_add": scoped("unit"),
    "units:certificate_add": scoped("unit"),
    # The county's own subtypes and fields bind every township of it (dh1's
    # too): county pages, changed only by the county (403 or 404 for dh1).
    "units:categories": unscoped(),
    "units:subtype_create": unscoped(args=lambda w: {"code": "food"}, body=lambda w: {"name": "越界细类"}),
    "units:field_create": unscoped(args=lambda w: {"code": "food"}, body=lambda w: {"label": "越界字段"}),
    "units:subtype_active": unscoped(
        args=lambda w: {"pk": w.county_subtype.pk}, body=lambda w: {"active": "0"}, why="the county's own subtype"
    ),
    "units:field_active": unscoped(
        args=lambda w: {"pk": w.county_field.pk}, body=lambda w: {"active": "0"}, why="the county's own field"
    ),
    # complaints
    "complaints:new": public("the public complaint form"),
    "complaints:filed": public("the public complaint form's receipt"),
    "complaints:public_villages": public("the public complaint form's village picker"),
    "complaints:public_units": public("the public complaint form's unit search"),
    "complaints:track": public("tracking a complaint by receipt and PIN"),
    "complaints:track_status": public("tracking a complaint by receipt and PIN"),
    "complaints:track_add": public("adding to a complaint by receipt and PIN"),
    "complaints:track_reopen": public("reopening a complaint by receipt and PIN"),
    "complaints:list": unscoped(),
    "complaints:export": unscoped(),
    "complaints:settings": unscoped(),
    "complaints:register": unscoped(),
    "complaints:units": unscoped(),
    "complaints:villages": unscoped(),
    "complaints:photo": scoped("complaint_photo"),
    "complaints:detail": scoped("complaint"),
    "complaints:action": scoped("complaint", args=lambda w: {"pk": w.complaint.pk, "action": "accept"}),
    "complaints:link": scoped("complaint", body=lambda w: {"ln-unit": w.other_unit.pk}),
    # reports
    "reports:list": unscoped(),
    "reports:create": unscoped(),
    "reports:indicators": unscoped(),
    "reports:zero": unscoped(),
    "reports:register": unscoped(),
    "reports:categories": unscoped(),
    "reports:category_create": unscoped(),
    "reports:category_edit": unscoped(args=lambda w: {"code": w.report_category.code}),
    "reports:exposed_list": unscoped(),
    "reports:exposed_create": unscoped(),
    "reports:exposed_detail": scoped("exposed"),
    "reports:photo": scoped("report_photo"),
    "reports:detail": scoped("report"),
    "reports:step": scoped("report", args=lambda w: {"pk": w.report.pk, "action": "verify"}),
    "reports:link": scoped("report", body=lambda w: {"ln-unit": w.unit.pk}),
    # reminders
    "reminders:inbox": unscoped(),
    "reminders:read": unscoped(),
    "reminders:due": unscoped(),
    "reminders:settings": unscoped(),
    "reminders:channel": unscoped(
        body=lambda w: {"area": w.township.pk, "kind": "wecom", "url": "http://127.0.0.1:9/x"}
    ),
    # campaigns
    "campaigns:list": unscoped(),
    "campaigns:create": unscoped(body=lambda w: {"area": w.township.pk, "name": "越界新建"}),
    "campaigns:settings": unscoped(),
    "campaigns:target": scoped("campaign_target"),
    "campaigns:target_record": scoped("campaign_target"),
    "campaigns:detail": scoped("campaign"),
    "campaigns:targets": scoped("campaign"),
    "campaigns:targets_add": scoped("campaign", inside="inst"),
    "campaigns:basis": scoped("campaign"),
    "campaigns:checklist": scoped("campaign", inside="inst", body=lambda w: {"title": "越界", "items": "1 | 越界"}),
    "campaigns:summary": scoped("campaign", inside="inst"),
    "campaigns:summary_docx": scoped("campaign"),
    "campaigns:summary_pdf": scoped("campaign"),
    "campaigns:draw_create": scoped("campaign", inside="inst"),
    "campaigns:draw": scoped("draw", inside="inst"),
    "campaigns:draw_publish": scoped("draw", inside="inst"),
    "campaigns:draw_redraw": scoped("draw", inside="inst"),
    # 双随机一公开: the county's draws, published results and hygiene grades, nothing personal.
    # archives
    "archives:documents": scoped("document", args=lambda w: {"kind": "unit", "owner_id": w.document.owner_id}),
    "archives:document": scoped("document"),
    "archives:version_file": scoped("document_version"),
    "archives:upper_list": unscoped(),
    "archives:upper_create": unscoped(),
    "archives:upper_detail": scoped("upper_document"),
    "archives:upper_acknowledge": scoped("upper_document"),
    "archives:upper_file": scoped("upper_document"),
    "archives:index": unscoped(),
    "archives:year": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "archives:close": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "archives:reopen_request": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "archives:reopen_grant": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "archives:year_area": scoped("year_package", args=lambda w: {"year": LAST_YEAR, "area_id": w.township.pk}),
    "archives:package_start": scoped("year_package", args=lambda w: {"year": LAST_YEAR, "area_id": w.township.pk}),
    "archives:section": scoped(
        "year_package", args=lambda w: {"year": w.year_package.year, "area_id": w.township.pk, "index": 1}
    ),
    "archives:package": scoped("year_package"),
    "archives:package_download": scoped("year_package"),
    "campaigns:public": public("the county's public 双随机 page (SPEC §14), no personal data"),
    "campaigns:public_draw": public("a draw's own public page: its picks, results and whole pool, to recompute"),
    "campaigns:public_draw_json": public("a draw's seed, pool and picks, for anyone to recompute"),
    "campaigns:public_draws_json": public("the county's draws and published results, a page at a time"),
    "campaigns:materials": scoped("campaign", inside="inst", body=lambda w: {"file": jpeg(), "title": "越界材料"}),
    "campaigns:material": scoped("campaign_material", inside="inst"),
    "campaigns:conflicts": unscoped(),
    "campaigns:conflict_create": unscoped(
        body=lambda w: {"unit": w.campaign_target.unit_id, "inspector": w.demo.users["dh1"].pk, "reason": "越界"}
    ),
    "campaigns:conflict_remove": scoped("draw_conflict", inside="inst"),
    # assessments: a county assessment of 城关镇 alone, released; cg1 reads it, dh1 never
    "assessments:list": unscoped(),
    "assessments:create": unscoped(body=lambda w: {"scheme": w.assessment_scheme.pk, "name": "越界考核"}),
    "assessments:detail": scoped("assessment"),
    "assessments:start": scoped("assessment", inside="bureau"),
    "assessments:compute": scoped("assessment", inside="bureau"),
    "assessments:release": scoped("assessment", inside="bureau"),
    "assessments:finalise": scoped("assessment", inside="bureau"),
    "assessments:assign": scoped("assessment", inside="bureau"),
    "assessments:deduction_create": scoped("assessment", inside="inst"),
    "assessments:appeal_create": scoped("assessment"),
    "assessments:bulletin": scoped("assessment", inside="bureau"),
    "assessments:bulletin_publish": scoped("assessment", inside="bureau"),
    "assessments:bulletin_docx": scoped("assessment", inside="bureau"),
    "assessments:bulletin_pdf": scoped("assessment", inside="bureau"),
    "assessments:allocations": scoped("assessment"),
    "assessments:allocations_xlsx": scoped("assessment"),
    "assessments:score": scoped("item_score", inside="inst"),
    "assessments:score_evidence": scoped("item_score"),
    "assessments:appeal_answer": scoped("appeal", inside="bureau"),
    "assessments:schemes": unscoped(),
    "assessments:scheme_create": unscoped(body=lambda w: {"area": w.township.pk, "name": "越界方案"}),
    "assessments:scheme": scoped("assessment_scheme", inside="bureau"),
    # the world's scheme is in use, so its edit page redirects: the body says it is a form that writes
    "assessments:scheme_edit": scoped("assessment_scheme", inside="bureau", body=lambda w: {"name": "越界方案"}),
    "assessments:item_create": scoped("assessment_scheme", inside="bureau"),
    "assessments:scheme_publish": scoped("assessment_scheme", inside="bureau"),
    "assessments:scheme_revise": scoped("assessment_scheme", inside="bureau"),
    "assessments:item_delete": scoped("assessment_item", inside="bureau"),
    "assessments:item_edit": scoped(
        "assessment_item", inside="bureau", body=lambda w: {"name": "越界", "max_score": "1"}
    ),
    "assessments:populations": unscoped(),
    "assessments:population_create": unscoped(
        body=lambda w: {"area": w.township.pk, "year": 2026, "population": 1, "source": "越界"}
    ),
    "assessments:population_import": unscoped(),
    "assessments:visits": unscoped(),
    "assessments:visit_create": unscoped(body=lambda w: {"area": w.township.pk, "supervisors": "越界"}),
    "assessments:visit": scoped("station_visit", inside="inst"),
    # monthly
    "monthly:index": unscoped(),
    "monthly:review": unscoped(),
    "monthly:rates": unscoped(),
    "monthly:settings": unscoped(),
    "monthly:overview": unscoped(),
    "indicators:dashboard": unscoped(),
    "indicators:map_data": unscoped(),
    "indicators:map_xlsx": unscoped(),
    "indicators:summary": unscoped(),
    "indicators:breakdown": unscoped(args=lambda w: {"code": "licence"}),
    "indicators:records": unscoped(args=lambda w: {"code": "health_cert"}),
    "indicators:boundary_data": scoped("county", inside="bureau"),
    "indicators:boundary_upload": scoped("county", inside="bureau"),
    "monthly:overview_drill": scoped(
        "township",
        args=lambda w: {
            "area_id": w.township.pk,
            "year": w.monthly.year,
            "month": w.monthly.month,
            "measure": "opinions",
        },
    ),
    "monthly:summary": scoped(
        "township", args=lambda w: {"township_id": w.township.pk, "year": w.monthly.year}, writes=False
    ),
    "monthly:report": scoped("monthly", args=month_of),
    "monthly:submit": scoped("monthly", args=month_of),
    "monthly:workbook_xlsx": scoped("monthly", args=month_of),
    "monthly:workbook_pdf": scoped("monthly", args=month_of),
    "monthly:return": scoped("monthly", args=month_of, inside="bureau", body=lambda w: {"review_comment": MARK}),
    "monthly:approve": scoped("monthly", args=month_of, inside="bureau"),
    "monthly:unlock_request": scoped("monthly", args=month_of, body=lambda w: {"unlock_reason": MARK}),
    "monthly:unlock_grant": scoped(
        "monthly", args=month_of, inside="bureau", body=lambda w: {"until": timezone.localdate().isoformat()}
    ),
    "monthly:cell": scoped(
        "monthly", args=lambda w: {**month_of(w), "row": "total", "column": "publicity", "period": "month"}
    ),
    # field
    "field:shell": unscoped(),
    "field:sw": public("the field app's service worker script"),
    "field:manifest": public("the field app's manifest"),
    "field:token": unscoped(),
    # outreach
    "outreach:list": unscoped(),
    "outreach:create": unscoped(body=lambda w: {"area": w.township.pk, "theme": "越界新建"}),
    "outreach:due": unscoped(),
    "outreach:photo": scoped("outreach_photo"),
    "outreach:detail": scoped("outreach"),
    "outreach:edit": scoped("outreach"),
    "outreach:delete": scoped("outreach"),
    "outreach:training_list": unscoped(),
    "outreach:training_create": unscoped(),
    "outreach:hours": unscoped(),
    "outreach:hours_person": scoped("cg1"),
    "outreach:training_detail": scoped("training"),
    "outreach:training_edit": scoped("training"),
    "outreach:training_delete": scoped("training"),
    "outreach:training_guest": scoped("training"),
    # Whoever holds the QR code's token signs in, with an account (if it lies
    # in the training's area) or without one (a guest, by name and phone);
    # without the token everyone gets 404 (outreach/tests/test_guests.py).
    "outreach:training_sign_in": public("the QR code's sign-in, for people with and without an account"),
    # inspections
    "inspections:list": unscoped(),
    "inspections:due": unscoped(),
    "inspections:create": unscoped(body=lambda w: {"unit": w.unit.pk}),
    "inspections:register": unscoped(),
    "inspections:plan": unscoped(),
    "inspections:settings": unscoped(),
    "inspections:photo": scoped("photo"),
    "inspections:signature": scoped("signature"),
    "inspections:detail": scoped("inspection"),
    "inspections:autosave": scoped("draft"),
    "inspections:photo_add": scoped("draft", body=lambda w: {"image": jpeg()}),
    "inspections:sign": scoped("draft", body=lambda w: {"role": "representative", "refused": "on"}),
    "inspections:correct": scoped("inspection", body=lambda w: {"reason": MARK}),
    "inspections:pdf": scoped("inspection"),
    "inspections:opinion_create": scoped("inspection"),
    "inspections:opinions": unscoped(),
    "inspections:opinion": scoped("opinion"),
    "inspections:opinion_pdf": scoped("opinion"),
    "inspections:reinspection_create": scoped("opinion"),
    "inspections:reinspection": scoped("reinspection"),
    "inspections:handovers": unscoped(),
    "inspections:handover_create": unscoped(body=lambda w: {"inspection": w.inspection.pk, "reason": "serious"}),
    "inspections:handover": scoped("handover"),
    "inspections:checklists": unscoped(),
    "inspections:checklist_new": unscoped(),
    "inspections:checklist": unscoped(args=lambda w: {"pk": w.checklist.pk}, why="the national checklists"),
    # the API: auth, areas, institutions
    "POST /api/auth/token": public("signing in for a token"),
    "DELETE /api/auth/token": unscoped(why="revokes only the caller's own token"),
    "GET /api/me": unscoped(),
    "POST /api/auth/password": unscoped(why="the caller's own password"),
    "GET /api/auth/two-factor": unscoped(why="the caller's own two-step sign-in"),
    "POST /api/auth/two-factor/start": unscoped(why="the caller's own two-step sign-in"),
    "POST /api/auth/two-factor/confirm": unscoped(why="the caller's own two-step sign-in"),
    "POST /api/auth/two-factor/backup-codes": unscoped(why="the caller's own two-step sign-in"),
    "POST /api/auth/two-factor/off": unscoped(why="the caller's own two-step sign-in"),
    "GET /api/areas": unscoped(),
    "POST /api/areas": unscoped(body=lambda w: {"parent_id": str(w.township.pk), "name": "越界村"}),
    "GET /api/areas/{area_id}": scoped("township"),
    "POST /api/areas/{area_id}/split": scoped(
        "township",
        inside="bureau",
        body=lambda w: {"name": "越界新镇", "code": None, "village_ids": [str(w.township.children.first().pk)]},
    ),
    "GET /api/institutions": unscoped(),
    "POST /api/institutions": unscoped(body=lambda w: {"area_id": str(w.township.pk), "name": "越界机构"}),
    "GET /api/institutions/{institution_id}": scoped("institution"),
    "GET /api/lockouts": unscoped(),
    "POST /api/lockouts/{lock_id}/release": scoped("lock", inside="bureau"),
    "PATCH /api/areas/{area_id}": scoped("township", inside="bureau"),
    "POST /api/areas/{area_id}/retire": scoped("township", inside="bureau"),
    "POST /api/areas/import": unscoped(),
    "PATCH /api/institutions/{institution_id}": scoped("institution", inside="bureau"),
    "PUT /api/institutions/{institution_id}/supervisor": scoped(
        "institution", inside="bureau", body=lambda w: {"supervisor_id": None}
    ),
    "GET /api/people": unscoped(),
    "POST /api/people": unscoped(
        body=lambda w: {
            "institution_id": str(w.institution.pk),
            "username": "yuejie",
            "password": "Yuejie#2026x",
            "full_name": "越界",
            "roles": ["comanager"],
        }
    ),
    "GET /api/people/{person_id}": scoped("cg1"),
    "PATCH /api/people/{person_id}": scoped("cg1", inside="bureau", body=lambda w: {"roles": ["comanager"]}),
    "POST /api/people/{person_id}/password": scoped("cg1", inside="bureau"),
    "POST /api/people/{person_id}/active": scoped("cg1", inside="bureau"),
    "POST /api/people/{person_id}/move": scoped(
        "cg1", inside="bureau", body=lambda w: {"institution_id": str(w.institution.pk)}
    ),
    "POST /api/people/{person_id}/two-factor-off": scoped("cg1", inside="bureau"),
    "GET /api/roles": unscoped(why="the fixed roles, the same for everyone"),
    "GET /api/transfers": unscoped(),
    "POST /api/transfers": unscoped(
        body=lambda w: {"person_id": str(w.cg1.pk), "to_institution_id": str(w.institution.pk), "reason": "越界"}
    ),
    "GET /api/transfers/{transfer_id}": scoped("transfer", inside="bureau"),
    "POST /api/transfers/{transfer_id}/decide": scoped("transfer", inside="bureau"),
    "GET /api/api-tokens": unscoped(why="the caller's own tokens, or a managed person's"),
    "POST /api/api-tokens": unscoped(why="a token for the caller only"),
    "POST /api/api-tokens/{token_id}/revoke": scoped("token"),
    "GET /api/audit-log": unscoped(),
    # units
    "GET /api/units": unscoped(),
    "POST /api/units": unscoped(body=lambda w: {"area_id": str(w.township.pk), "name": "越界新建"}),
    "GET /api/units/{unit_id}": scoped("unit"),
    "PATCH /api/units/{unit_id}": scoped("unit"),
    "GET /api/units/{unit_id}/licences": scoped("unit"),
    "POST /api/units/{unit_id}/licences": scoped("unit"),
    "GET /api/units/{unit_id}/certificates": scoped("unit"),
    "POST /api/units/{unit_id}/certificates": scoped("unit"),
    "GET /api/unit-categories": unscoped(why="the categories as the caller's county has them"),
    "POST /api/unit-categories/{code}/subtypes": unscoped(
        args=lambda w: {"code": "food"},
        body=lambda w: {"county_id": str(w.county.pk), "name": "越界细类"},
        why="dh1's own county's setting",
    ),
    "POST /api/unit-categories/{code}/fields": unscoped(
        args=lambda w: {"code": "food"},
        body=lambda w: {"county_id": str(w.county.pk), "label": "越界字段"},
        why="dh1's own county's setting",
    ),
    "POST /api/unit-categories/subtypes/{subtype_id}/deactivate": unscoped(
        args=lambda w: {"subtype_id": w.county_subtype.pk}, body=lambda w: {}, why="the county's own subtype"
    ),
    "POST /api/unit-categories/subtypes/{subtype_id}/reactivate": unscoped(
        args=lambda w: {"subtype_id": w.county_subtype.pk}, body=lambda w: {}, why="the county's own subtype"
    ),
    "POST /api/unit-categories/fields/{field_id}/deactivate": unscoped(
        args=lambda w: {"field_id": w.county_field.pk}, body=lambda w: {}, why="the county's own field"
    ),
    "POST /api/unit-categories/fields/{field_id}/reactivate": unscoped(
        args=lambda w: {"field_id": w.county_field.pk}, body=lambda w: {}, why="the county's own field"
    ),
    "GET /api/licences": unscoped(),
    "GET /api/certificates": unscoped(),
    "GET /api/units/export": unscoped(),
    "GET /api/units/{unit_id}/file.pdf": scoped("unit"),
    "GET /api/units/duplicates": unscoped(),
    "GET /api/units/filing-rate": unscoped(),
    "POST /api/units/{unit_id}/merge": scoped("unit", body=lambda w: {"merged_id": str(w.other_unit.pk)}),
    "GET /api/unit-imports": unscoped(),
    "POST /api/unit-imports": unscoped(),
    "GET /api/unit-imports/template/{code}": unscoped(args=lambda w: {"code": "food"}),
    "GET /api/unit-imports/{batch_id}": scoped("import_batch"),
    "POST /api/unit-imports/{batch_id}/confirm": scoped("import_batch"),
    "POST /api/unit-imports/{batch_id}/cancel": scoped("import_batch"),
    # outreach
    "GET /api/outreach": unscoped(),
    "POST /api/outreach": unscoped(body=lambda w: {"area_id": str(w.township.pk)}),
    "GET /api/outreach/{record_id}": scoped("outreach"),
    "PATCH /api/outreach/{record_id}": scoped("outreach"),
    "DELETE /api/outreach/{record_id}": scoped("outreach"),
    "GET /api/outreach/{record_id}/photos": scoped("outreach"),
    "POST /api/outreach/{record_id}/photos": scoped("outreach"),
    "GET /api/trainings": unscoped(),
    "POST /api/trainings": unscoped(body=lambda w: {"area_id": str(w.township.pk)}),
    "GET /api/trainings/{training_id}": scoped("training"),
    "PATCH /api/trainings/{training_id}": scoped("training"),
    "DELETE /api/trainings/{training_id}": scoped("training"),
    "POST /api/trainings/{training_id}/attendance": scoped("training", body=lambda w: {"person_id": str(w.cg1.pk)}),
    "POST /api/trainings/{training_id}/guests": scoped(
        "training", body=lambda w: {"name": "越界来宾", "phone": "13800000000", "unit_id": None}
    ),
    # complaints
    "GET /api/complaints": unscoped(),
    "POST /api/complaints": unscoped(body=lambda w: {"township_id": str(w.township.pk)}),
    "GET /api/complaints/{complaint_id}": scoped("complaint"),
    "POST /api/complaints/{complaint_id}/accept": scoped("complaint"),
    "POST /api/complaints/{complaint_id}/not-accept": scoped("complaint"),
    "POST /api/complaints/{complaint_id}/transfer": scoped("complaint"),
    "POST /api/complaints/{complaint_id}/result": scoped("complaint"),
    "POST /api/complaints/{complaint_id}/reply": scoped("complaint"),
    "POST /api/complaints/{complaint_id}/archive": scoped("complaint"),
    "POST /api/complaints/{complaint_id}/link-duplicate": scoped(
        "complaint", body=lambda w: {"original_id": str(w.other_complaint.pk)}
    ),
    "POST /api/complaints/{complaint_id}/links": scoped(
        "complaint", body=lambda w: {"unit_id": str(w.other_unit.pk), "inspection_id": None, "opinion_id": None}
    ),
    "GET /api/public/captcha": public("the public complaint form's CAPTCHA"),
    "POST /api/public/complaints": public("the public complaint form"),
    "GET /api/public/complaints/{receipt}": public("tracking a complaint by receipt and PIN"),
    # reports
    "GET /api/reports": unscoped(),
    "POST /api/reports": unscoped(body=lambda w: {"area_id": str(w.township.pk)}),
    "GET /api/reports/{report_id}": scoped("report"),
    "POST /api/reports/{report_id}/verify": scoped("report"),
    "POST /api/reports/{report_id}/forward": scoped("report"),
    "POST /api/reports/{report_id}/close-unforwarded": scoped("report"),
    "POST /api/reports/{report_id}/handle": scoped("report"),
    "POST /api/reports/{report_id}/feedback": scoped("report"),
    "POST /api/reports/{report_id}/close": scoped("report"),
    "POST /api/reports/{report_id}/photos": scoped("report"),
    "POST /api/reports/{report_id}/links": scoped(
        "report", body=lambda w: {"unit_id": str(w.unit.pk), "inspection_id": str(w.inspection.pk)}
    ),
    "GET /api/report-categories": unscoped(),
    # inspections
    "GET /api/checklists": unscoped(),
    "GET /api/checklists/{checklist_id}": unscoped(args=lambda w: {"checklist_id": w.checklist.pk}),
    "GET /api/inspections": unscoped(),
    "POST /api/inspections": unscoped(body=lambda w: {"unit_id": str(w.unit.pk)}),
    "GET /api/inspections/{inspection_id}": scoped("inspection"),
    "PATCH /api/inspections/{inspection_id}": scoped("draft"),
    "POST /api/inspections/{inspection_id}/submit": scoped("draft"),
    "POST /api/inspections/{inspection_id}/corrections": scoped("inspection"),
    "POST /api/inspections/{inspection_id}/photos": scoped("draft"),
    "POST /api/inspections/{inspection_id}/signatures": scoped(
        "draft", body=lambda w: {"role": "inspector", "user_id": str(w.cg1.pk)}
    ),
    "GET /api/opinions": unscoped(),
    "POST /api/opinions": scoped("inspection", body=lambda w: {"inspection_id": str(w.inspection.pk)}),
    "GET /api/opinions/{opinion_id}": scoped("opinion"),
    "GET /api/reinspections": unscoped(),
    "POST /api/reinspections": scoped("opinion", body=lambda w: {"opinion_id": str(w.opinion.pk)}),
    "GET /api/reinspections/{reinspection_id}": scoped("reinspection"),
    "POST /api/reinspections/{reinspection_id}/photos": scoped("reinspection"),
    "GET /api/handovers": unscoped(),
    "POST /api/handovers": scoped("inspection", body=lambda w: {"inspection_id": str(w.inspection.pk)}),
    "GET /api/handovers/{handover_id}": scoped("handover"),
    "POST /api/handovers/{handover_id}/outcome": scoped("handover", inside="inst"),
    # monthly
    # reminders
    "GET /api/due": unscoped(),
    "GET /api/reminders": unscoped(),
    "POST /api/reminders/read": unscoped(body=lambda w: {}),
    "GET /api/reminder-channels": unscoped(),
    "POST /api/reminder-channels": unscoped(
        body=lambda w: {"area_id": str(w.township.pk), "kind": "wecom", "url": "http://127.0.0.1:9/x", "secret": "k"}
    ),
    "GET /api/reminder-rule": unscoped(),
    "PUT /api/reminder-rule": unscoped(body=lambda w: {"lead_days": 2}),
    "GET /api/reminder-log": unscoped(),
    # archives
    "GET /api/documents": unscoped(),
    "POST /api/documents": unscoped(
        body=lambda w: {"owner_type": "unit", "owner_id": str(w.unit.pk), "title": "越界", "file": pdf_upload()}
    ),
    "GET /api/documents/{document_id}": scoped("document"),
    "POST /api/documents/{document_id}/versions": scoped("document", body=lambda w: {"file": pdf_upload()}),
    "GET /api/document-versions/{version_id}/file": scoped("document_version"),
    "GET /api/upper-documents": unscoped(),
    "POST /api/upper-documents": unscoped(body=lambda w: {"title": "越界", "target_ids": [str(w.township.pk)]}),
    "GET /api/upper-documents/{document_id}": scoped("upper_document"),
    "POST /api/upper-documents/{document_id}/read": scoped("upper_document"),
    "POST /api/upper-documents/{document_id}/acknowledge": scoped("upper_document"),
    "GET /api/upper-documents/{document_id}/file": scoped("upper_document"),
    "GET /api/archive/{year}": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "POST /api/archive/{year}/close": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "POST /api/archive/{year}/reopen-request": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "POST /api/archive/{year}/reopen-grant": unscoped(args=lambda w: {"year": LAST_YEAR}),
    "GET /api/archive-packages": unscoped(),
    "POST /api/archive-packages": unscoped(body=lambda w: {"area_id": str(w.township.pk), "year": LAST_YEAR}),
    "GET /api/archive-packages/{package_id}": scoped("year_package"),
    "GET /api/archive-packages/{package_id}/download": scoped("year_package"),
    # campaigns
    "GET /api/campaigns": unscoped(),
    "GET /api/indicators": unscoped(),
    "GET /api/indicators/map.xlsx": unscoped(),
    "GET /api/indicators/{code}/breakdown": unscoped(args=lambda w: {"code": "licence"}),
    "GET /api/indicators/{code}/records": unscoped(args=lambda w: {"code": "health_cert"}),
    "POST /api/campaigns": unscoped(body=lambda w: {"area_id": str(w.township.pk), "name": "越界新建"}),
    "GET /api/campaigns/{campaign_id}": scoped("campaign"),
    "GET /api/campaigns/{campaign_id}/targets": scoped("campaign"),
    "POST /api/draws": unscoped(body=lambda w: {"campaign_id": str(w.campaign.pk), "count": 1}),
    "GET /api/draws/{draw_id}": scoped("draw", inside="inst"),
    "POST /api/campaigns/{campaign_id}/targets": scoped(
        "campaign", inside="inst", body=lambda w: {"township_id": str(w.township.pk)}
    ),
    "GET /api/campaigns/{campaign_id}/basis": scoped("campaign"),
    "GET /api/campaigns/{campaign_id}/checklist": scoped("campaign"),
    "PUT /api/campaigns/{campaign_id}/checklist": scoped(
        "campaign", inside="inst", body=lambda w: {"title": "越界", "items": [{"code": "1", "text": "越界"}]}
    ),
    "POST /api/campaigns/{campaign_id}/checklist/publish": scoped("campaign", inside="inst"),
    "PUT /api/campaigns/{campaign_id}/summary": scoped("campaign", inside="inst", body=lambda w: {"summary": "改"}),
    "GET /api/campaigns/{campaign_id}/summary.docx": scoped("campaign"),
    "GET /api/campaigns/{campaign_id}/summary.pdf": scoped("campaign"),
    "GET /api/campaign-targets/{target_id}": scoped("campaign_target"),
    "POST /api/campaign-targets/{target_id}/record": scoped("campaign_target"),
    # risk
    "risk:overview": unscoped(),
    "risk:settings": unscoped(),
    "risk:backtest": unscoped(body=lambda w: {"cut_off": "2025-01-01", "months": 3}),
    "GET /api/risk/scores": unscoped(),
    "GET /api/risk/units/{unit_id}": scoped("unit"),
    "GET /api/risk/settings": unscoped(),
    "PUT /api/risk/settings": unscoped(body=lambda w: {"violation": 99}),
    "GET /api/risk/backtest": unscoped(),
    "POST /api/risk/backtest": unscoped(body=lambda w: {"cut_off": "2025-01-01", "months": 3}),
    "risk:reviews": unscoped(body=lambda w: {"year": 2026, "month": 1, "share": 100}),
    "risk:review": scoped("review", inside="inst"),
    "GET /api/risk/reviews": unscoped(),
    "risk:checklists": unscoped(),
    "GET /api/risk/checklist-failures": unscoped(),
    "POST /api/risk/reviews/draw": unscoped(body=lambda w: {"year": 2026, "month": 1, "share": 100}),
    "POST /api/risk/reviews/{review_id}": scoped("review", inside="inst", body=lambda w: {"result": "ok"}),
    "POST /api/risk/reviews/{review_id}/corrected": scoped("review"),
    "GET /api/campaign-settings": unscoped(),
    "PUT /api/campaign-settings": unscoped(body=lambda w: {"comanagers_drawn": True, "results_days": 30}),
    "POST /api/draws/{draw_id}/publish": scoped("draw", inside="inst"),
    "POST /api/draws/{draw_id}/redraw": scoped("draw", inside="inst", body=lambda w: {"reason": "重抽"}),
    "GET /api/public-draws/{county}/draws/{draw_id}": public("a draw's public JSON, for anyone to recompute"),
    "GET /api/public-draws/{county}/draws": public("the county's draws and published results, paged, nothing personal"),
    "GET /api/campaigns/{campaign_id}/materials": scoped("campaign"),
    "POST /api/campaigns/{campaign_id}/materials": scoped(
        "campaign", inside="inst", body=lambda w: {"file": jpeg(), "title": "越界材料"}
    ),
    "GET /api/campaigns/{campaign_id}/materials/{material_id}": scoped(
        "campaign_material",
        inside="inst",
        args=lambda w: {"campaign_id": w.campaign.pk, "material_id": w.campaign_material.pk},
    ),
    "GET /api/draw-conflicts": unscoped(),
    "POST /api/draw-conflicts": unscoped(
        body=lambda w: {
            "unit_id": str(w.campaign_target.unit_id),
            "inspector_id": str(w.demo.users["dh1"].pk),
            "reason": "越界",
        }
    ),
    "DELETE /api/draw-conflicts/{conflict_id}": scoped("draw_conflict", inside="inst"),
    "GET /api/monthly-reports": unscoped(),
    "POST /api/monthly-reports": scoped("monthly", body=lambda w: {"township_id": str(w.township.pk), **month_of(w)}),
    "GET /api/monthly-reports/{report_id}": scoped("monthly"),
    "POST /api/monthly-reports/{report_id}/submit": scoped("monthly"),
    "POST /api/monthly-reports/{report_id}/approve": scoped("monthly", inside="bureau"),
    "POST /api/monthly-reports/{report_id}/return": scoped("monthly", inside="bureau"),
    "POST /api/monthly-reports/{report_id}/unlock-request": scoped("monthly"),
    "POST /api/monthly-reports/{report_id}/unlock-grant": scoped("monthly", inside="bureau"),
    "GET /api/monthly-reports/{report_id}/workbook.xlsx": scoped("monthly"),
    "GET /api/monthly-reports/{report_id}/workbook.pdf": scoped("monthly"),
    "GET /api/monthly-settings/{county_id}": unscoped(
        args=lambda w: {"county_id": w.county.pk}, why="the county's reporting period, read by all its townships"
    ),
    "PUT /api/monthly-settings/{county_id}": unscoped(
        args=lambda w: {"county_id": w.county.pk},
        body=lambda w: {"deadline_day": 1, "period_start_day": 1},
        why="dh1's own county's setting, which only the county changes",
    ),
    # issue 19 item 2, part 1: what the pages of inspections, reports,
    # monthly, outreach and complaints offer, as API operations.
    "POST /api/checklists": unscoped(body=lambda w: {"category": "food"}, why="the caller's county's checklist"),
    "PUT /api/checklists/{checklist_id}/items": unscoped(
        args=lambda w: {"checklist_id": w.checklist.pk},
        body=lambda w: {"title": "越界", "items": [{"code": "1", "text": "越界"}]},
        why="the national checklists",
    ),
    "POST /api/checklists/{checklist_id}/publish": unscoped(
        args=lambda w: {"checklist_id": w.checklist.pk}, body=lambda w: {}, why="the national checklists"
    ),
    "GET /api/frequency-rules": unscoped(why="the caller's county's rules"),
    "PUT /api/frequency-rules": unscoped(body=lambda w: {"period": "month"}, why="dh1's own county's setting"),
    # The county's rule binds every township of it, which reads it (the list
    # shows it): a township's DELETE is a role limit, 403, and the rule stays
    # (inspections/tests/test_api_parity.py), as the county's subtypes above.
    "DELETE /api/frequency-rules/{rule_id}": unscoped(
        args=lambda w: {"rule_id": w.records["frequency_rule"].pk}, why="the county's rule, read by its townships"
    ),
    "GET /api/forbidden-phrases": unscoped(why="the national list and the caller's county's"),
    "POST /api/forbidden-phrases": unscoped(body=lambda w: {"phrase": "越界词"}, why="dh1's own county's list"),
    "DELETE /api/forbidden-phrases/{phrase_id}": scoped("phrase", inside="bureau"),
    "GET /api/monthly-plans": unscoped(),
    "POST /api/monthly-plans": scoped(
        "township", body=lambda w: {"township_id": str(w.township.pk), "year": w.monthly.year, "month": w.monthly.month}
    ),
    "GET /api/monthly-plans/{plan_id}": scoped("plan"),
    "POST /api/monthly-plans/{plan_id}/units": scoped("plan", body=lambda w: {"unit_id": str(w.other_unit.pk)}),
    "DELETE /api/monthly-plans/{plan_id}/units/{unit_id}": scoped(
        "plan", args=lambda w: {"plan_id": w.plan.pk, "unit_id": w.unit.pk}
    ),
    "GET /api/patrol-due": unscoped(),
    "GET /api/patrol-register/{institution_id}.xlsx": scoped("institution"),
    "GET /api/patrol-register/{institution_id}.pdf": scoped("institution"),
    "GET /api/zero-reports": unscoped(),
    "POST /api/zero-reports": unscoped(why="the caller's own station's month"),
    "GET /api/exposed-people": unscoped(),
    "POST /api/exposed-people": unscoped(body=lambda w: {"area_id": str(w.township.pk)}),
    "GET /api/exposed-people/{person_id}": scoped("exposed"),
    "POST /api/report-categories": unscoped(body=lambda w: {"name": "越界类别"}, why="dh1's own county's setting"),
    "PUT /api/report-categories/{code}": unscoped(
        args=lambda w: {"code": w.report_category.code},
        body=lambda w: {"name": "越界类别"},
        why="dh1's own county's setting",
    ),
    "GET /api/report-indicators": unscoped(),
    "GET /api/report-register/{institution_id}.xlsx": scoped("institution"),
    "GET /api/report-register/{institution_id}.pdf": scoped("institution"),
    "GET /api/monthly-rates": unscoped(),
    "GET /api/monthly-overview": unscoped(),
    "GET /api/monthly-overview/{area_id}/{year}/{month}/opinions": scoped(
        "township", args=lambda w: {"area_id": w.township.pk, "year": w.monthly.year, "month": w.monthly.month}
    ),
    "GET /api/monthly-cells/{township_id}/{year}/{month}/{row}/{column}/{period}": scoped(
        "township", args=lambda w: {**month_of(w), "row": "total", "column": "publicity", "period": "month"}
    ),
    "GET /api/monthly-summaries/{township_id}/{year}": scoped(
        "township", args=lambda w: {"township_id": w.township.pk, "year": w.monthly.year}
    ),
    "POST /api/monthly-summaries/{township_id}/{year}/document": scoped(
        "township", args=lambda w: {"township_id": w.township.pk, "year": w.monthly.year}, writes=False
    ),
    "GET /api/training-hours": unscoped(),
    "GET /api/training-hours/{person_id}": scoped("cg1"),
    "GET /api/complaints/export.xlsx": unscoped(),
    "GET /api/complaint-settings": unscoped(why="the caller's county's setting"),
    "PUT /api/complaint-settings": unscoped(
        body=lambda w: {"accept_days": 1, "handle_days": 1, "reply_days": 1, "reopen_days": 1, "near_days": 0},
        why="dh1's own county's setting, which only the county changes",
    ),
    "GET /api/calendar-overrides": unscoped(why="the caller's county's calendar"),
    "PUT /api/calendar-overrides/{date}": unscoped(
        args=lambda w: {"date": "2026-10-10"}, body=lambda w: {"is_workday": True}, why="dh1's own county's calendar"
    ),
    "DELETE /api/calendar-overrides/{date}": unscoped(
        args=lambda w: {"date": "2026-10-10"}, body=lambda w: {}, why="dh1's own county's calendar"
    ),
    # field
    # assessments
    "GET /api/assessment-schemes": unscoped(),
    "POST /api/assessment-schemes": unscoped(body=lambda w: {"area_id": str(w.township.pk), "name": "越界方案"}),
    "GET /api/assessment-schemes/{scheme_id}": scoped("assessment_scheme", inside="bureau"),
    "PATCH /api/assessment-schemes/{scheme_id}": scoped("assessment_scheme", inside="bureau"),
    "POST /api/assessment-schemes/{scheme_id}/items": scoped("assessment_scheme", inside="bureau"),
    "PATCH /api/assessment-schemes/{scheme_id}/items/{item_id}": scoped(
        "assessment_item",
        inside="bureau",
        args=lambda w: {"scheme_id": w.assessment_scheme.pk, "item_id": w.assessment_item.pk},
    ),
    "DELETE /api/assessment-schemes/{scheme_id}/items/{item_id}": scoped(
        "assessment_item",
        inside="bureau",
        args=lambda w: {"scheme_id": w.assessment_scheme.pk, "item_id": w.assessment_item.pk},
    ),
    "POST /api/assessment-schemes/{scheme_id}/publish": scoped("assessment_scheme", inside="bureau"),
    "POST /api/assessment-schemes/{scheme_id}/revise": scoped("assessment_scheme", inside="bureau"),
    "GET /api/assessments": unscoped(),
    "POST /api/assessments": unscoped(
        body=lambda w: {"scheme_id": str(w.assessment_scheme.pk), "area_ids": [str(w.township.pk)], "name": "越界"}
    ),
    "GET /api/assessments/{assessment_id}": scoped("assessment"),
    "POST /api/assessments/{assessment_id}/start": scoped("assessment", inside="bureau"),
    "POST /api/assessments/{assessment_id}/compute": scoped("assessment", inside="bureau"),
    "POST /api/assessments/{assessment_id}/release": scoped("assessment", inside="bureau"),
    "POST /api/assessments/{assessment_id}/finalise": scoped("assessment", inside="bureau"),
    "POST /api/assessments/{assessment_id}/reviewers": scoped("assessment", inside="bureau"),
    "GET /api/assessments/{assessment_id}/scores": scoped("assessment"),
    "GET /api/assessments/{assessment_id}/deductions": scoped("assessment"),
    "POST /api/assessments/{assessment_id}/deductions": scoped("assessment", inside="inst"),
    "GET /api/assessments/{assessment_id}/appeals": scoped("assessment"),
    "POST /api/assessments/{assessment_id}/appeals": scoped("assessment"),
    "GET /api/assessments/{assessment_id}/allocations": scoped("assessment"),
    "POST /api/assessments/{assessment_id}/allocations": scoped("assessment", inside="bureau"),
    "GET /api/assessments/{assessment_id}/allocations.xlsx": scoped("assessment"),
    "GET /api/assessments/{assessment_id}/bulletin": scoped("assessment", inside="bureau"),
    "PUT /api/assessments/{assessment_id}/bulletin": scoped("assessment", inside="bureau"),
    "POST /api/assessments/{assessment_id}/bulletin/publish": scoped("assessment", inside="bureau"),
    "GET /api/assessments/{assessment_id}/bulletin.docx": scoped("assessment", inside="bureau"),
    "GET /api/assessments/{assessment_id}/bulletin.pdf": scoped("assessment", inside="bureau"),
    "GET /api/assessment-scores/{score_id}": scoped("item_score"),
    "PUT /api/assessment-scores/{score_id}": scoped("item_score", inside="inst"),
    "GET /api/assessment-appeals/{appeal_id}": scoped("appeal"),
    "POST /api/assessment-appeals/{appeal_id}/answer": scoped("appeal", inside="bureau"),
    "GET /api/populations": unscoped(),
    "POST /api/populations": unscoped(body=lambda w: {"area_id": str(w.township.pk), "year": 2026, "population": 1}),
    "POST /api/populations/import": unscoped(why="reads names inside the caller's own area only"),
    "GET /api/station-visits": unscoped(),
    "POST /api/station-visits": unscoped(
        body=lambda w: {"area_id": str(w.township.pk), "visited_on": "2026-01-05", "supervisors": "越界"}
    ),
    "GET /api/station-visits/{visit_id}": scoped("station_visit", inside="inst"),
    "GET /api/field/bootstrap": unscoped(),
    "POST /api/uploads": scoped("draft", body=lambda w: {"record_id": str(w.draft.pk), **UPLOAD}),
    "HEAD /api/uploads/{upload_id}": scoped("upload", owner_only=True),
    "GET /api/uploads/{upload_id}": scoped("upload", owner_only=True),
    "PATCH /api/uploads/{upload_id}": scoped("upload", owner_only=True),
}

# The resolver's own entries for the API: the operations are declared above
# by method and path; these three are not operations.
API_PLUMBING = {
    "api:openapi-json": public("the OpenAPI document"),
    "api:openapi-view": public("the browsable OpenAPI docs"),
    "api:api-root": public("the API's root, which only answers 404"),
}
ROUTES.update(API_PLUMBING)

# Beside, above (read-only), and the inside users the controls are made with.
VISITORS = ("dh1", "city", "cg1", "inst", "bureau")


# ----------------------------------------------------------------- the routes


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    kwargs: tuple[str, ...]
    groups: int = 0  # a regex's unnamed groups


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Page]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = entry.pattern
            kwargs = tuple(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            groups = pattern.regex.groups if not kwargs else 0
            yield Page(name, prefix + str(pattern), kwargs, groups)


def resolver_pages() -> dict[str, Page]:
    """Every URL pattern Django resolves, by its full name."""
    return {page.name: page for page in _walk(get_resolver().url_patterns)}


def declared(name: str) -> Route | None:
    if name in ROUTES:
        return ROUTES[name]
    namespace = name.split(":")[0]
    return ROUTES.get(f"{namespace}:*")


def _is_api(page: Page) -> bool:
    return page.route.startswith("api/") and page.name not in API_PLUMBING


PAGES = resolver_pages()
ADMIN_PAGES = sorted(name for name in PAGES if name.startswith("admin:") and name not in ROUTES)


def _keys(kind: str) -> list[str]:
    return sorted(key for key, route in ROUTES.items() if route.kind == kind and not key.endswith(":*"))


# ----------------------------------------------------------------- the world


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """The demo county and one record of every kind in 城关镇, made once for
    the module inside a transaction that is rolled back at its end
    (core.testing.kept_for_module); each test runs in a savepoint inside it,
    so a write that got through is undone too."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("sweep-media")))
    media.enable()

    def build() -> World:
        world = build_world()
        world.keys = {name: token_issue(user=world.demo.users[name])[1] for name in VISITORS}
        return world

    try:
        yield from kept_for_module(django_db_blocker, build)
    finally:
        media.disable()


@pytest.fixture
def w(world: World, db: Any) -> World:
    cache.clear()  # the public pages' limits and sign-in lockouts live there
    return world


def fingerprint(record: Any) -> dict[str, Any]:
    """The number of rows of every model of ours, and the record's own row."""
    counts = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("xieguan.")
    }
    if record is not None:
        row = type(record)._base_manager.filter(pk=record.pk).values().first()
        counts["row"] = json.dumps(row, default=str, sort_keys=True)
    return counts


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: (before[key], after.get(key)) for key in before if before[key] != after.get(key)}


def content_of(response: Any) -> bytes:
    """The text of a page, a JSON answer, a workbook or a PDF, to look for MARK in."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    if body.startswith(b"%PDF"):
        return pdf_inflated(body)
    return body


class Visitors:
    """Who the sweep sends requests as: signed in (pages) and with a token
    (API), made before the data's fingerprint is taken, since signing in
    writes (last login, the sign-in audit)."""

    def __init__(self, w: World) -> None:
        self.users = w.demo.users
        self.pages: dict[str | None, Client] = {None: Client()}
        self.tokens: dict[str | None, dict[str, str]] = {None: {}}
        for name in VISITORS:
            self.pages[name] = Client()
            self.pages[name].force_login(self.users[name])
            self.tokens[name] = {"HTTP_AUTHORIZATION": f"Bearer {w.keys[name]}"}


# -------------------------------------------------------- plausible bodies


class _FormFields(HTMLParser):
    """The fields of a page's forms with their current values: what the
    inside user would send back."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, Any] = {}
        self.post_actions: list[str] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.post_actions.append(a.get("action") or "")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "checkbox", "radio"):
            self.fields.setdefault(name, a.get("value") or "")
        elif tag == "input" and name and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.fields.setdefault(name, a.get("value") or "on")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_body(html: str, url: str) -> tuple[dict[str, Any], bool]:
    """The page's form, with every free text changed, so a write that got
    through would show in the row; and whether the page posts to itself
    (if not, a POST to it is not a write and is answered like a GET)."""
    parser = _FormFields()
    parser.feed(html)
    posts_to_itself = any(action in ("", url) for action in parser.post_actions)
    body = {}
    for name, value in parser.fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        body[name] = value + "改" if value and not re.fullmatch(r"[\d.:\- T+]+|[0-9a-f-]{36}", value) else value
    return body, posts_to_itself


def schema_body(schema: dict[str, Any], doc: dict[str, Any]) -> Any:
    """A value of every property of an OpenAPI schema: what a client would send."""
    if "$ref" in schema:
        return schema_body(doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], doc)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return schema_body(options[0], doc) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        return {name: schema_body(sub, doc) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    # The document's own formats for rules that move with the day
    # (xieguan.core.api) and for a new password (xieguan.accounts.schemas).
    if fmt in ("date", COMING_MONTH_DATE_FORMAT):
        return timezone.localdate().isoformat()
    if fmt in ("date-time", PAST_YEAR_TIME_FORMAT):
        return timezone.now().isoformat()
    if fmt == NEW_PASSWORD_FORMAT:
        return "Xg7#kqpw-Lm2"
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "binary":
        return jpeg()
    return f"{MARK}改"


# ------------------------------------------------------------------ requests


@dataclass
class Call:
    """One route, filled with the ids of a record of 城关镇, ready to be sent."""

    key: str
    method: str  # GET for pages; the operation's method for the API
    url: str
    api: bool
    body: Callable[[str], tuple[dict[str, Any], dict[str, Any]]]
    writes: bool = True  # False: a page that only shows, whatever the method

    def send(self, visitors: Visitors, who: str | None, method: str) -> Any:
        """``method`` as ``who`` (None: nobody signed in), with a plausible body."""
        if self.api:
            client, headers = visitors.pages[None], visitors.tokens[who]
        else:
            client, headers = visitors.pages[who], {}
        if method in ("GET", "HEAD"):
            return getattr(client, method.lower())(self.url, **headers)
        data, more = self.body(method)
        if "raw" in more:
            return client.generic(
                method, self.url, data=more["raw"], content_type=more["content_type"], **more["headers"], **headers
            )
        if method == "POST" and (more.get("multipart") or not self.api):
            return client.post(self.url, data, **headers)
        body = json.dumps(data, default=str)
        return client.generic(method, self.url, data=body, content_type="application/json", **headers)


_OPENAPI: dict[str, Any] = {}


def openapi() -> dict[str, Any]:
    """/api/openapi.json, fetched through the test client once."""
    if not _OPENAPI:
        response = Client().get("/api/openapi.json")
        assert response.status_code == 200
        _OPENAPI.update(response.json())
    return _OPENAPI


def call_for(key: str, w: World, visitors: Visitors) -> Call:
    """The route ``key`` filled with the ids of its record of 城关镇."""
    route = ROUTES[key]
    extra = route.args(w) if route.args else {}
    record = w.records.get(route.record) if route.record else None

    def declared_body() -> dict[str, Any]:
        return route.body(w) if route.body else {}  # afresh each time: a file is read once

    if " /api/" in key:
        method, path = key.split(" ", 1)
        values = {name: extra.get(name, getattr(record, "pk", "")) for name in re.findall(r"{(\w+)}", path)}
        url = path.format(**{name: str(value) for name, value in values.items()})
        content = openapi()["paths"][path][method.lower()].get("requestBody", {}).get("content", {})

        def api_body(_method: str) -> tuple[dict[str, Any], dict[str, Any]]:
            if "application/json" in content:
                return {**schema_body(content["application/json"]["schema"], openapi()), **declared_body()}, {}
            if "multipart/form-data" in content:
                data = schema_body(content["multipart/form-data"]["schema"], openapi())
                return {**data, **declared_body()}, {"multipart": True}
            if content:  # a chunk of an upload
                headers = {"HTTP_UPLOAD_OFFSET": "0", "HTTP_TUS_RESUMABLE": "1.0.0"}
                return {}, {"raw": b"\xff\xd8" + b"0" * 100, "content_type": next(iter(content)), "headers": headers}
            return declared_body(), {}

        return Call(key, method, url, True, api_body, writes=route.writes and method not in ("GET", "HEAD"))

    page = PAGES[key]
    values = {name: extra.get(name, getattr(record, "pk", "")) for name in page.kwargs}
    url = reverse(key, kwargs=values) if values else reverse(key)
    inside = visitors.pages.get(route.inside if route.kind == "scoped" else "dh1")
    page_of_inside = inside.get(url) if inside else None
    html = page_of_inside.content.decode(errors="replace") if page_of_inside and not page_of_inside.streaming else ""
    form, posts_to_itself = form_body(html, url)
    writes = route.writes and (
        posts_to_itself or route.body is not None or (page_of_inside is not None and page_of_inside.status_code == 405)
    )

    def page_body(_method: str) -> tuple[dict[str, Any], dict[str, Any]]:
        return {**(form or {"note": f"{MARK}改"}), **declared_body()}, {}

    return Call(key, "GET", url, False, page_body, writes=writes)


def _reads(call: Call) -> bool:
    return call.method in ("GET", "HEAD")


def _refused_anonymous(call: Call, visitors: Visitors) -> bool:
    """Nobody signed in is sent to sign in (pages) or answered 401 (API); a
    page that only takes POST is asked with POST."""
    response = call.send(visitors, None, call.method)
    if response.status_code == 405 and _reads(call):
        response = call.send(visitors, None, "POST")
    if call.api or response.status_code == 401:  # the field app's JSON pages answer 401 too
        return response.status_code == 401
    return response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# ---------------------------------------------------------------- the tests


def test_every_route_is_declared(w: World) -> None:
    """A page or operation no one declared fails here, with its name; so
    does a declaration whose route is gone."""
    operations = {f"{method.upper()} {path}" for path, ops in openapi()["paths"].items() for method in ops}
    api_paths = {re.sub(r"{(\w+)}", r"<\1>", key.split(" ", 1)[1].lstrip("/")) for key in operations}
    pages = {name for name, page in PAGES.items() if not (_is_api(page) and page.route in api_paths)}
    undeclared = sorted(name for name in pages | operations if declared(name) is None)
    assert not undeclared, f"declare these routes in ROUTES (tests/test_route_scope.py): {undeclared}"
    stale = sorted(
        key
        for key in ROUTES
        if key not in pages | operations and not (key.endswith(":*") and any(p.startswith(key[:-1]) for p in pages))
    )
    assert not stale, f"declared in ROUTES but no longer a route: {stale}"


@pytest.mark.parametrize("key", _keys("scoped"))
def test_scoped_route_refuses_beside_and_above(w: World, key: str) -> None:
    """dh1 (the sibling township) gets 404; city (the prefecture, read-only)
    may read but not write; nothing changes; an inside user finds the record."""
    visitors = Visitors(w)
    call = call_for(key, w, visitors)
    route = ROUTES[key]
    record = w.records[route.record]
    writes = (("POST",) if not call.api else ()) if _reads(call) else (call.method,)
    before = fingerprint(record)

    assert _refused_anonymous(call, visitors), (key, "anonymous")
    if _reads(call):
        read = call.send(visitors, "dh1", call.method)
        assert read.status_code in (404, 405), (key, "dh1 reads", read.status_code)
        read = call.send(visitors, "city", call.method)
        # The prefecture reads everything under it; a form page may refuse it.
        allowed = (404,) if route.owner_only else (200, 403, 405) if call.writes else (200,)
        assert read.status_code in allowed, (key, "city reads", read.status_code)
    for method in writes:
        written = call.send(visitors, "dh1", method)
        assert written.status_code in (404, 405), (key, f"dh1 {method}", written.status_code)
        written = call.send(visitors, "city", method)
        allowed = (403, 404, 405) if call.writes else (200, 403, 404, 405)
        assert written.status_code in allowed, (key, f"city {method}", written.status_code)
    assert not changed(before, fingerprint(record)), f"{key}: a refused request changed data"

    if route.inside in visitors.pages:
        control = call.send(visitors, route.inside, call.method if _reads(call) else "GET")
        if control.status_code == 405:
            control = call.send(visitors, route.inside, writes[0] if writes else "POST")
        assert control.status_code != 404 and control.status_code < 500, (
            key,
            f"{route.inside} (inside) should find the record",
            control.status_code,
        )


@pytest.mark.parametrize("key", _keys("unscoped"))
def test_unscoped_route_never_shows_another_township(w: World, key: str) -> None:
    """What dh1 gets from a list, a form or a county page holds nothing of
    城关镇; a create naming a record of 城关镇 changes nothing."""
    visitors = Visitors(w)
    call = call_for(key, w, visitors)
    route = ROUTES[key]
    assert _refused_anonymous(call, visitors), (key, "anonymous")
    if _reads(call):
        response = call.send(visitors, "dh1", call.method)
        assert response.status_code < 500, (key, response.status_code)
        assert MARK.encode() not in content_of(response), f"{key} shows 城关镇's records to dh1"
        assert call.send(visitors, "city", call.method).status_code < 500
    if route.body is not None or not _reads(call):
        before = fingerprint(None)
        response = call.send(visitors, "dh1", "POST" if _reads(call) else call.method)
        assert response.status_code < 500, (key, response.status_code)
        if route.body is not None:
            assert not changed(before, fingerprint(None)), f"{key}: dh1 made or changed data in 城关镇"


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_route_is_for_superusers_only(w: World, name: str) -> None:
    """Django's admin is for system administrators: dh1 and city are sent to its sign-in."""
    visitors = Visitors(w)
    page = PAGES[name]
    if page.name.endswith(":None"):  # the admin's catch-all, which has no name
        url = "/admin/anything/"
    elif page.kwargs:
        url = reverse(name, kwargs={kw: "units" if kw == "app_label" else "1" for kw in page.kwargs})
    else:
        url = reverse(name, args=["1"] * page.groups)
    for who in ("dh1", "city"):
        response = visitors.pages[who].get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (name, who)


def test_markers_are_shown_to_the_inside_user(w: World) -> None:
    """The control for the MARK checks: cg1 does see 城关镇's records in the
    lists, and the county's leader the lock on a person of 城关镇."""
    visitors = Visitors(w)
    for who, name in (
        ("cg1", "units:list"),
        ("cg1", "outreach:list"),
        ("cg1", "reports:list"),
        ("cg1", "complaints:list"),
        ("cg1", "inspections:opinions"),
        ("bureau", "accounts:lockout_list"),
    ):
        assert MARK.encode() in content_of(visitors.pages[who].get(reverse(name))), name
    listing = visitors.pages[None].get("/api/lockouts", **visitors.tokens["bureau"])
    assert MARK in json.dumps(listing.json(), ensure_ascii=False)


def test_an_address_lock_is_for_system_administrators_only(w: World) -> None:
    """A lock on an address belongs to no area: the county's leader, dh1 and
    city neither see it nor release it, by page or API, and it stays; a
    system administrator sees it."""
    visitors = Visitors(w)
    lock = w.address_lock
    before = fingerprint(lock)
    for who in ("bureau", "dh1", "city"):
        page, token = visitors.pages[who], visitors.tokens[who]
        assert lock.ip_address not in page.get(reverse("accounts:lockout_list")).content.decode(), who
        assert page.post(reverse("accounts:lockout_release", args=[lock.pk])).status_code == 404, who
        api = visitors.pages[None]
        assert lock.ip_address not in api.get("/api/lockouts", **token).content.decode(), who
        assert api.post(f"/api/lockouts/{lock.pk}/release", **token).status_code == 404, who
    assert not changed(before, fingerprint(lock))
    admin = Client()
    admin.force_login(w.demo.users["admin"])
    assert lock.ip_address in admin.get(reverse("accounts:lockout_list")).content.decode()
