"""The one NinjaAPI (SPEC §13): every endpoint the web pages' services offer,
documented at /api/openapi.json."""

import copy
from typing import Any

from django.utils.translation import get_language
from ninja import NinjaAPI

from xieguan.accounts.api import (
    BearerAuth,
    auth_router,
    lockout_router,
    me_router,
    people_router,
    roles_router,
    tokens_router,
    transfers_router,
)
from xieguan.accounts.api import router as institutions_router
from xieguan.archives import api as archives_api
from xieguan.areas.api import router as areas_router
from xieguan.assessments.api import appeal_router as assessment_appeal_router
from xieguan.assessments.api import population_router, visit_router
from xieguan.assessments.api import router as assessments_router
from xieguan.assessments.api import scheme_router as assessment_scheme_router
from xieguan.assessments.api import score_router as assessment_score_router
from xieguan.campaigns.api import conflict_router as draw_conflict_router
from xieguan.campaigns.api import draw_router as campaign_draw_router
from xieguan.campaigns.api import public_router as public_draws_router
from xieguan.campaigns.api import router as campaigns_router
from xieguan.campaigns.api import settings_router as campaign_settings_router
from xieguan.campaigns.api import target_router as campaign_target_router
from xieguan.complaints.api import calendar_router as calendar_overrides_router
from xieguan.complaints.api import public_router as public_complaints_router
from xieguan.complaints.api import router as complaints_router
from xieguan.complaints.api import settings_router as complaint_settings_router
from xieguan.core.api import LocalTimeRenderer, audit_router, install_error_handlers
from xieguan.field.api import router as field_router
from xieguan.field.api import upload_router
from xieguan.indicators.api import router as indicators_router
from xieguan.inspections.api import (
    checklist_router,
    frequency_rule_router,
    handover_router,
    inspection_router,
    opinion_router,
    patrol_due_router,
    patrol_register_router,
    phrase_router,
    plan_router,
    reinspection_router,
)
from xieguan.monthly.api import cell_router as monthly_cell_router
from xieguan.monthly.api import overview_router as monthly_overview_router
from xieguan.monthly.api import rates_router as monthly_rates_router
from xieguan.monthly.api import router as monthly_router
from xieguan.monthly.api import settings_router as monthly_settings_router
from xieguan.monthly.api import summary_router as monthly_summary_router
from xieguan.outreach.api import hours_router as training_hours_router
from xieguan.outreach.api import router as outreach_router
from xieguan.outreach.api import training_router
from xieguan.reminders.api import channel_router as reminder_channel_router
from xieguan.reminders.api import due_router
from xieguan.reminders.api import log_router as reminder_log_router
from xieguan.reminders.api import router as reminders_router
from xieguan.reminders.api import rule_router as reminder_rule_router
from xieguan.reports.api import category_router as report_categories_router
from xieguan.reports.api import exposed_router, indicator_router, zero_router
from xieguan.reports.api import register_router as report_register_router
from xieguan.reports.api import router as reports_router
from xieguan.risk.api import router as risk_router
from xieguan.units.api import categories_router as unit_categories_router
from xieguan.units.api import certificates_router, imports_router, licences_router
from xieguan.units.api import router as units_router


class XieguanAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document is built once per path prefix and
    language: the operations are fixed once the process has started, and
    building the document of two hundred operations took 1.5 to 5 seconds a
    request (23 s on a busy machine, which held up the fuzzing). Each caller
    gets its own copy, so none can change another's."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        prefix = path_prefix if path_prefix is not None else self.get_root_path(path_params or {})
        key = (prefix, get_language())
        cache: dict[tuple[str, str | None], Any] = self.__dict__.setdefault("_openapi_documents", {})
        if key not in cache:
            cache[key] = super().get_openapi_schema(path_prefix=prefix)
        return copy.deepcopy(cache[key])


api = XieguanAPI(
    title="卫生监督协管信息系统 API",
    version="1",
    description=(
        "Bearer tokens from POST /api/auth/token. Every create accepts a client-made UUID `id`; "
        "sending the same `id` again returns the record already made (200) instead of a duplicate (201). "
        "(A county's unit subtypes and fields have whole-number ids: sending the same one again answers 200.) "
        "Lists page by keyset: pass the `next` of one page as `after` for the next. "
        "Errors are JSON with a Chinese `detail`. Everything is scoped to the caller's area."
    ),
    auth=BearerAuth(),
    renderer=LocalTimeRenderer(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("", me_router)
api.add_router("/areas", areas_router)
api.add_router("/institutions", institutions_router)
api.add_router("/lockouts", lockout_router)
api.add_router("/people", people_router)
api.add_router("/roles", roles_router)
api.add_router("/transfers", transfers_router)
api.add_router("/api-tokens", tokens_router)
api.add_router("/units", units_router)
api.add_router("/licences", licences_router)
api.add_router("/certificates", certificates_router)
api.add_router("/unit-categories", unit_categories_router)
api.add_router("/unit-imports", imports_router)
api.add_router("/outreach", outreach_router)
api.add_router("/training-hours", training_hours_router)
api.add_router("/trainings", training_router)
api.add_router("/complaints", complaints_router)
api.add_router("/public", public_complaints_router)
api.add_router("/complaint-settings", complaint_settings_router)
api.add_router("/calendar-overrides", calendar_overrides_router)
api.add_router("/reports", reports_router)
api.add_router("/report-categories", report_categories_router)
api.add_router("/zero-reports", zero_router)
api.add_router("/exposed-people", exposed_router)
api.add_router("/report-indicators", indicator_router)
api.add_router("/report-register", report_register_router)
api.add_router("/checklists", checklist_router)
api.add_router("/inspections", inspection_router)
api.add_router("/opinions", opinion_router)
api.add_router("/reinspections", reinspection_router)
api.add_router("/handovers", handover_router)
api.add_router("/frequency-rules", frequency_rule_router)
api.add_router("/forbidden-phrases", phrase_router)
api.add_router("/monthly-plans", plan_router)
api.add_router("/patrol-register", patrol_register_router)
api.add_router("/patrol-due", patrol_due_router)
api.add_router("/monthly-reports", monthly_router)
api.add_router("/monthly-settings", monthly_settings_router)
api.add_router("/monthly-rates", monthly_rates_router)
api.add_router("/monthly-overview", monthly_overview_router)
api.add_router("/monthly-cells", monthly_cell_router)
api.add_router("/monthly-summaries", monthly_summary_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/indicators", indicators_router)
api.add_router("/campaign-targets", campaign_target_router)
api.add_router("/campaign-settings", campaign_settings_router)
api.add_router("/draws", campaign_draw_router)
api.add_router("/draw-conflicts", draw_conflict_router)
api.add_router("/public-draws", public_draws_router)
api.add_router("/due", due_router)
api.add_router("/reminders", reminders_router)
api.add_router("/reminder-channels", reminder_channel_router)
api.add_router("/reminder-rule", reminder_rule_router)
api.add_router("/reminder-log", reminder_log_router)
api.add_router("/risk", risk_router)
api.add_router("/assessment-schemes", assessment_scheme_router)
api.add_router("/assessments", assessments_router)
api.add_router("/assessment-scores", assessment_score_router)
api.add_router("/assessment-appeals", assessment_appeal_router)
api.add_router("/populations", population_router)
api.add_router("/station-visits", visit_router)
api.add_router("/documents", archives_api.documents_router)
api.add_router("/document-versions", archives_api.versions_router)
api.add_router("/upper-documents", archives_api.upper_router)
api.add_router("/archive", archives_api.archive_router)
api.add_router("/archive-packages", archives_api.packages_router)
api.add_router("/field", field_router)
api.add_router("/uploads", upload_router)
api.add_router("/audit-log", audit_router)
