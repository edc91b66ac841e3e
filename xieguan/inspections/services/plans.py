"""A township's monthly patrol plan (月度巡查计划): made from what is due,
then units added or removed."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import RECORD_INSPECTION, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audit_record
from xieguan.inspections.models import MonthlyPlan, MonthlyPlanItem
from xieguan.units.models import Unit


def plan_prefill(
    *, actor: User, township: Area, year: int, month: int, units: Iterable[Unit], id: uuid.UUID | None = None
) -> MonthlyPlan:
    """The township's plan for a month, made from ``units`` (what is due) the
    first time; an existing plan is returned unchanged."""
    require(actor, RECORD_INSPECTION, township.path)
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": _("A monthly plan belongs to a township.")})
    if not (1 <= month <= 12):
        raise ValidationError({"month": _("Choose a month from 1 to 12.")})
    with transaction.atomic():
        plan = MonthlyPlan.objects.filter(township=township, year=year, month=month).first()
        if plan is not None:
            return plan
        try:
            with transaction.atomic():
                plan = MonthlyPlan.objects.create(
                    **({"id": id} if id is not None else {}),
                    township=township,
                    year=year,
                    month=month,
                    created_by=actor,
                )
        except IntegrityError:
            return MonthlyPlan.objects.get(township=township, year=year, month=month)
        MonthlyPlanItem.objects.bulk_create(MonthlyPlanItem(plan=plan, unit=u) for u in units)
        audit_record(actor=actor, action="plan.make", obj=plan, area_path=township.path)
    return plan


def plan_item_add(*, actor: User, plan: MonthlyPlan, unit: Unit) -> None:
    require(actor, RECORD_INSPECTION, plan.township.path)
    if not unit.area.path.startswith(plan.township.path):
        raise ValidationError({"unit": _("The unit is not in this township.")})
    with transaction.atomic():
        _item, created = MonthlyPlanItem.objects.get_or_create(plan=plan, unit=unit)
        if created:
            audit_record(actor=actor, action="plan.add_unit", obj=plan, changes={"units": [None, unit.name]})


def plan_item_remove(*, actor: User, plan: MonthlyPlan, unit: Unit) -> None:
    require(actor, RECORD_INSPECTION, plan.township.path)
    with transaction.atomic():
        deleted, _n = MonthlyPlanItem.objects.filter(plan=plan, unit=unit).delete()
        if deleted:
            audit_record(actor=actor, action="plan.remove_unit", obj=plan, changes={"units": [unit.name, None]})


def plan_make_from_due(
    *, actor: User, township: Area, year: int, month: int, today: datetime.date, id: uuid.UUID | None = None
) -> MonthlyPlan:
    """The township's plan for a month made from the units due and not yet
    patrolled in it (what the plan page's 按应巡单位生成 does); an existing plan
    is returned unchanged."""
    from xieguan.inspections.selectors import patrol_status

    require(actor, RECORD_INSPECTION, township.path)
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": _("A monthly plan belongs to a township.")})
    if not (1 <= month <= 12):
        raise ValidationError({"month": _("Choose a month from 1 to 12.")})
    due = patrol_status(actor, year=year, month=month, township=township, today=today)
    # The suggestion lists the riskiest first (``with_risk``; area order without a risk score).
    units = sorted((r.unit for r in due.rows if r.state != "done"), key=lambda u: -getattr(u, "risk_score", 0))
    return plan_prefill(actor=actor, township=township, year=year, month=month, units=units, id=id)
