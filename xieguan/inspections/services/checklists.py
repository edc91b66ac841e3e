"""A county's patrol settings (SPEC §4): checklist templates and their
versions, how often units are patrolled, and the penalty wording a
co-manager's text may not use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import MANAGE_CHECKLISTS, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audit_record, audited
from xieguan.core.display import join_list
from xieguan.core.validators import clean_text
from xieguan.inspections.models import (
    DEFAULT_PHOTOS_REQUIRED,
    MAX_PHOTOS_REQUIRED,
    ChecklistItem,
    ChecklistStatus,
    ChecklistTemplate,
    ForbiddenPhrase,
    FrequencyRule,
    Period,
)
from xieguan.inspections.services.common import county_of
from xieguan.inspections.wording import find_forbidden
from xieguan.units.models import Category, Subtype, Unit

# ---------------------------------------------------------------- penalty wording


def forbidden_phrases_for(county: Area | None) -> list[str]:
    """The national penalty-wording list plus the county's own phrases."""
    qs = ForbiddenPhrase.objects.filter(county__isnull=True)
    if county is not None:
        qs = ForbiddenPhrase.objects.filter(county__isnull=True) | ForbiddenPhrase.objects.filter(county=county)
    return list(qs.values_list("phrase", flat=True))


def check_wording(text: str, *, county: Area | None, field: str) -> None:
    """Refuse ``text`` naming the penalty words it holds (SPEC §1: co-managers
    suggest, they never penalise)."""
    hits = find_forbidden(text, forbidden_phrases_for(county))
    if hits:
        words = join_list(dict.fromkeys(h.phrase for h in hits))
        raise ValidationError(
            {
                field: _(
                    "The text contains penalty wording (%(words)s). Co-management may only suggest "
                    "rectification; rewrite it without these words."
                )
                % {"words": words}
            }
        )


# ---------------------------------------------------------------- checklists


# Apps above this one that pin a checklist on some units (a special
# campaign's own, for its targets while it runs) register a function here:
# unit -> a published template of the unit's category, or None.
CHECKLIST_OVERRIDES: list[Callable[[Unit], ChecklistTemplate | None]] = []


def checklist_for(unit: Unit) -> ChecklistTemplate:
    """The checklist a new inspection of ``unit`` uses: a registered
    override's (a running campaign's own for its targets), else the newest
    published version of the county's own (for the subtype, then the
    category), else the national default (same order)."""
    for override in CHECKLIST_OVERRIDES:
        pinned = override(unit)
        if pinned is not None and pinned.status == ChecklistStatus.PUBLISHED and pinned.category_id == unit.category_id:
            return pinned
    county = county_of(unit.area)
    published = ChecklistTemplate.objects.filter(status=ChecklistStatus.PUBLISHED, category=unit.category_id)
    for owner in (county, None):
        base = published.filter(county=owner) if owner is not None else published.filter(county__isnull=True)
        for subtype in ([unit.subtype_id] if unit.subtype_id else []) + [None]:
            qs = base.filter(subtype=subtype) if subtype is not None else base.filter(subtype__isnull=True)
            found = qs.order_by("-version").first()
            if found is not None:
                return found
    raise ValidationError({"unit": _("There is no published checklist for this unit's category.")})


def checklist_draft_create(
    *, actor: User, county: Area, category: Category, subtype: Subtype | None = None, id: uuid.UUID | None = None
) -> ChecklistTemplate:
    """A new draft version of the county's checklist for a category (and
    subtype), starting from the items of the version in use. ``id`` is the
    client's own for it (the API's retry finds it)."""
    require(actor, MANAGE_CHECKLISTS, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Checklists belong to a county.")})
    if subtype is not None and subtype.category_id != category.pk:
        raise ValidationError({"subtype": _("The subtype is not of this category.")})
    if subtype is not None and subtype.county_id not in (None, county.pk):
        raise ValidationError({"subtype": _("The subtype is not of this category.")})
    with transaction.atomic():
        same = ChecklistTemplate.objects.select_for_update(of=("self",)).filter(county=county, category=category)
        same = same.filter(subtype=subtype) if subtype else same.filter(subtype__isnull=True)
        if same.filter(status=ChecklistStatus.DRAFT).exists():
            raise ValidationError(_("A draft of this checklist already exists; edit or publish it first."))
        latest = same.order_by("-version").first()
        source = latest
        if source is None:
            national = ChecklistTemplate.objects.filter(
                county__isnull=True, category=category, status=ChecklistStatus.PUBLISHED
            )
            source = national.order_by("-version").first()
        template = ChecklistTemplate.objects.create(
            **({"id": id} if id is not None else {}),
            county=county,
            category=category,
            subtype=subtype,
            title=source.title if source else str(category),
            version=(latest.version + 1) if latest else 1,
            status=ChecklistStatus.DRAFT,
            photos_required=source.photos_required if source else DEFAULT_PHOTOS_REQUIRED,
        )
        if source is not None:
            ChecklistItem.objects.bulk_create(
                ChecklistItem(template=template, code=i.code, text=i.text, basis=i.basis, sort=i.sort)
                for i in source.items.all()
            )
        audit_record(actor=actor, action="checklist.draft", obj=template, area_path=county.path)
    return template


def parse_item_lines(text: str) -> list[tuple[str, str, str]]:
    """Checklist items typed one per line as ``code | item | basis``."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [
            p.strip()
            for p in line.replace("｜", "|").split("|")  # i18n: data — a full-width bar typed in pasted lines
        ]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValidationError({"items": _("Line %(n)d: write it as “code | item | basis”.") % {"n": number}})
        items.append((parts[0][:10], parts[1][:300], (parts[2] if len(parts) > 2 else "")[:300]))
    if not items:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    codes = [c for c, _t, _b in items]
    if len(set(codes)) != len(codes):
        raise ValidationError({"items": _("Two items have the same code.")})
    return items


def _item_rows(items: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Rows given one by one, held to the same rules as typed lines."""
    rows = [(c.strip()[:10], t.strip()[:300], (b or "").strip()[:300]) for c, t, b in items]
    for number, (code, text, _basis) in enumerate(rows, start=1):
        if not code or not text:
            raise ValidationError({"items": _("Line %(n)d: write it as “code | item | basis”.") % {"n": number}})
    if not rows:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    codes = [c for c, _t, _b in rows]
    if len(set(codes)) != len(codes):
        raise ValidationError({"items": _("Two items have the same code.")})
    return rows


def checklist_items_set(
    *,
    actor: User,
    template: ChecklistTemplate,
    title: str,
    items: str | list[tuple[str, str, str]],
    photos_required: int | None = None,
) -> ChecklistTemplate:
    """Replace a draft's title, items (typed lines ``code | item | basis``,
    or (code, item, basis) rows from the API) and (when given) how many
    photos a record needs; a published version is never edited."""
    if template.county is None:
        raise PermissionDenied(_("The national default checklist cannot be edited; make a county version."))
    require(actor, MANAGE_CHECKLISTS, template.county.path)
    if template.status != ChecklistStatus.DRAFT:
        raise ValidationError(_("A published checklist cannot be changed; make a new version."))
    clean_title = clean_text(title, field="title", limit=100, required=True)
    rows = parse_item_lines(items) if isinstance(items, str) else _item_rows(items)
    if photos_required is not None and not 0 <= photos_required <= MAX_PHOTOS_REQUIRED:
        raise ValidationError(
            {"photos_required": _("Give a number from 0 to %(most)d.") % {"most": MAX_PHOTOS_REQUIRED}}
        )
    with (
        transaction.atomic(),
        audited(actor, "checklist.edit", template, snapshot_with=_checklist_snapshot, area_path=template.county.path),
    ):
        template.title = clean_title
        if photos_required is not None:
            template.photos_required = photos_required
        template.save(update_fields=["title", "photos_required", "updated_at"])
        template.items.all().delete()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, code=c, text=t, basis=b, sort=n) for n, (c, t, b) in enumerate(rows)
        )
    return template


def _checklist_snapshot(template: ChecklistTemplate) -> dict[str, Any]:
    """A checklist's title, the photos it asks for and its items as ``code text``."""
    return {
        "title": template.title,
        "photos_required": template.photos_required,
        "items": [f"{i.code} {i.text}" for i in template.items.all()],
    }


def checklist_publish(*, actor: User, template: ChecklistTemplate) -> ChecklistTemplate:
    """Publish a draft: new inspections use it; old records keep theirs."""
    if template.county is None:
        raise PermissionDenied(_("The national default checklist cannot be edited; make a county version."))
    require(actor, MANAGE_CHECKLISTS, template.county.path)
    if template.status != ChecklistStatus.DRAFT:
        raise ValidationError(_("This version is already published."))
    if not template.items.exists():
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    with transaction.atomic():
        template.status = ChecklistStatus.PUBLISHED
        template.published_at = timezone.now()
        template.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(
            actor=actor,
            action="checklist.publish",
            obj=template,
            area_path=template.county.path,
            note=_("published"),
        )
    return template


# ---------------------------------------------------------------- frequency, phrases


def frequency_rule_set(
    *, actor: User, county: Area, category: Category | None, key_unit: bool | None, period: str
) -> FrequencyRule:
    """Set how often a county's units (of a category, key or not) are patrolled."""
    require(actor, MANAGE_CHECKLISTS, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Frequency rules belong to a county.")})
    if period not in Period.values:
        raise ValidationError({"period": _("Choose a frequency from the list.")})
    with transaction.atomic():
        # of=self and no ordering: a rule's default ordering joins its nullable
        # category, and PostgreSQL cannot lock the nullable side of an outer join.
        rule = (
            # of=self: the default ordering joins the nullable category, and
            # PostgreSQL refuses FOR UPDATE on the nullable side of a join.
            FrequencyRule.objects.select_for_update(of=("self",))
            .filter(county=county, category=category, key_unit=key_unit)
            .order_by("pk")
            .first()
        )
        with audited(actor, "frequency_rule.set", rule) as audit:
            if rule is None:
                rule = FrequencyRule(county=county, category=category, key_unit=key_unit)
            rule.period = period
            rule.save()
            audit.obj = rule
    return rule


def frequency_rule_delete(*, actor: User, rule: FrequencyRule) -> None:
    require(actor, MANAGE_CHECKLISTS, rule.county.path)
    with transaction.atomic(), audited(actor, "frequency_rule.delete", rule):
        rule.delete()


def forbidden_phrase_add(*, actor: User, county: Area, phrase: str) -> ForbiddenPhrase:
    """Add a penalty phrase to the county's own list."""
    require(actor, MANAGE_CHECKLISTS, county.path)
    clean = clean_text(phrase, field="phrase", limit=50, required=True)
    if not any(ch.isalnum() for ch in clean):
        raise ValidationError({"phrase": _("The phrase must contain words.")})
    if clean in forbidden_phrases_for(county):
        raise ValidationError({"phrase": _("This phrase is already on the list.")})
    with transaction.atomic():
        found = ForbiddenPhrase.objects.create(county=county, phrase=clean)
        audit_record(actor=actor, action="phrase.add", obj=found, area_path=county.path)
    return found


def forbidden_phrase_delete(*, actor: User, phrase: ForbiddenPhrase) -> None:
    if phrase.county is None:
        raise PermissionDenied(_("The national list cannot be changed."))
    require(actor, MANAGE_CHECKLISTS, phrase.county.path)
    with transaction.atomic():
        audit_record(actor=actor, action="phrase.delete", obj=phrase, area_path=phrase.county.path)
        phrase.delete()
