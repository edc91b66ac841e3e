"""What follows an opinion: the re-inspection (整改复查) and the handover of
a case to the county institute (案件移交)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import HANDLE_HANDOVER, RECORD_INSPECTION, require
from xieguan.core.audit import audited
from xieguan.core.idempotency import create_audited_once, create_once
from xieguan.core.registry import assert_period_open, ensure_open
from xieguan.core.validators import clean_text, date_error
from xieguan.inspections.models import (
    Handover,
    HandoverReason,
    HandoverStatus,
    Inspection,
    InspectionStatus,
    Opinion,
    Photo,
    Reinspection,
    ReinspectionResult,
)
from xieguan.inspections.services.checklists import check_wording
from xieguan.inspections.services.common import GpsFix, _inspectors, _save_photo, county_of

# ---------------------------------------------------------------- re-inspections


def reinspection_record(
    *,
    actor: User,
    opinion: Opinion,
    inspected_at: datetime.datetime,
    result: str,
    note: str = "",
    inspectors: Sequence[Any] = (),
    id: uuid.UUID | None = None,
) -> Reinspection:
    """Record the follow-up visit on an opinion (整改复查) and its result;
    at least two inspectors, as on any visit. Made once per ``id``."""
    require(actor, RECORD_INSPECTION, opinion.area.path)
    assert_period_open(opinion.area, inspected_at)
    errors: dict[str, str] = {}
    if result not in ReinspectionResult.values:
        errors["result"] = _("Choose a result from the list.")
    if inspected_at > timezone.now() + datetime.timedelta(minutes=10):
        errors["inspected_at"] = _("The time cannot be in the future.")
    elif problem := date_error(inspected_at, ahead_days=1):
        errors["inspected_at"] = problem
    elif inspected_at < opinion.issued_at - datetime.timedelta(minutes=1):
        errors["inspected_at"] = _("The re-inspection cannot be before the opinion was issued.")
    if errors:
        raise ValidationError(errors)
    chosen = _inspectors(actor, inspectors)
    if len(chosen) < 2:
        raise ValidationError({"inspectors": _("An inspection needs at least two inspectors.")})
    clean_note = clean_text(note, field="note", limit=4000)

    def make() -> Reinspection:
        with audited(actor, "reinspection.record") as audit:
            record = audit.obj = Reinspection.objects.create(
                id=id or uuid.uuid4(),
                opinion=opinion,
                area=opinion.area,
                inspected_at=inspected_at,
                result=result,
                note=clean_note,
                recorded_by=actor,
            )
            record.inspectors.set(chosen)
        return record

    with transaction.atomic():
        record, _created = create_once(Reinspection, id, actor, make)
    return record


def reinspection_photo_add(
    *, actor: User, reinspection: Reinspection, upload: Any, fix: GpsFix | None = None
) -> tuple[Photo, bool]:
    """An evidence photo of a re-inspection, stamped with its time, the
    unit's name and address and ``fix`` (a re-inspection keeps no fix of
    its own: without one sent, 无定位)."""
    require(actor, RECORD_INSPECTION, reinspection.area.path)
    ensure_open(reinspection)
    return _save_photo(
        actor=actor,
        upload=upload,
        area=reinspection.area,
        unit=reinspection.opinion.unit,
        fix=fix,
        reinspection=reinspection,
    )


# ---------------------------------------------------------------- handovers


def handover_create(
    *,
    actor: User,
    reason: str,
    description: str = "",
    inspection: Inspection | None = None,
    opinion: Opinion | None = None,
    reinspection: Reinspection | None = None,
    id: uuid.UUID | None = None,
) -> Handover:
    """Hand a case to the county institute (案件移交) with its evidence: a
    not-rectified re-inspection, or a record with a refusal or a serious
    violation. The unit's records, opinions, photos and re-inspections go
    with it (the handover page links them)."""
    if reinspection is not None:
        opinion = reinspection.opinion
    if opinion is not None:
        inspection = opinion.inspection
    if inspection is None:
        raise ValidationError({"inspection": _("Choose the record the case is about.")})
    require(actor, RECORD_INSPECTION, inspection.area.path)
    errors: dict[str, str] = {}
    if reason not in HandoverReason.values:
        errors["reason"] = _("Choose a reason from the list.")
    elif reason == HandoverReason.NOT_RECTIFIED and (
        reinspection is None or reinspection.result != ReinspectionResult.NOT_RECTIFIED
    ):
        errors["reason"] = _("“Not rectified” needs a re-inspection that found it not rectified.")
    if inspection.status != InspectionStatus.SUBMITTED:
        errors["inspection"] = _("Submit the inspection record before handing the case over.")
    if errors:
        raise ValidationError(errors)
    clean = clean_text(description, field="description", limit=4000)
    check_wording(clean, county=county_of(inspection.area), field="description")

    handover, _created = create_audited_once(
        Handover,
        id,
        actor,
        "handover.create",
        unit=inspection.unit,
        area=inspection.area,
        inspection=inspection,
        opinion=opinion,
        reinspection=reinspection,
        reason=reason,
        description=clean,
        sent_at=timezone.now(),
        sent_by=actor,
    )
    return handover


def handover_record(*, actor: User, handover: Handover, investigation: str, outcome: str = "") -> Handover:
    """The institute's investigation notes and, when given, its outcome (查处
    结果), which closes the case and is shown to the township read-only."""
    require(actor, HANDLE_HANDOVER, handover.area.path)
    clean_investigation = clean_text(investigation, field="investigation", limit=8000)
    clean_outcome = clean_text(outcome, field="outcome", limit=8000)
    if not clean_investigation and not clean_outcome:
        raise ValidationError({"investigation": _("Write the investigation or the outcome.")})
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if handover.status == HandoverStatus.CLOSED:
            raise ValidationError(_("The outcome of this case has been recorded already."))
        with audited(actor, "handover.record", handover):
            handover.investigation = clean_investigation
            handover.handled_by = actor
            if clean_outcome:
                handover.outcome = clean_outcome
                handover.outcome_at = timezone.now()
                handover.status = HandoverStatus.CLOSED
            else:
                handover.status = HandoverStatus.INVESTIGATING
            handover.save()
    return handover
