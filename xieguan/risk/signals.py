"""A new record recomputes its unit's score once the write is committed:
the risk app stands above inspections, complaints and reports, so it
listens rather than being called."""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from xieguan.complaints.models import Complaint
from xieguan.inspections.models import Inspection, InspectionStatus, Opinion, Reinspection
from xieguan.reports.models import Report
from xieguan.units.models import Licence, StaffCertificate

_pending = threading.local()


def _flush() -> None:
    from xieguan.risk.services import recompute_unit_ids

    ids = getattr(_pending, "ids", set())
    _pending.ids = set()
    recompute_unit_ids(ids)


def _later(unit_id: Any) -> None:
    """Rescore the unit when the transaction commits: once per transaction
    however many of its records it writes."""
    if unit_id is None:
        return
    ids = getattr(_pending, "ids", None)
    if ids is None:
        _pending.ids = ids = set()
    if unit_id not in ids:  # one flush per unit at most; the first to run rescores them all
        ids.add(unit_id)
        transaction.on_commit(_flush)


@receiver(post_save, sender=Inspection, dispatch_uid="risk.inspection")
def _inspection_saved(sender: Any, instance: Inspection, raw: bool = False, **kwargs: Any) -> None:
    # A draft never counts (the history reads submitted records only) and a
    # record never goes back to draft: the field app's saves of a record
    # underway (created, answers, photos, signatures) rescore nothing; its
    # submission does.
    if raw or instance.status == InspectionStatus.DRAFT:
        return
    _later(instance.unit_id)


@receiver(post_save, sender=Opinion, dispatch_uid="risk.opinion")
@receiver(post_save, sender=Complaint, dispatch_uid="risk.complaint")
@receiver(post_save, sender=Report, dispatch_uid="risk.report")
@receiver(post_save, sender=Licence, dispatch_uid="risk.licence")
@receiver(post_save, sender=StaffCertificate, dispatch_uid="risk.certificate")
def _record_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    _later(getattr(instance, "unit_id", None))


@receiver(post_save, sender=Reinspection, dispatch_uid="risk.reinspection")
def _reinspection_saved(sender: Any, instance: Reinspection, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    _later(instance.opinion.unit_id)
