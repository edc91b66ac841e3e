"""What the county's public page and the public draw JSON show (SPEC §14):
draws with their seed and pool, published results, hygiene grades. Nothing
personal: no people's names, phones, ID numbers or complainants."""

from __future__ import annotations

from typing import Any

from xieguan.areas.models import Area
from xieguan.campaigns.draws import ALGORITHM
from xieguan.campaigns.models import CampaignTarget, RandomDraw
from xieguan.inspections.models import InspectionStatus
from xieguan.units.models import Unit

MAX_DRAWS = 50
MAX_GRADES = 500


def _draws(county: Area) -> Any:
    return RandomDraw.objects.filter(area__path__startswith=county.path).select_related("replaces")


def public_context(county: Area) -> dict[str, Any]:
    """Everything the public page shows, in a fixed number of queries."""
    draws = list(_draws(county).order_by("-drawn_at", "-id")[:MAX_DRAWS])
    unit_ids = {p["unit_id"] for d in draws for p in d.picks}
    units = {str(u.pk): u for u in Unit.objects.filter(pk__in=unit_ids).select_related("area", "category")}
    results: dict[tuple[str, str], Any] = {}
    published = [d.pk for d in draws if d.published_at]
    for target in CampaignTarget.objects.filter(draw_id__in=published).select_related("inspection"):
        if target.inspection is not None and target.inspection.status == InspectionStatus.SUBMITTED:
            results[(str(target.draw_id), str(target.unit_id))] = target.inspection
    rows = []
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
                    "result": inspection.get_overall_result_display() if inspection else "",
                    "day": inspection.started_at if inspection else None,
                }
            )
        rows.append({"draw": d, "picks": picks, "pool_size": len(d.pool)})
    graded = (
        Unit.objects.filter(area__path__startswith=county.path)
        .existing()
        .exclude(hygiene_grade="")
        .select_related("area", "category")
        .order_by("area__path", "name", "id")[:MAX_GRADES]
    )
    return {"county": county, "draws": rows, "graded": list(graded), "algorithm": ALGORITHM}


def public_draw(county: Area, pk: str) -> dict[str, Any] | None:
    """A draw's public JSON: enough to recompute it, nothing personal."""
    draw = _draws(county).filter(pk=pk).first()
    if draw is None:
        return None
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
        "algorithm": ALGORITHM,
    }
