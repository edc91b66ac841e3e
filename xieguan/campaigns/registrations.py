"""What special campaigns add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import RoleCode
from xieguan.campaigns.models import CampaignTarget
from xieguan.campaigns.selectors import completion_by_township, open_targets
from xieguan.core.permissions import MANAGE_CAMPAIGNS
from xieguan.core.registry import (
    ArchiveSection,
    DueItem,
    DueSource,
    HomePanel,
    Indicator,
    MenuItem,
    Period,
    Tally,
    register,
)
from xieguan.inspections.services.checklists import CHECKLIST_OVERRIDES

HOME_ROWS = 10


def campaign_checklist(unit: Any) -> Any:
    """The checklist a new inspection of ``unit`` uses while a running
    campaign with its own checklist targets it and no record covers the
    target yet (the visit that links itself to it): the campaign's."""
    today = timezone.localdate()
    target = (
        CampaignTarget.objects.filter(
            unit_id=unit.pk,
            inspection__isnull=True,
            campaign__template__isnull=False,
            campaign__closed_at__isnull=True,
            campaign__starts_on__lte=today,
            campaign__ends_on__gte=today,
        )
        .select_related("campaign__template")
        .order_by("campaign__ends_on", "id")
        .first()
    )
    return target.campaign.template if target is not None else None


CHECKLIST_OVERRIDES.append(campaign_checklist)


def targets_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """The campaign targets in the person's area still to visit, by the campaign's end."""
    if not getattr(person, "institution_id", None):
        return []
    today = timezone.localdate(now)
    return [
        DueItem(
            "campaign",
            gettext("%(unit)s (%(campaign)s)") % {"unit": t.unit.name, "campaign": t.campaign.name},
            t.campaign.ends_on,
            person,
            reverse("campaigns:target", args=[t.pk]),
            t.area,
            overdue=t.campaign.ends_on < today,
            record=t,
        )
        for t in open_targets(person, today)[:500]
    ]


def home_panel(user: Any, now: datetime.datetime) -> dict[str, Any] | None:
    """A co-manager's campaign targets still to visit."""
    if not user.has_role(RoleCode.COMANAGER):
        return None
    rows = targets_due(user, now)
    if not rows:
        return None
    return {"rows": rows[:HOME_ROWS], "count": len(rows), "overdue": sum(1 for r in rows if r.overdue)}


def completion_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """专项完成率's counts per township for the month."""
    for path, targets, done in completion_by_township(
        user, area=area, first_day=period.first_day, last_day=period.last_day, end=period.end
    ):
        yield path, {"targets": targets, "done": done}


register(
    MenuItem(_("Special campaigns"), "campaigns:list", 75, MANAGE_CAMPAIGNS),
    Indicator(
        code="campaign",
        name=_("Campaign completion rate"),
        formula=_(
            "Campaign completion rate = campaign targets inspected ÷ all targets of the campaigns running this month (the inspection record submitted, the visit made before the month's end)"
        ),
        tally=completion_tally,
        numerator="done",
        denominator="targets",
        drill=lambda area, period: reverse("campaigns:list"),
        order=80,
    ),
    DueSource("campaign", _("Campaign targets to inspect"), targets_due, 30),
    HomePanel("campaigns/_home_panel.html", 15, home_panel),
    # What each township did in the year's campaigns: their targets (a county
    # campaign lies above the townships; its targets lie in them).
    ArchiveSection(
        _("Special campaigns"),
        75,
        lambda area, year: CampaignTarget.objects.filter(
            area__path__startswith=area.path, campaign__starts_on__year=year
        ),
    ),
)
