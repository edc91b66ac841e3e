"""Scoped reads of campaigns, targets and draws."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from xieguan.accounts.models import User
from xieguan.areas.models import Area, Level
from xieguan.campaigns.models import Campaign, CampaignTarget, CampaignTargetQuerySet, RandomDraw
from xieguan.core.registry import Rate
from xieguan.core.scope import get_object_for_user
from xieguan.units.models import Unit


def get_campaign_for_user(user: Any, pk: Any) -> Campaign:
    """The campaign if the user sees it: its area lies in the user's scope,
    or (a county campaign seen from a township) it has targets there."""
    found = Campaign.objects.select_related("area", "category", "template", "created_by").filter(pk=pk).first()
    if found is not None and (
        Campaign.objects.visible_to(user).filter(pk=pk).exists()
        or CampaignTarget.objects.visible_to(user).filter(campaign_id=pk).exists()
    ):
        return found
    from django.http import Http404

    raise Http404


def campaigns_for(user: Any) -> Any:
    """The campaigns a user sees: those of their area and above it that target units in it."""
    from django.db.models import Q

    path = getattr(getattr(user, "institution", None), "area", None)
    visible = Campaign.objects.visible_to(user).values("pk")
    targeted = CampaignTarget.objects.visible_to(user).values("campaign_id")
    del path
    return Campaign.objects.for_list().filter(Q(pk__in=visible) | Q(pk__in=targeted))


def get_target_for_user(user: Any, pk: Any) -> CampaignTarget:
    return get_object_for_user(CampaignTarget.objects.for_list(), user, pk)


def get_draw_for_user(user: Any, pk: Any) -> RandomDraw:
    return get_object_for_user(RandomDraw.objects.for_list(), user, pk)


def targets_for(user: Any, campaign: Campaign) -> CampaignTargetQuerySet:
    return CampaignTarget.objects.for_list().visible_to(user).filter(campaign=campaign)


@dataclass
class TownshipProgress:
    township: Area
    targets: int
    done: int

    @property
    def open(self) -> int:
        return self.targets - self.done

    @property
    def rate(self) -> Rate:
        return Rate(self.done, self.targets)


def progress(user: Any, campaign: Campaign) -> list[TownshipProgress]:
    """专项完成率 per township the user sees: targets inspected ÷ targets, live."""
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for area_id, status in targets_for(user, campaign).values_list("area_id", "inspection__status"):
        counts[area_id][0] += 1
        counts[area_id][1] += int(status == "submitted")
    areas = Area.objects.filter(pk__in=counts).in_code_order()
    return [TownshipProgress(a, counts[a.pk][0], counts[a.pk][1]) for a in areas]


def completion_by_township(
    user: Any, *, area: Area, first_day: datetime.date, last_day: datetime.date, end: datetime.datetime
) -> list[tuple[str, int, int]]:
    """专项完成率's counts for a reporting month, per township path inside
    ``area`` as the user sees them: the targets of the campaigns running in
    the month (their period meets [first_day, last_day]), and of those the
    ones whose record is submitted and was made before the month ended
    (``end``). One query for every township."""
    from django.db.models import Count, Q

    rows = (
        CampaignTarget.objects.visible_to(user)
        .filter(area__path__startswith=area.path, campaign__starts_on__lte=last_day, campaign__ends_on__gte=first_day)
        .order_by()
        .values("area__path")
        .annotate(
            targets=Count("id"),
            done=Count("id", filter=Q(inspection__status="submitted", inspection__started_at__lt=end)),
        )
    )
    return [(r["area__path"], r["targets"], r["done"]) for r in rows]


def open_targets(person: Any, today: datetime.date) -> CampaignTargetQuerySet:
    """Targets of running campaigns in the person's area with no record yet
    (or a draft), soonest campaign end first."""
    return (
        CampaignTarget.objects.select_related("campaign", "unit", "area")
        .visible_to(person)
        .filter(campaign__closed_at__isnull=True, campaign__starts_on__lte=today, campaign__ends_on__gte=today)
        .exclude(inspection__status="submitted")
        .order_by("campaign__ends_on", "area__path", "unit__name", "id")
    )


def draw_view(draw: RandomDraw) -> dict[str, Any]:
    """The draw with names: the pool's units, the picks with their inspectors' names."""
    units = {str(u.pk): u for u in Unit.objects.filter(pk__in=draw.pool).select_related("area")}
    people = {
        str(p.pk): p
        for p in User.objects.filter(pk__in=[i for pick in draw.picks for i in pick["inspector_ids"]]).select_related(
            "institution"
        )
    }
    return {
        "pool": [(uid, units.get(uid)) for uid in draw.pool],
        "picks": [
            {
                "n": n,
                "unit_id": pick["unit_id"],
                "unit": units.get(pick["unit_id"]),
                "inspectors": [(i, people.get(i)) for i in pick["inspector_ids"]],
            }
            for n, pick in enumerate(draw.picks, 1)
        ],
    }


def county_of_slug(slug: str) -> Area | None:
    """A county by its statistical code or its id (the public page's address)."""
    qs = Area.objects.filter(level=Level.COUNTY, retired_on__isnull=True)
    found = qs.filter(code=slug).first()
    if found is None:
        try:
            found = qs.filter(pk=slug).first()
        except Exception:  # not a UUID
            return None
    return found
