"""卫生监督意见书: issued on a submitted record, free of penalty wording,
numbered in the county's year."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import RECORD_INSPECTION, require
from xieguan.core.audit import audited
from xieguan.core.display import with_note
from xieguan.core.idempotency import create_once
from xieguan.core.registry import assert_period_open
from xieguan.core.validators import clean_text
from xieguan.inspections.models import Answer, Inspection, InspectionStatus, Opinion, OpinionCounter
from xieguan.inspections.services.checklists import check_wording
from xieguan.inspections.services.common import county_of


def opinion_issue(
    *,
    actor: User,
    inspection: Inspection,
    text: str,
    deadline: datetime.date,
    id: uuid.UUID | None = None,
    today: datetime.date | None = None,
) -> Opinion:
    """Issue a 卫生监督意见书 on a submitted record: the text free of penalty
    wording, a deadline not in the past, the next number of the county's year
    (a locked counter row, so two issued at once never share or skip one)."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    today = today or timezone.localdate()
    # An opinion counts in the month it is issued (today).
    assert_period_open(inspection.area, today)
    county = county_of(inspection.area)
    errors: dict[str, str] = {}
    if inspection.status != InspectionStatus.SUBMITTED:
        errors["inspection"] = _("Submit the inspection record before issuing an opinion.")
    if deadline is None or deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif deadline > today + datetime.timedelta(days=366):
        errors["deadline"] = _("The deadline must be within a year.")
    clean = clean_text(text, field="text", limit=4000, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    check_wording(clean, county=county, field="text")

    def make() -> Opinion:
        now = timezone.now()
        year = timezone.localdate(now).year
        try:
            with transaction.atomic():
                OpinionCounter.objects.get_or_create(county=county, year=year)
        except IntegrityError:
            pass  # made at the same moment by another issue; it exists now
        counter = OpinionCounter.objects.select_for_update().get(county=county, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        with audited(actor, "opinion.issue") as audit:
            opinion = audit.obj = Opinion.objects.create(
                id=id or uuid.uuid4(),
                inspection=inspection,
                unit=inspection.unit,
                area=inspection.area,
                county=county,
                year=year,
                serial=counter.last,
                number=f"{county.name}卫协意〔{year}〕{counter.last:04d}号",  # i18n: data — the official document number
                text=clean,
                deadline=deadline,
                issued_at=now,
                issued_by=actor,
            )
        return opinion

    with transaction.atomic():
        opinion, _created = create_once(Opinion, id, actor, make)
    return opinion


def opinion_draft_text(inspection: Inspection) -> str:
    """The opinion's suggested text: one numbered line per non-conforming
    item with its note, then a request to rectify by the deadline."""
    lines = []
    failing = inspection.answers.filter(result=Answer.FAILS).select_related("item").order_by("item__sort")
    for number, answer in enumerate(failing, start=1):
        item = with_note(answer.item.text, answer.note) if answer.note else answer.item.text
        lines.append(f"{number}. {item}")
    intro = _("During the inspection the following items were found not to conform:")
    outro = _("Please rectify them before the deadline and keep a record of the rectification.")
    return "\n".join([intro, *lines, outro])
