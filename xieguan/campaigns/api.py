"""API: special campaigns, their targets, 双随机 draws, and a draw's public JSON."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from xieguan.accounts.models import User
from xieguan.areas.selectors import get_area_for_user
from xieguan.campaigns import services
from xieguan.campaigns.draws import ALGORITHM
from xieguan.campaigns.models import Campaign, CampaignTarget, RandomDraw
from xieguan.campaigns.public import public_draw
from xieguan.campaigns.schemas import CampaignIn, CampaignOut, DrawIn, DrawOut, PublicDrawOut, TargetOut
from xieguan.campaigns.selectors import (
    campaigns_for,
    county_of_slug,
    get_campaign_for_user,
    get_draw_for_user,
    targets_for,
)
from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_page
from xieguan.inspections.models import ChecklistTemplate
from xieguan.units.models import Category, Subtype

router = Router(tags=["campaigns"])
draw_router = Router(tags=["campaigns"])
public_router = Router(tags=["public draws"], auth=None)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _campaign_out(c: Campaign, user: Any) -> dict[str, Any]:
    targets = targets_for(user, c)
    return {
        "id": c.pk,
        "area_id": c.area_id,
        "area_name": c.area.name,
        "name": c.name,
        "basis": c.basis,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "category": c.category.code if c.category_id else None,
        "targets": getattr(c, "target_count", None) if hasattr(c, "target_count") else targets.count(),
        "done": getattr(c, "done_count", None) if hasattr(c, "done_count") else targets.done().count(),
        "closed": c.closed_at is not None,
    }


def _draw_out(d: RandomDraw) -> dict[str, Any]:
    return {
        "id": d.pk,
        "campaign_id": d.campaign_id,
        "area_id": d.area_id,
        "title": d.title,
        "drawn_at": d.drawn_at,
        "seed": d.seed,
        "pool": d.pool,
        "inspector_pool": d.inspector_pool,
        "count": d.count,
        "picks": d.picks,
        "replaces_id": d.replaces_id,
        "reason": d.reason,
        "results_due": d.results_due,
        "published_at": d.published_at,
        "algorithm": ALGORITHM,
    }


def _target_out(t: CampaignTarget) -> dict[str, Any]:
    return {
        "id": t.pk,
        "unit_id": t.unit_id,
        "unit_name": t.unit.name,
        "area_id": t.area_id,
        "area_name": t.area.name,
        "source": t.source,
        "draw_id": t.draw_id,
        "inspector_ids": [p.pk for p in t.inspectors.all()],
        "inspection_id": t.inspection_id,
        "done": t.is_done,
    }


@router.get("", response={200: ListOut[CampaignOut], **ERRORS})
def campaign_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """The campaigns of the caller's area and those above it that target units in it, newest first.
    For a county campaign seen from a township, ``targets`` and ``done`` count all of its targets."""
    page = keyset_page(campaigns_for(request.user), ordering=["-starts_on", "-id"], cursor=after, size=limit)
    return {"items": [_campaign_out(c, request.user) for c in page.items], "next": page.next_cursor}


@router.get("/{campaign_id}", response={200: CampaignOut, **ERRORS})
def campaign_get(request: HttpRequest, campaign_id: str) -> Any:
    """One campaign; ``targets`` and ``done`` count the targets the caller sees."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    out = _campaign_out(campaign, request.user)
    return out


@router.post("", response={200: CampaignOut, 201: CampaignOut, **ERRORS})
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Any:
    """Start a campaign; idempotent on ``id`` (a retry answers 200 with the campaign)."""
    existing = existing_for_retry(Campaign, payload.id, request.user)
    if existing is not None:
        return Status(200, _campaign_out(get_campaign_for_user(request.user, existing.pk), request.user))
    area = get_area_for_user(request.user, payload.area_id)
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise ValidationError({"category": "没有这个单位类别。"})
    subtypes = list(Subtype.objects.filter(pk__in=payload.subtype_ids))
    if len(subtypes) != len(set(payload.subtype_ids)):
        raise ValidationError({"subtype_ids": "细分类型不存在。"})
    template = None
    if payload.template_id:
        template = ChecklistTemplate.objects.filter(pk=payload.template_id).first()
        if template is None:
            raise ValidationError({"template_id": "检查表不存在。"})
    assignees = list(User.objects.visible_to(request.user).filter(pk__in=payload.assignee_ids))
    if len(assignees) != len(set(payload.assignee_ids)):
        raise ValidationError({"assignee_ids": "承办人员不在您的范围内。"})
    campaign = services.campaign_create(
        actor=request.user,
        area=area,
        name=payload.name,
        basis=payload.basis,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        category=category,
        subtypes=subtypes,
        template=template,
        assignees=assignees,
        id=payload.id,
    )
    if payload.all_units:
        services.campaign_targets_from_filter(actor=request.user, campaign=campaign)
    return Status(201, _campaign_out(campaign, request.user))


@router.get("/{campaign_id}/targets", response={200: ListOut[TargetOut], **ERRORS})
def campaign_targets(
    request: HttpRequest,
    campaign_id: str,
    done: bool | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> Any:
    """The campaign's targets in the caller's area, by township and unit name; ``done`` filters."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    qs = targets_for(request.user, campaign)
    if done is True:
        qs = qs.done()
    elif done is False:
        qs = qs.exclude(inspection__status="submitted")
    page = keyset_page(qs, ordering=["area__path", "unit__name", "id"], cursor=after, size=limit)
    return {"items": [_target_out(t) for t in page.items], "next": page.next_cursor}


@draw_router.post("", response={200: DrawOut, 201: DrawOut, **ERRORS})
def draw_create(request: HttpRequest, payload: DrawIn) -> Any:
    """Make a 双随机 draw (final once made): the body names the campaign or the
    area and filter, and the count, the ratio or the ratios per risk grade. A
    redraw names ``replaces_id`` and a ``reason``. Idempotent on ``id``."""
    existing = existing_for_retry(RandomDraw, payload.id, request.user)
    if existing is not None:
        return Status(200, _draw_out(get_draw_for_user(request.user, existing.pk)))
    campaign = get_campaign_for_user(request.user, payload.campaign_id) if payload.campaign_id else None
    area = get_area_for_user(request.user, payload.area_id) if payload.area_id and campaign is None else None
    filters: dict[str, Any] = {}
    if payload.category:
        filters["category"] = payload.category
    if payload.township_ids:
        filters["townships"] = [str(t) for t in payload.township_ids]
    if payload.risk_grades:
        filters["risk_grades"] = list(payload.risk_grades)
    replaces = get_draw_for_user(request.user, payload.replaces_id) if payload.replaces_id else None
    draw = services.draw_make(
        actor=request.user,
        campaign=campaign,
        area=area,
        title=payload.title,
        filters=filters,
        count=payload.count,
        ratio=payload.ratio,
        grade_ratios=dict(payload.grade_ratios),
        inspectors_per_target=payload.inspectors_per_target,
        replaces=replaces,
        reason=payload.reason,
        id=payload.id,
    )
    return Status(201, _draw_out(draw))


@draw_router.get("/{draw_id}", response={200: DrawOut, **ERRORS})
def draw_get(request: HttpRequest, draw_id: str) -> Any:
    """A draw: seed, pool (unit ids), count and picks with their inspectors."""
    return _draw_out(get_draw_for_user(request.user, draw_id))


@public_router.get("/{county}/draws/{draw_id}", response={200: PublicDrawOut, 404: ErrorOut})
def public_draw_get(request: HttpRequest, county: str, draw_id: str) -> Any:
    """A draw as the public sees it, without login: seed, pool, count and the
    picked unit ids, enough to recompute it; nothing personal. ``county`` is
    the county's statistical code."""
    found = county_of_slug(county)
    if found is None:
        raise Http404
    try:
        data = public_draw(found, draw_id)
    except ValidationError:
        data = None
    if data is None:
        raise Http404
    return data
