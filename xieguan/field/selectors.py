"""What the field app keeps on the phone (SPEC §13): the user's own scope,
read once online and held in IndexedDB so the forms work with no signal.

The field app writes nothing of its own: reports, publicity records and
inspections are sent to their apps' endpoints, idempotent on the id the
phone made."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from xieguan.accounts.permissions import RECORD_STATION_VISIT, can
from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import scope_root_for
from xieguan.assessments.selectors import visit_stations
from xieguan.campaigns.selectors import open_targets as campaign_targets_open
from xieguan.inspections.models import MIN_INSPECTORS, ChecklistStatus
from xieguan.inspections.selectors import checklists_visible, due_this_month
from xieguan.outreach.models import OutreachForm
from xieguan.reminders.due import due_list, entry_json
from xieguan.reports.selectors import effective_categories
from xieguan.units.models import Unit

# A township holds a few hundred units; a phone keeps them all. The cap
# keeps a county-level user's bootstrap from growing without bound.
MAX_UNITS = 2000


def field_areas(user: Any) -> list[Area]:
    """The townships and villages the user may file in, township first."""
    return list(
        Area.objects.visible_to(user)
        .filter(level__in=(Level.TOWNSHIP, Level.VILLAGE), retired_on__isnull=True)
        .in_code_order()
    )


def field_units(user: Any) -> list[Unit]:
    """The open or suspended units of the user's area, by place then name."""
    return list(
        Unit.objects.visible_to(user)
        .existing()
        .select_related("category", "area")
        .order_by("area__path", "name", "id")[:MAX_UNITS]
    )


def field_colleagues(user: Any) -> list[Any]:
    """The people the user may name as inspectors: the web form's list
    (``inspections.forms.inspectors_for``), active co-managers and
    supervisors of the user's area."""
    from xieguan.accounts.models import RoleCode, User

    return list(
        User.objects.visible_to(user)
        .filter(is_active=True, roles__code__in=[RoleCode.COMANAGER, RoleCode.SUPERVISOR])
        .select_related("institution")
        .distinct()
        .order_by("institution__area__path", "username")
    )


def unit_checklists(units: list[Unit], checklists: list[Any]) -> dict[Any, Any]:
    """The checklist a new inspection of each unit uses, chosen as
    ``inspections.services.checklists.checklist_for`` does (the county's own
    newest published version for the subtype, then the category, else the
    national one) but in memory, so the bootstrap's query count does not grow."""
    best: dict[tuple[str, Any, Any], Any] = {}
    for t in checklists:
        key = (t.county.path if t.county_id else "", t.category_id, t.subtype_id)
        if key not in best or t.version > best[key].version:
            best[key] = t
    counties = sorted({k[0] for k in best if k[0]}, key=len, reverse=True)
    chosen: dict[Any, Any] = {}
    for unit in units:
        county = next((c for c in counties if unit.area.path.startswith(c)), "")
        for owner in ([county] if county else []) + [""]:
            for subtype in ([unit.subtype_id] if unit.subtype_id else []) + [None]:
                found = best.get((owner, unit.category_id, subtype))
                if found is not None:
                    chosen[unit.pk] = found.pk
                    break
            if unit.pk in chosen:
                break
    return chosen


# The due list the phone keeps: the soonest, enough for a day in the field.
DUE_LIST_ROWS = 100


def field_bootstrap(user: Any, *, today: datetime.date) -> dict[str, Any]:
    """Everything the phone needs to work offline, in a fixed number of
    queries whatever the number of units: the user, the areas they may file
    in, their units, what is due this month, the published checklists with
    their items and the photos each asks for, the report categories in
    force, the publicity forms and the numbers of the inspection submit rule."""
    home = scope_root_for(user)
    institution = getattr(user, "institution", None)
    units = field_units(user)
    due = [
        {"unit_id": row.unit.pk, "unit_name": row.unit.name, "state": row.state, "window_end": row.window_end}
        for row in due_this_month(user, today=today)
    ]
    # A special campaign's targets still to visit come first: they have the
    # campaign's end as their deadline (recording one = an ordinary inspection
    # of the unit, which links itself to the target).
    targets = list(campaign_targets_open(user, today))
    due[:0] = [
        {
            "unit_id": t.unit_id,
            "unit_name": t.unit.name,
            "state": "overdue" if t.campaign.ends_on < today else "due",
            "window_end": t.campaign.ends_on,
            "campaign": t.campaign.name,
        }
        for t in targets
    ]
    checklists = list(
        checklists_visible(user)
        .filter(status=ChecklistStatus.PUBLISHED)
        .prefetch_related("items")
        .order_by("category__code", "title", "-version")
    )
    by_unit = unit_checklists(units, checklists)
    may_visit = can(user, RECORD_STATION_VISIT)
    stations = list(visit_stations(user)) if may_visit else []
    # A running campaign's own checklist for its targets not yet visited, as
    # the server's checklist_for chooses it (the campaigns' override).
    sent = {t.pk for t in checklists}
    for t in reversed(targets):  # the soonest campaign end wins, as on the server
        if t.inspection_id is None and t.campaign.template_id in sent:
            by_unit[t.unit_id] = t.campaign.template_id
    return {
        "user": {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name or user.username,
            "institution": str(institution) if institution else "",
            "area_id": institution.area_id if institution else None,
        },
        "today": today,
        "areas": [{"id": a.pk, "name": a.name, "level": a.level, "parent_id": a.parent_id} for a in field_areas(user)],
        "units": [
            {
                "id": u.pk,
                "name": u.name,
                "area_id": u.area_id,
                "address": u.address,
                "category": u.category.code,
                "checklist_id": by_unit.get(u.pk),
            }
            for u in units
        ],
        "due": due,
        "due_list": [entry_json(e) for e in due_list(user, timezone.now())[:DUE_LIST_ROWS]],
        "checklists": [
            {
                "id": t.pk,
                "category": t.category.code,
                "title": t.title,
                "version": t.version,
                "photos_required": t.photos_required,
                "items": [{"id": i.pk, "code": i.code, "text": i.text} for i in t.items.all()],
            }
            for t in checklists
        ],
        "colleagues": [
            {"id": p.pk, "name": p.full_name or p.username, "institution": str(p.institution)}
            for p in field_colleagues(user)
        ],
        "report_categories": [
            {"code": c.code, "name": c.name, "is_emergency": c.is_emergency, "limit_minutes": c.limit_minutes}
            for c in (effective_categories(home) if home is not None else [])
        ],
        "outreach_forms": [{"value": value, "label": str(label)} for value, label in OutreachForm.choices],
        # The submit rule's numbers, as the server applies them
        # (inspections.services.records.submit_problems); the photos a
        # record needs are its checklist's.
        "inspection_rules": {"min_inspectors": MIN_INSPECTORS},
        # Station visits (督导): the county's of the township stations, a
        # township's of its village stations; one query, none without the role.
        "can_record_visit": may_visit,
        "visit_stations": [{"id": a.pk, "name": a.name, "level": a.level} for a in stations],
    }
