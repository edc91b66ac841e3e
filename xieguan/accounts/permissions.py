"""What each role may do (SPEC §12). Scope (which records) is separate: see
xieguan.core.scope. A service checks both: ``require(actor, CAP, path)``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from xieguan.accounts.models import RoleCode as R
from xieguan.core.scope import is_within

MANAGE_AREAS = "manage_areas"
MANAGE_INSTITUTIONS = "manage_institutions"
MANAGE_PEOPLE = "manage_people"
APPROVE_TRANSFERS = "approve_transfers"
VIEW_PEOPLE = "view_people"
VIEW_AUDIT = "view_audit"
MANAGE_UNITS = "manage_units"
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

# County administrators are the county's system administrators and leaders;
# the Django admin is for superusers only.
CAPABILITIES: dict[str, frozenset[str]] = {
    MANAGE_AREAS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    MANAGE_INSTITUTIONS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    MANAGE_PEOPLE: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    APPROVE_TRANSFERS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    VIEW_PEOPLE: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER, R.HIGHER_READONLY}),
    VIEW_AUDIT: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    # The registry is kept by the county and the stations; information officers
    # and the read-only higher level see it (SPEC §3).
    MANAGE_UNITS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER}),
    # SPEC §7: stations, information points and the institute all do publicity.
    RECORD_OUTREACH: frozenset({R.SUPERVISOR, R.COMANAGER, R.INFO_OFFICER}),
    # The institute trains co-managers; a station trains its village officers.
    MANAGE_TRAINING: frozenset({R.SUPERVISOR, R.COMANAGER, R.COUNTY_LEADER, R.SYSTEM_ADMIN}),
    # SPEC §6: complaints come by phone or visit to anyone on duty, village
    # officers included; stations and the institute handle them.
    REGISTER_COMPLAINT: frozenset({R.SUPERVISOR, R.COMANAGER, R.INFO_OFFICER, R.COUNTY_LEADER, R.SYSTEM_ADMIN}),
    HANDLE_COMPLAINT: frozenset({R.SUPERVISOR, R.COMANAGER, R.COUNTY_LEADER, R.SYSTEM_ADMIN}),
    # Time limits and the county calendar are the county's own settings.
    CONFIGURE_COMPLAINTS: frozenset({R.COUNTY_LEADER, R.SYSTEM_ADMIN}),
    # SPEC §5: village officers and co-managers find and report; the
    # township verifies and forwards (or closes with a reason); the institute
    # handles and feeds back; the county sets categories and limits.
    FILE_REPORT: frozenset({R.INFO_OFFICER, R.COMANAGER, R.SUPERVISOR}),
    VERIFY_REPORT: frozenset({R.COMANAGER}),
    HANDLE_REPORT: frozenset({R.SUPERVISOR}),
    MANAGE_REPORT_CATEGORIES: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    REGISTER_EXPOSED: frozenset({R.INFO_OFFICER, R.COMANAGER, R.SUPERVISOR}),
    # SPEC §4: stations and the institute patrol and write records and opinions.
    RECORD_INSPECTION: frozenset({R.SUPERVISOR, R.COMANAGER}),
    # The county sets patrol frequencies, checklists and the penalty-wording list.
    MANAGE_CHECKLISTS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR}),
    # Only the institute investigates handed-over cases and records outcomes.
    HANDLE_HANDOVER: frozenset({R.SUPERVISOR}),
    # SPEC §8: the station submits its monthly report (and asks for an
    # unlock); the county institute or bureau reviews it and grants unlocks.
    SUBMIT_MONTHLY: frozenset({R.COMANAGER}),
    REVIEW_MONTHLY: frozenset({R.SUPERVISOR, R.COUNTY_LEADER}),
    # The county (bureau or institute) sets its reporting period and deadline day.
    CONFIGURE_MONTHLY: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR}),
}


def can(user: Any, capability: str) -> bool:
    """Whether the user's roles allow ``capability`` (anywhere in their scope)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.role_codes & CAPABILITIES[capability])


def require(user: Any, capability: str, path: str | None = None) -> None:
    """PermissionDenied (403) when the role does not allow it; Http404 when the
    record at ``path`` lies outside the user's area — as if it did not exist."""
    if path is not None and not is_within(user, path):
        raise Http404
    if not can(user, capability):
        raise PermissionDenied(_("Your role does not allow this."))
