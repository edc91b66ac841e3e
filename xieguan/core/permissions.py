"""What a role may do, asked by capability (SPEC §12): ``can(user, CAP)``,
``require(user, CAP, path)``. Which roles allow a capability is the accounts
app's table (``accounts.permissions.CAPABILITIES``), registered at start-up,
so the apps below accounts (core, areas) can ask too. Scope (which records)
is separate: see xieguan.core.scope. A service checks both."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from xieguan.core.registry import registry
from xieguan.core.scope import is_within

MANAGE_AREAS = "manage_areas"
MANAGE_INSTITUTIONS = "manage_institutions"
MANAGE_PEOPLE = "manage_people"
APPROVE_TRANSFERS = "approve_transfers"
VIEW_PEOPLE = "view_people"
VIEW_AUDIT = "view_audit"
MANAGE_UNITS = "manage_units"
CONFIGURE_UNIT_CATEGORIES = "configure_unit_categories"
RECORD_OUTREACH = "record_outreach"
MANAGE_TRAINING = "manage_training"
REGISTER_COMPLAINT = "register_complaint"
HANDLE_COMPLAINT = "handle_complaint"
CONFIGURE_COMPLAINTS = "configure_complaints"
FILE_REPORT = "file_report"
VERIFY_REPORT = "verify_report"
HANDLE_REPORT = "handle_report"
MANAGE_REPORT_CATEGORIES = "manage_report_categories"
REGISTER_EXPOSED = "register_exposed"
RECORD_INSPECTION = "record_inspection"
MANAGE_CHECKLISTS = "manage_checklists"
HANDLE_HANDOVER = "handle_handover"
SUBMIT_MONTHLY = "submit_monthly"
REVIEW_MONTHLY = "review_monthly"
CONFIGURE_MONTHLY = "configure_monthly"
MANAGE_CAMPAIGNS = "manage_campaigns"
DRAW_UNITS = "draw_units"
CONFIGURE_RISK = "configure_risk"
MANAGE_ASSESSMENTS = "manage_assessments"
SCORE_ASSESSMENTS = "score_assessments"
APPEAL_ASSESSMENT = "appeal_assessment"
RECORD_STATION_VISIT = "record_station_visit"
KEEP_DOCUMENTS = "keep_documents"
ISSUE_DOCUMENTS = "issue_documents"
CLOSE_YEAR = "close_year"
EXPORT_ARCHIVE = "export_archive"


def can(user: Any, capability: str) -> bool:
    """Whether the user's roles allow ``capability`` (anywhere in their scope)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.role_codes & registry.capabilities[capability])


def require(user: Any, capability: str, path: str | None = None) -> None:
    """PermissionDenied (403) when the role does not allow it; Http404 when the
    record at ``path`` lies outside the user's area — as if it did not exist."""
    if path is not None and not is_within(user, path):
        raise Http404
    if not can(user, capability):
        raise PermissionDenied(_("Your role does not allow this."))
