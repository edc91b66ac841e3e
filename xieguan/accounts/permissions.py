"""Which roles allow each capability (SPEC §12), registered for
``xieguan.core.permissions`` (``can``, ``require``) in the app's ready()."""

from __future__ import annotations

from xieguan.accounts.models import RoleCode as R
from xieguan.core.permissions import (  # noqa: F401  (the capabilities are asked for from here too)
    APPEAL_ASSESSMENT,
    APPROVE_TRANSFERS,
    CLOSE_YEAR,
    CONFIGURE_COMPLAINTS,
    CONFIGURE_MONTHLY,
    CONFIGURE_RISK,
    CONFIGURE_UNIT_CATEGORIES,
    DRAW_UNITS,
    EXPORT_ARCHIVE,
    FILE_REPORT,
    HANDLE_COMPLAINT,
    HANDLE_HANDOVER,
    HANDLE_REPORT,
    ISSUE_DOCUMENTS,
    KEEP_DOCUMENTS,
    MANAGE_AREAS,
    MANAGE_ASSESSMENTS,
    MANAGE_CAMPAIGNS,
    MANAGE_CHECKLISTS,
    MANAGE_INSTITUTIONS,
    MANAGE_PEOPLE,
    MANAGE_REPORT_CATEGORIES,
    MANAGE_TRAINING,
    MANAGE_UNITS,
    RECORD_INSPECTION,
    RECORD_OUTREACH,
    RECORD_STATION_VISIT,
    REGISTER_COMPLAINT,
    REGISTER_EXPOSED,
    REVIEW_MONTHLY,
    SCORE_ASSESSMENTS,
    SUBMIT_MONTHLY,
    VERIFY_REPORT,
    VIEW_AUDIT,
    VIEW_PEOPLE,
    can,
    require,
)

# County administrators are the county's system administrators and leaders;
# the Django admin is for superusers only.
CAPABILITIES: dict[str, frozenset[str]] = {
    MANAGE_AREAS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    MANAGE_INSTITUTIONS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    MANAGE_PEOPLE: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    APPROVE_TRANSFERS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    VIEW_PEOPLE: frozenset(
        {R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER, R.HIGHER_READONLY, R.TOWNSHIP_LEADER}
    ),
    VIEW_AUDIT: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    # The registry is kept by the county and the stations; information officers
    # and the read-only higher level see it (SPEC §3).
    MANAGE_UNITS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER}),
    # A county adds subtypes and fields of its own to the national categories
    # (SPEC §3, §15): its bureau, its institute or an administrator.
    CONFIGURE_UNIT_CATEGORIES: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR}),
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
    # SPEC §4: the institute runs the county's special campaigns, a station
    # those of its own township; only the county draws (双随机, SPEC §14).
    MANAGE_CAMPAIGNS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER}),
    DRAW_UNITS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR}),
    # SPEC §14: the county (bureau) sets the weights of the risk score.
    CONFIGURE_RISK: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER}),
    # SPEC §9: the county assesses its townships, a township its villages
    # (its station's co-managers); the institute's supervisors score the files.
    MANAGE_ASSESSMENTS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER}),
    SCORE_ASSESSMENTS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER}),
    APPEAL_ASSESSMENT: frozenset({R.SYSTEM_ADMIN, R.COMANAGER}),
    # The institute supervises the township stations; a township's
    # co-managers supervise its villages' stations (on the web or on /m/).
    RECORD_STATION_VISIT: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER}),
    # Issue 25: the people who keep records keep their files; the bureau and
    # institute issue documents to the areas below and close a year.
    KEEP_DOCUMENTS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER}),
    ISSUE_DOCUMENTS: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR}),
    CLOSE_YEAR: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR}),
    # Everyone who keeps records exports their area's year (a village officer its village).
    EXPORT_ARCHIVE: frozenset({R.SYSTEM_ADMIN, R.COUNTY_LEADER, R.SUPERVISOR, R.COMANAGER, R.INFO_OFFICER}),
}
