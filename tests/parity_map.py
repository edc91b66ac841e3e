"""Every named page route and what stands for it in the API (issue 19 item
2): the operations (``"METHOD /api/path"`` as in /api/openapi.json) that do
what the page does, with the same service, scope and audit, or a reason
starting "no action:" for a page that offers nothing to do through an API.
tests/test_api_parity.py holds the two together.

Two halves: PARITY_CORE here (core, accounts, areas, units, field,
campaigns, the language switch) and tests/parity_map_part1.py (inspections, monthly,
reports, outreach, complaints)."""

from __future__ import annotations

from tests.parity_map_part1 import PARITY as PARITY_PART1

Mapping = list[str] | str

PART1_APPS = ("inspections", "monthly", "reports", "outreach", "complaints")

PARITY_CORE: dict[str, Mapping] = {
    # core
    "core:home": ["GET /api/me"],
    "core:audit": ["GET /api/audit-log"],
    "core:healthz": "no action: the load balancer's health check, with no login and no data",
    "set_language": "no action: Django's language switch only sets the visitor's own cookie",
    # accounts: signing in
    "accounts:login": ["POST /api/auth/token"],
    "accounts:logout": ["DELETE /api/auth/token"],
    "accounts:two_factor_verify": ["POST /api/auth/token"],  # the code goes as otp
    "accounts:password_change": ["POST /api/auth/password"],
    "accounts:two_factor": [
        "GET /api/auth/two-factor",
        "POST /api/auth/two-factor/start",
        "POST /api/auth/two-factor/confirm",
        "POST /api/auth/two-factor/backup-codes",
        "POST /api/auth/two-factor/off",
    ],
    # accounts: institutions
    "accounts:institution_list": ["GET /api/institutions"],
    "accounts:institution_create": ["POST /api/institutions"],
    "accounts:institution_detail": ["GET /api/institutions/{institution_id}", "GET /api/people"],
    "accounts:institution_edit": ["PATCH /api/institutions/{institution_id}"],
    "accounts:institution_supervisor": ["PUT /api/institutions/{institution_id}/supervisor"],
    # accounts: people, transfers, tokens, locks
    "accounts:person_list": ["GET /api/people", "GET /api/roles"],
    "accounts:pick_person": ["GET /api/people"],  # q searches as the picker does
    "accounts:pick_institution": ["GET /api/institutions"],
    "accounts:person_create": ["POST /api/people"],
    "accounts:person_detail": ["GET /api/people/{person_id}", "GET /api/api-tokens"],
    "accounts:person_edit": ["PATCH /api/people/{person_id}"],
    "accounts:person_password": ["POST /api/people/{person_id}/password"],
    "accounts:person_active": ["POST /api/people/{person_id}/active"],
    "accounts:person_move": ["POST /api/people/{person_id}/move", "POST /api/transfers"],
    "accounts:person_two_factor_off": ["POST /api/people/{person_id}/two-factor-off"],
    "accounts:token_revoke": ["POST /api/api-tokens/{token_id}/revoke"],
    "accounts:transfer_list": ["GET /api/transfers"],
    "accounts:transfer_decide": ["GET /api/transfers/{transfer_id}", "POST /api/transfers/{transfer_id}/decide"],
    "accounts:lockout_list": ["GET /api/lockouts"],
    "accounts:lockout_release": ["POST /api/lockouts/{lock_id}/release"],
    # areas
    "areas:list": ["GET /api/areas"],
    "areas:detail": ["GET /api/areas/{area_id}", "GET /api/areas", "GET /api/institutions"],
    "areas:create": ["POST /api/areas"],
    "areas:edit": ["PATCH /api/areas/{area_id}"],
    "areas:retire": ["POST /api/areas/{area_id}/retire"],
    "areas:split": ["POST /api/areas/{area_id}/split"],
    "areas:import": ["POST /api/areas/import"],
    # units
    "units:list": ["GET /api/units"],
    "units:create": ["POST /api/units"],
    "units:detail": ["GET /api/units/{unit_id}"],
    "units:edit": ["PATCH /api/units/{unit_id}"],
    "units:pdf": ["GET /api/units/{unit_id}/file.pdf"],
    "units:pick": ["GET /api/units"],  # q searches as the picker does
    "units:export": ["GET /api/units/export"],
    "units:filing_rate": ["GET /api/units/filing-rate"],
    "units:licence_expiry": ["GET /api/licences"],
    "units:certificate_expiry": ["GET /api/certificates"],
    "units:licence_add": ["POST /api/units/{unit_id}/licences"],
    "units:certificate_add": ["POST /api/units/{unit_id}/certificates"],
    "units:import_start": ["POST /api/unit-imports", "GET /api/unit-imports"],
    "units:import_template": ["GET /api/unit-imports/template/{code}"],
    "units:import_detail": ["GET /api/unit-imports/{batch_id}"],
    "units:import_confirm": ["POST /api/unit-imports/{batch_id}/confirm"],
    "units:import_cancel": ["POST /api/unit-imports/{batch_id}/cancel"],
    "units:duplicates": ["GET /api/units/duplicates"],
    "units:merge": ["GET /api/units/{unit_id}", "POST /api/units/{unit_id}/merge"],
    "units:categories": ["GET /api/unit-categories"],
    "units:subtype_create": ["POST /api/unit-categories/{code}/subtypes"],
    "units:field_create": ["POST /api/unit-categories/{code}/fields"],
    "units:subtype_active": [
        "POST /api/unit-categories/subtypes/{subtype_id}/deactivate",
        "POST /api/unit-categories/subtypes/{subtype_id}/reactivate",
    ],
    "units:field_active": [
        "POST /api/unit-categories/fields/{field_id}/deactivate",
        "POST /api/unit-categories/fields/{field_id}/reactivate",
    ],
    # field: the offline app, which works through the API already
    "field:shell": ["GET /api/field/bootstrap"],
    "field:token": ["POST /api/api-tokens"],
    "field:sw": "no action: the offline app's service worker script",
    "field:manifest": "no action: the offline app's web manifest",
    # reminders: the due list, the inbox, the county's reminder settings
    "reminders:inbox": ["GET /api/reminders"],
    "reminders:read": ["POST /api/reminders/read"],
    "reminders:due": ["GET /api/due"],
    "reminders:settings": [
        "GET /api/reminder-rule",
        "PUT /api/reminder-rule",
        "GET /api/reminder-channels",
        "GET /api/reminder-log",
    ],
    "reminders:channel": ["POST /api/reminder-channels"],
    # archives (issue 25): documents, documents from above, the archive by year, packages
    "archives:documents": ["GET /api/documents", "POST /api/documents"],
    "archives:document": ["GET /api/documents/{document_id}", "POST /api/documents/{document_id}/versions"],
    "archives:version_file": ["GET /api/document-versions/{version_id}/file"],
    "archives:upper_list": ["GET /api/upper-documents"],
    "archives:upper_create": ["POST /api/upper-documents"],
    "archives:upper_detail": ["GET /api/upper-documents/{document_id}", "POST /api/upper-documents/{document_id}/read"],
    "archives:upper_acknowledge": ["POST /api/upper-documents/{document_id}/acknowledge"],
    "archives:upper_file": ["GET /api/upper-documents/{document_id}/file"],
    "archives:index": ["GET /api/archive/{year}", "GET /api/archive-packages"],
    "archives:year": ["GET /api/archive/{year}"],
    "archives:year_area": ["GET /api/archive/{year}"],
    "archives:section": "no action: the section's records are read through their own apps' list endpoints",
    "archives:close": ["POST /api/archive/{year}/close"],
    "archives:reopen_request": ["POST /api/archive/{year}/reopen-request"],
    "archives:reopen_grant": ["POST /api/archive/{year}/reopen-grant"],
    "archives:package_start": ["POST /api/archive-packages"],
    "archives:package": ["GET /api/archive-packages/{package_id}"],
    "archives:package_download": ["GET /api/archive-packages/{package_id}/download"],
    # campaigns: special campaigns and 双随机一公开
    "campaigns:list": ["GET /api/campaigns"],
    "campaigns:create": ["POST /api/campaigns"],
    "campaigns:settings": ["GET /api/campaign-settings", "PUT /api/campaign-settings"],
    "campaigns:target": ["GET /api/campaign-targets/{target_id}"],
    "campaigns:target_record": ["POST /api/campaign-targets/{target_id}/record"],
    "campaigns:detail": ["GET /api/campaigns/{campaign_id}", "GET /api/campaigns/{campaign_id}/targets"],
    "campaigns:targets": ["GET /api/campaigns/{campaign_id}/targets"],
    "campaigns:targets_add": ["POST /api/campaigns/{campaign_id}/targets"],
    "campaigns:basis": ["GET /api/campaigns/{campaign_id}/basis"],
    "campaigns:checklist": [
        "GET /api/campaigns/{campaign_id}/checklist",
        "PUT /api/campaigns/{campaign_id}/checklist",
        "POST /api/campaigns/{campaign_id}/checklist/publish",
    ],
    "campaigns:summary": ["PUT /api/campaigns/{campaign_id}/summary", "GET /api/campaigns/{campaign_id}/summary.docx"],
    "campaigns:summary_docx": ["GET /api/campaigns/{campaign_id}/summary.docx"],
    "campaigns:summary_pdf": ["GET /api/campaigns/{campaign_id}/summary.pdf"],
    "campaigns:draw_create": ["POST /api/draws"],
    "campaigns:draw": ["GET /api/draws/{draw_id}"],
    "campaigns:draw_publish": ["POST /api/draws/{draw_id}/publish"],
    "campaigns:draw_redraw": ["POST /api/draws/{draw_id}/redraw"],
    "campaigns:public": (
        "no action: the county's read-only public page without login; each draw it lists is "
        "GET /api/public-draws/{county}/draws/{draw_id}"
    ),
    "campaigns:public_draw": ["GET /api/public-draws/{county}/draws/{draw_id}"],
    "campaigns:public_draw_json": ["GET /api/public-draws/{county}/draws/{draw_id}"],
    "campaigns:public_draws_json": ["GET /api/public-draws/{county}/draws"],
    "campaigns:materials": [
        "POST /api/campaigns/{campaign_id}/materials",
        "GET /api/campaigns/{campaign_id}/materials",
    ],
    "campaigns:material": ["GET /api/campaigns/{campaign_id}/materials/{material_id}"],
    "campaigns:conflicts": ["GET /api/draw-conflicts"],
    "campaigns:conflict_create": ["POST /api/draw-conflicts"],
    "campaigns:conflict_remove": ["DELETE /api/draw-conflicts/{conflict_id}"],
    # indicators: figures, drill-down, dashboard, map
    "indicators:dashboard": ["GET /api/indicators"],
    "indicators:breakdown": ["GET /api/indicators/{code}/breakdown"],
    "indicators:records": ["GET /api/indicators/{code}/records"],
    "indicators:map_xlsx": ["GET /api/indicators/map.xlsx"],
    "indicators:summary": "no action: a Word/PDF document drafted from GET /api/indicators/{code}/breakdown for download",
    "indicators:map_data": "no action: the dashboard map's own compact JSON of unit points, read by its script",
    "indicators:boundary_data": "no action: the uploaded boundary GeoJSON the dashboard map draws under the units",
    "indicators:boundary_upload": "no action: a county's map boundary file, uploaded once by an administrator",
    # risk: scores with reasons, the county's weights, the backtest
    "risk:overview": ["GET /api/risk/scores"],
    "risk:settings": ["GET /api/risk/settings", "PUT /api/risk/settings"],
    "risk:backtest": ["GET /api/risk/backtest", "POST /api/risk/backtest"],
    "risk:reviews": ["GET /api/risk/reviews", "POST /api/risk/reviews/draw"],
    "risk:checklists": ["GET /api/risk/checklist-failures"],
    "risk:review": ["POST /api/risk/reviews/{review_id}", "POST /api/risk/reviews/{review_id}/corrected"],
    # assessments: schemes, assessments, scores, appeals, bulletin, funds, population, 督导
    "assessments:list": ["GET /api/assessments"],
    "assessments:create": ["POST /api/assessments"],
    "assessments:detail": [
        "GET /api/assessments/{assessment_id}",
        "GET /api/assessments/{assessment_id}/scores",
        "GET /api/assessments/{assessment_id}/deductions",
        "GET /api/assessments/{assessment_id}/appeals",
    ],
    "assessments:start": ["POST /api/assessments/{assessment_id}/start"],
    "assessments:compute": ["POST /api/assessments/{assessment_id}/compute"],
    "assessments:release": ["POST /api/assessments/{assessment_id}/release"],
    "assessments:finalise": ["POST /api/assessments/{assessment_id}/finalise"],
    "assessments:assign": ["POST /api/assessments/{assessment_id}/reviewers"],
    "assessments:deduction_create": ["POST /api/assessments/{assessment_id}/deductions"],
    "assessments:appeal_create": ["POST /api/assessments/{assessment_id}/appeals"],
    "assessments:bulletin": [
        "GET /api/assessments/{assessment_id}/bulletin",
        "PUT /api/assessments/{assessment_id}/bulletin",
    ],
    "assessments:bulletin_publish": ["POST /api/assessments/{assessment_id}/bulletin/publish"],
    "assessments:bulletin_docx": ["GET /api/assessments/{assessment_id}/bulletin.docx"],
    "assessments:bulletin_pdf": ["GET /api/assessments/{assessment_id}/bulletin.pdf"],
    "assessments:allocations": [
        "GET /api/assessments/{assessment_id}/allocations",
        "POST /api/assessments/{assessment_id}/allocations",
    ],
    "assessments:allocations_xlsx": ["GET /api/assessments/{assessment_id}/allocations.xlsx"],
    "assessments:score": ["GET /api/assessment-scores/{score_id}", "PUT /api/assessment-scores/{score_id}"],
    "assessments:score_evidence": "no action: the evidence file itself; the API tells whether a score has one (has_evidence)",
    "assessments:appeal_answer": ["POST /api/assessment-appeals/{appeal_id}/answer"],
    "assessments:scheme_edit": ["PATCH /api/assessment-schemes/{scheme_id}"],
    "assessments:item_edit": ["PATCH /api/assessment-schemes/{scheme_id}/items/{item_id}"],
    "assessments:schemes": ["GET /api/assessment-schemes"],
    "assessments:scheme_create": ["POST /api/assessment-schemes"],
    "assessments:scheme": ["GET /api/assessment-schemes/{scheme_id}"],
    "assessments:item_create": ["POST /api/assessment-schemes/{scheme_id}/items"],
    "assessments:item_delete": ["DELETE /api/assessment-schemes/{scheme_id}/items/{item_id}"],
    "assessments:scheme_publish": ["POST /api/assessment-schemes/{scheme_id}/publish"],
    "assessments:scheme_revise": ["POST /api/assessment-schemes/{scheme_id}/revise"],
    "assessments:populations": ["GET /api/populations"],
    "assessments:population_create": ["POST /api/populations"],
    "assessments:population_import": ["POST /api/populations/import"],
    "assessments:visits": ["GET /api/station-visits"],
    "assessments:visit_create": ["POST /api/station-visits"],
    "assessments:visit": ["GET /api/station-visits/{visit_id}"],
}

PARITY: dict[str, Mapping] = {**PARITY_CORE, **PARITY_PART1}
