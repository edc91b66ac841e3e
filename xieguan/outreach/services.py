"""Every write to publicity records (SPEC §7): validated, permitted, scoped, audited."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.permissions import RECORD_OUTREACH, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audit_record, diff, snapshot
from xieguan.core.idempotency import create_once
from xieguan.core.models import AuditEvent
from xieguan.outreach.models import Outreach, OutreachForm


def _clean_text(value: str | None, *, field: str, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Enter at most %(limit)d characters.") % {"limit": limit}})
    return value


def outreach_create(
    *,
    actor: Any,
    area: Area,
    date: datetime.date,
    place: str,
    form: str,
    theme: str,
    audience: str = "",
    audience_count: int = 0,
    materials: str = "",
    materials_count: int = 0,
    unit_id: uuid.UUID | None = None,
    id: uuid.UUID | None = None,
) -> Outreach:
    """A new publicity record in a township or village of the actor's area,
    made by the actor's institution; made once per ``id``."""
    require(actor, RECORD_OUTREACH, area.path)
    if actor.institution is None:
        raise ValidationError(_("Only a member of an institution can record publicity."))
    errors: dict[str, str] = {}
    if area.level not in (Level.TOWNSHIP, Level.VILLAGE):
        errors["area"] = _("Choose a township or a village.")
    elif not area.is_active:
        errors["area"] = _("This area has been retired.")
    if date > timezone.localdate():
        errors["date"] = _("The date cannot be in the future.")
    if form not in OutreachForm.values:
        errors["form"] = _("Choose a form from the list.")
    if audience_count < 0 or materials_count < 0:
        errors["audience_count"] = _("Counts cannot be negative.")
    if errors:
        raise ValidationError(errors)
    clean = {
        "place": _clean_text(place, field="place", required=True, limit=200),
        "theme": _clean_text(theme, field="theme", required=True, limit=200),
        "audience": _clean_text(audience, field="audience", required=False, limit=200),
        "materials": _clean_text(materials, field="materials", required=False, limit=2000),
    }

    def make() -> Outreach:
        record = Outreach(
            id=id or uuid.uuid4(),
            area=area,
            institution=actor.institution,
            date=date,
            form=form,
            audience_count=audience_count,
            materials_count=materials_count,
            unit_id=unit_id if form == OutreachForm.GUIDANCE else None,
            recorded_by=actor,
            **clean,
        )
        record.save()
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=record, changes=diff({}, snapshot(record)))
        return record

    with transaction.atomic():
        record, _created = create_once(Outreach, id, actor, make)
        return record
