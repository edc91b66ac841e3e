"""What was known about units at a moment: their ``History`` read in a
fixed number of queries for a whole batch, using only records made on or
before ``as_of``. The nightly run reads it as of now; the backtest as of a
past cut-off, so nothing recorded later enters the score."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q

from xieguan.complaints.models import Complaint
from xieguan.inspections.models import (
    Answer,
    FrequencyRule,
    Inspection,
    InspectionStatus,
    Opinion,
    OverallResult,
    Reinspection,
    ReinspectionResult,
)
from xieguan.inspections.selectors import frequency_of
from xieguan.reports.models import Report
from xieguan.risk.score import History, Record, Visit
from xieguan.units.models import CertificateKind, Licence, StaffCertificate, Unit


def local_day(at: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(at).date()


def histories(units: Sequence[Unit], *, as_of: datetime.datetime, with_grade: bool = True) -> dict[Any, History]:
    """Each unit's history as of ``as_of``, in nine queries for the batch.
    ``with_grade=False`` leaves the hygiene grade out: the registry keeps
    only its present value, which a past cut-off could not have known."""
    ids = [u.pk for u in units]
    rules = list(FrequencyRule.objects.select_related("county"))
    found: dict[Any, History] = {
        u.pk: History(
            unit_id=u.pk,
            category_code=u.category.code,
            is_key_unit=u.is_key_unit,
            frequency=frequency_of(u, rules),
            hygiene_grade=u.hygiene_grade if with_grade else "",
        )
        for u in units
    }
    # Inspections submitted by then; a version corrected by then counts once (its newest known version).
    known = Inspection.objects.filter(
        unit_id__in=ids, status=InspectionStatus.SUBMITTED, submitted_at__lte=as_of, started_at__lte=as_of
    )
    replaced = known.filter(supersedes__isnull=False).values("supersedes_id")
    visits = (
        known.exclude(pk__in=replaced)
        .annotate(fails=Count("answers", filter=Q(answers__result=Answer.FAILS)))
        .values_list("pk", "unit_id", "started_at", "overall_result", "fails")
    )
    for pk, unit_id, started_at, result, fails in visits:
        violation = bool(fails) or result in (OverallResult.RECTIFY, OverallResult.SERIOUS)
        found[unit_id].visits.append(Visit(pk, local_day(started_at), violation, result == OverallResult.SERIOUS))
    rectified = set(
        Reinspection.objects.filter(
            opinion__unit_id__in=ids,
            result=ReinspectionResult.RECTIFIED,
            inspected_at__lte=as_of,
            created_at__lte=as_of,
        ).values_list("opinion_id", flat=True)
    )
    for pk, unit_id, number, issued_at in Opinion.objects.filter(unit_id__in=ids, issued_at__lte=as_of).values_list(
        "pk", "unit_id", "number", "issued_at"
    ):
        found[unit_id].opinions.append(Record(pk, local_day(issued_at), number, closed=pk in rectified))
    for pk, unit_id, receipt, at in Complaint.objects.filter(unit_id__in=ids, registered_at__lte=as_of).values_list(
        "pk", "unit_id", "receipt", "registered_at"
    ):
        found[unit_id].complaints.append(Record(pk, local_day(at), receipt))
    for pk, unit_id, at in Report.objects.filter(
        unit_id__in=ids, found_at__lte=as_of, received_at__lte=as_of
    ).values_list("pk", "unit_id", "found_at"):
        found[unit_id].reports.append(Record(pk, local_day(at), local_day(at).isoformat()))
    # Licences and certificates as entered by then (their expiry is a fact of the paper).
    for pk, unit_id, kind, number, expires in Licence.objects.filter(
        unit_id__in=ids, created_at__lte=as_of, expires_on__isnull=False
    ).values_list("pk", "unit_id", "kind", "number", "expires_on"):
        found[unit_id].licences.append(Record(pk, expires, f"{kind} {number}".strip()))
    for pk, unit_id, kind, person, expires in StaffCertificate.objects.filter(
        unit_id__in=ids, created_at__lte=as_of, expires_on__isnull=False
    ).values_list("pk", "unit_id", "kind", "person_name", "expires_on"):
        target = (
            found[unit_id].health_certificates
            if kind == CertificateKind.HEALTH
            else found[unit_id].training_certificates
        )
        target.append(Record(pk, expires, person))
    return found


def batched(qs: Any, size: int = 500) -> Iterable[list[Unit]]:
    """The units of ``qs`` in batches of ``size``, by id (keyset, no offset)."""
    last = None
    qs = qs.select_related("area", "category").order_by("pk")
    while True:
        page = list((qs.filter(pk__gt=last) if last is not None else qs)[:size])
        if not page:
            return
        yield page
        last = page[-1].pk
