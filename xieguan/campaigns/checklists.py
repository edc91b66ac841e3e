"""A campaign's own checklist (issue 21 §1: "an existing published template
or a campaign checklist, versioned like the others"), written by the county
from the campaign's page.

It is an ordinary county checklist of inspections (``ChecklistTemplate``),
drafted, edited and published by inspections' own services, kept under a
switched-off subtype of the county made for the campaign
(``Campaign.checklist_subtype``). No unit has that subtype, so
``inspections.checklist_for`` never picks it for an ordinary visit; publishing
a version makes it the campaign's ``template``, which the campaign's override
(registrations.campaign_checklist) gives its targets while it runs."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import MANAGE_CAMPAIGNS, MANAGE_CHECKLISTS, can, require
from xieguan.campaigns.models import Campaign
from xieguan.campaigns.services import county_of
from xieguan.core.audit import audited
from xieguan.core.errors import StateConflict
from xieguan.core.scope import is_within
from xieguan.inspections.models import ChecklistItem, ChecklistStatus, ChecklistTemplate
from xieguan.inspections.services.checklists import (
    checklist_draft_create,
    checklist_items_set,
    checklist_publish,
)
from xieguan.units.models import Subtype

SUBTYPE_NAME_LIMIT = 50


def can_edit_checklist(user: Any, campaign: Campaign) -> bool:
    """Whether ``user`` may write the campaign's own checklist: someone of the
    county (who manages its checklists and the campaign), never a township."""
    county = county_of(campaign.area)
    return (
        can(user, MANAGE_CHECKLISTS)
        and can(user, MANAGE_CAMPAIGNS)
        and is_within(user, county.path)
        and is_within(user, campaign.area.path)
    )


def _require_editor(actor: User, campaign: Campaign) -> None:
    require(actor, MANAGE_CAMPAIGNS)
    if not can_edit_checklist(actor, campaign):
        raise PermissionDenied(_("Only the county can write a campaign's own checklist."))
    if campaign.closed_at is not None:
        raise StateConflict(_("The campaign is closed: its checklist can no longer be changed."))
    if campaign.category_id is None:
        raise ValidationError(
            {"items": _("A campaign's own checklist needs the campaign to be for one unit category.")}
        )


def campaign_checklist_versions(campaign: Campaign) -> list[ChecklistTemplate]:
    """The versions of the campaign's own checklist, newest first, with their items."""
    if campaign.checklist_subtype_id is None:
        return []
    return list(
        ChecklistTemplate.objects.filter(subtype_id=campaign.checklist_subtype_id)
        .order_by("-version")
        .prefetch_related("items")
    )


def checklist_start_items(campaign: Campaign) -> list[ChecklistItem]:
    """The items a new version starts from on the page: the campaign's newest
    version, else the checklist the campaign uses now, else none."""
    versions = campaign_checklist_versions(campaign)
    if versions:
        return list(versions[0].items.all())
    return list(campaign.template.items.all()) if campaign.template is not None else []


def campaign_checklist_draft(campaign: Campaign) -> ChecklistTemplate | None:
    """The draft version of the campaign's own checklist being written, if any."""
    return next((t for t in campaign_checklist_versions(campaign) if t.status == ChecklistStatus.DRAFT), None)


def _subtype_for(actor: User, campaign: Campaign) -> Subtype:
    """The campaign's own switched-off subtype, made the first time (audited with the campaign)."""
    if campaign.checklist_subtype_id is not None:
        return campaign.checklist_subtype  # type: ignore[return-value]
    county = county_of(campaign.area)
    suffix = f" #{campaign.pk.hex[:6]}"
    label = _("Campaign: %(name)s") % {"name": campaign.name}
    with audited(actor, "campaign.checklist_start", campaign):
        campaign.checklist_subtype = Subtype.objects.create(
            category_id=campaign.category_id,
            county=county,
            name=label[: SUBTYPE_NAME_LIMIT - len(suffix)] + suffix,
            is_active=False,  # never offered to a unit
        )
        campaign.save(update_fields=["checklist_subtype", "updated_at"])
    return campaign.checklist_subtype


def campaign_checklist_save(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    items: str | list[tuple[str, str, str]],
    id: uuid.UUID | None = None,
) -> ChecklistTemplate:
    """Write the draft of the campaign's own checklist: its title and items
    (typed lines ``code | item | basis`` or (code, item, basis) rows), in the
    order given. The first save makes version 1; once a version is published,
    the next save makes the next version. ``id`` names the
    draft for the client (a retry finds it; a version already published under
    it is answered unchanged). Only the county can write it."""
    _require_editor(actor, campaign)
    county = county_of(campaign.area)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        campaign.refresh_from_db(fields=["checklist_subtype"])
        subtype = _subtype_for(actor, campaign)
        if id is not None:
            same = ChecklistTemplate.objects.filter(pk=id).first()
            if same is not None:
                if same.subtype_id != subtype.pk:
                    raise ValidationError({"id": _("This id is already used by another checklist.")})
                if same.status == ChecklistStatus.PUBLISHED:
                    return same
        draft = campaign_checklist_draft(campaign)
        if draft is None:
            draft = checklist_draft_create(
                actor=actor, county=county, category=campaign.category, subtype=subtype, id=id
            )
        checklist_items_set(actor=actor, template=draft, title=title, items=items)
    return draft


def campaign_checklist_publish(*, actor: User, campaign: Campaign) -> ChecklistTemplate:
    """Publish the draft of the campaign's own checklist and put it in use:
    the campaign's targets not yet visited are inspected with it from now on
    (records already made keep theirs). Publishing with no draft answers the
    version in use unchanged."""
    _require_editor(actor, campaign)
    with transaction.atomic():
        draft = campaign_checklist_draft(campaign)
        if draft is None:
            current = campaign.template
            if current is not None and current.subtype_id and current.subtype_id == campaign.checklist_subtype_id:
                return current
            raise StateConflict({"items": _("Write the campaign's checklist before publishing it.")})
        with audited(actor, "campaign.checklist_publish", campaign):
            checklist_publish(actor=actor, template=draft)
            campaign.template = draft
            campaign.save(update_fields=["template", "updated_at"])
    return draft
