"""What the county's public page and the public draw JSON show (SPEC §14):
draws with their seed and pool, published results with the date of the
inspection, hygiene grades with the date they were given. Nothing personal:
no people's names, phones, ID numbers or complainants.

Both lists are paged by keyset (core.pagination): draws newest first,
``DRAW_PAGE`` to a page (cursor ``after``); graded units by township and
name, ``GRADE_PAGE`` to a page (cursor ``grades_after``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area
from xieguan.campaigns.draws import ALGORITHM, digest
from xieguan.campaigns.models import CampaignTarget, RandomDraw
from xieguan.core.pagination import BadCursor, Page, keyset_page
from xieguan.inspections.models import InspectionStatus
from xieguan.units.models import Unit

DRAW_PAGE = 5
GRADE_PAGE = 20
DRAW_ORDERING = ["-drawn_at", "-id"]
GRADE_ORDERING = ["area__path", "name", "id"]


# Where a draw's results stand against their deadline (results_due, the
# working days the county sets from the day of the draw).
RESULTS_STATES = {
    "on_time": _("Published on time"),
    "late": _("Published after the deadline"),
    "overdue": _("Not published, the deadline has passed"),
    "pending": _("Not published yet, still within the deadline"),
    "none": _("No deadline set"),
}


def results_state(draw: RandomDraw, today: datetime.date) -> str:
    """Whether the draw's results were published by ``results_due``: on_time
    (published on or before the day), late (published after it), overdue (not
    published and the day has passed), pending (not published, the day still
    to come; today counts as within), none (a draw without a deadline and
    without published results)."""
    if draw.published_at is not None:
        if draw.results_due is None or localdate(draw.published_at) <= draw.results_due:
            return "on_time"
        return "late"
    if draw.results_due is None:
        return "none"
    return "overdue" if today > draw.results_due else "pending"


def _draws(county: Area) -> Any:
    return RandomDraw.objects.filter(area__path__startswith=county.path).select_related("replaces")


def _page(qs: Any, ordering: list[str], cursor: str | None, size: int) -> Page[Any]:
    try:
        return keyset_page(qs, ordering=ordering, cursor=cursor, size=size)
    except BadCursor:
        return keyset_page(qs, ordering=ordering, size=size)


def draws_page(county: Area, cursor: str | None = None, *, size: int = DRAW_PAGE) -> tuple[Page[Any], list[Any]]:
    """One page of the county's draws, each with its picks and (once
    published) each pick's result and the day of its inspection, in a fixed
    number of queries."""
    page = _page(_draws(county), DRAW_ORDERING, cursor, size)
    return page, _rows(page.items)


def _rows(draws: list[RandomDraw]) -> list[dict[str, Any]]:
    """Each draw with its picks and (once published) each pick's result and
    the day of its inspection: two queries whatever the number of draws."""
    unit_ids = {p["unit_id"] for d in draws for p in d.picks}
    units = {str(u.pk): u for u in Unit.objects.filter(pk__in=unit_ids).select_related("area")}
    results: dict[tuple[str, str], Any] = {}
    published = [d.pk for d in draws if d.published_at]
    for target in CampaignTarget.objects.filter(draw_id__in=published).select_related("inspection"):
        if target.inspection is not None and target.inspection.status == InspectionStatus.SUBMITTED:
            results[(str(target.draw_id), str(target.unit_id))] = target.inspection
    rows = []
    today = localdate()
    for d in draws:
        picks = []
        for pick in d.picks:
            unit = units.get(pick["unit_id"])
            inspection = results.get((str(d.pk), pick["unit_id"]))
            picks.append(
                {
                    "unit_id": pick["unit_id"],
                    "name": unit.name if unit else "",
                    "area": unit.area.name if unit else "",
                    "result": str(inspection.get_overall_result_display()) if inspection else "",
                    "inspected_on": inspection.started_at if inspection else None,
                }
            )
        state = results_state(d, today)
        rows.append(
            {
                "draw": d,
                "picks": picks,
                "pool_size": len(d.pool),
                "results_state": state,
                "results_state_label": RESULTS_STATES[state],
            }
        )
    return rows


def grades_page(county: Area, cursor: str | None = None, *, size: int = GRADE_PAGE) -> Page[Any]:
    """One page of the county's units with a hygiene grade, and the grade's date."""
    qs = (
        Unit.objects.filter(area__path__startswith=county.path)
        .existing()
        .exclude(hygiene_grade="")
        .select_related("area", "category")
        .only("id", "name", "hygiene_grade", "hygiene_graded_on", "area__name", "area__path", "category__name")
    )
    return _page(qs, GRADE_ORDERING, cursor, size)


def _link(base: str, **params: str) -> str:
    from urllib.parse import urlencode

    kept = {k: v for k, v in params.items() if v}
    return base + ("?" + urlencode(kept) if kept else "")


def public_context(county: Area, *, after: str | None = None, grades_after: str | None = None) -> dict[str, Any]:
    """Everything one public page shows: a page of draws and a page of grades."""
    page, rows = draws_page(county, after)
    grades = grades_page(county, grades_after)
    return {
        "county": county,
        "draws": rows,
        "graded": grades.items,
        "algorithm": ALGORITHM,
        # Each list's next page keeps the other list where it is.
        "draws_next": _link("", after=page.next_cursor or "", grades_after=grades_after or "") if page.has_next else "",
        "grades_next": _link("", after=after or "", grades_after=grades.next_cursor or "") + "#grades"
        if grades.has_next
        else "",
        "first_page": bool(after or grades_after),
    }


def public_draw_context(county: Area, pk: str) -> dict[str, Any] | None:
    """One draw's own public page: what the list shows of it, and its whole
    pool (ids and unit names, in the saved order) so anyone can recompute it.
    The list page links here instead of carrying every pool, which made it
    tens of thousands of pixels tall on a phone."""
    draw = _draws(county).filter(pk=pk).first()
    if draw is None:
        return None
    names = dict(Unit.objects.filter(pk__in=draw.pool).values_list("id", "name"))
    pool = [{"unit_id": uid, "name": names.get(_as_uuid(uid), "")} for uid in draw.pool]
    row = _rows([draw])[0]
    for pick in row["picks"]:
        pick["digest"] = digest(draw.seed, pick["unit_id"])
    example = None
    if draw.pool:
        first = draw.pool[0]
        example = {"text": f"{draw.seed}:{first}", "digest": digest(draw.seed, first)}
    return {"county": county, "row": row, "pool": pool, "algorithm": ALGORITHM, "example": example}


def _as_uuid(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return value


def public_draw(county: Area, pk: str) -> dict[str, Any] | None:
    """A draw's public JSON: enough to recompute it, nothing personal."""
    draw = _draws(county).filter(pk=pk).first()
    if draw is None:
        return None
    return draw_json(draw)


def draw_json(draw: RandomDraw) -> dict[str, Any]:
    return {
        "id": str(draw.pk),
        "title": draw.title,
        "drawn_at": draw.drawn_at.isoformat(),
        "seed": draw.seed,
        "pool": draw.pool,
        "count": draw.count,
        "picks": [p["unit_id"] for p in draw.picks],
        "replaces": str(draw.replaces_id) if draw.replaces_id else None,
        "reason": draw.reason,
        "results_published": draw.published_at is not None,
        "results_due": draw.results_due.isoformat() if draw.results_due else None,
        "results_published_on": localdate(draw.published_at).isoformat() if draw.published_at else None,
        "results_state": results_state(draw, localdate()),
        "algorithm": str(ALGORITHM),
    }


def public_draws(county: Area, cursor: str | None = None) -> dict[str, Any]:
    """One page of the county's draws as JSON, with the published results
    (unit, result, inspection date) and the cursor of the next page."""
    page, rows = draws_page(county, cursor)
    items = []
    for row in rows:
        d = row["draw"]
        item = draw_json(d)
        item["results"] = (
            [
                {
                    "unit_id": p["unit_id"],
                    "unit": p["name"],
                    "township": p["area"],
                    "result": p["result"],
                    "inspected_on": localdate(p["inspected_on"]).isoformat() if p["inspected_on"] else None,
                }
                for p in row["picks"]
            ]
            if d.published_at
            else []
        )
        items.append(item)
    return {"items": items, "next_cursor": page.next_cursor}
