"""Hand-made histories for the risk tests: units and records written
straight to the database, dated where the test wants them."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from xieguan.complaints.models import Channel, Complaint, ComplaintCategory
from xieguan.inspections.models import (
    ChecklistStatus,
    ChecklistTemplate,
    Inspection,
    InspectionStatus,
    Opinion,
    OverallResult,
)
from xieguan.units.models import Category, Unit

_serial = itertools.count(1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def template_for(demo: Any, category: Category) -> ChecklistTemplate:
    found = ChecklistTemplate.objects.filter(category=category, status=ChecklistStatus.PUBLISHED).first()
    if found is not None:
        return found
    return ChecklistTemplate.objects.create(
        county=demo.county, category=category, title="测试巡查表", status=ChecklistStatus.PUBLISHED
    )


def bulk_units(demo: Any, n: int, *, opened_on: datetime.date, key: bool = False) -> list[Unit]:
    food = Category.objects.get(code="food")
    township = demo.townships[0]
    units = [
        Unit(
            name=f"测试餐馆{next(_serial)}",
            area=township,
            county=demo.county,
            category=food,
            opened_on=opened_on,
            is_key_unit=key,
        )
        for _ in range(n)
    ]
    return Unit.objects.bulk_create(units)


def inspect(demo: Any, unit: Unit, day: datetime.date, *, result: str = OverallResult.CONFORMING) -> Inspection:
    user = demo.users["cg1"]
    return Inspection.objects.create(
        unit=unit,
        area=unit.area,
        institution=user.institution,
        template=template_for(demo, unit.category),
        status=InspectionStatus.SUBMITTED,
        started_at=at(day),
        submitted_at=at(day, 11),
        overall_result=result,
        recorded_by=user,
    )


def inspections_bulk(demo: Any, rows: list[tuple[Unit, datetime.date, str]]) -> None:
    user = demo.users["cg1"]
    template = None
    objects = []
    for unit, day, result in rows:
        template = template or template_for(demo, unit.category)
        objects.append(
            Inspection(
                unit=unit,
                area=unit.area,
                institution=user.institution,
                template=template,
                status=InspectionStatus.SUBMITTED,
                started_at=at(day),
                submitted_at=at(day, 11),
                overall_result=result,
                recorded_by=user,
            )
        )
    Inspection.objects.bulk_create(objects)


def opinion(demo: Any, inspection: Inspection, day: datetime.date) -> Opinion:
    serial = next(_serial)
    return Opinion.objects.create(
        inspection=inspection,
        unit=inspection.unit,
        area=inspection.area,
        county=demo.county,
        year=day.year,
        serial=serial,
        number=f"测卫协意〔{day.year}〕{serial:04d}号",
        text="限期整改",
        deadline=day + datetime.timedelta(days=15),
        issued_at=at(day, 12),
        issued_by=demo.users["cg1"],
    )


def complaint(demo: Any, unit: Unit, day: datetime.date) -> Complaint:
    return Complaint.objects.create(
        receipt=f"T{next(_serial):07d}",
        pin_hash="x",
        area=demo.townships[0],
        unit=unit,
        category=ComplaintCategory.PUBLIC_PLACE,
        content="有异味",
        channel=Channel.PHONE,
        registered_at=at(day),
    )
