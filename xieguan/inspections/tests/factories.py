"""Inspections made through the services (so they are audited and valid),
and plain units for the coverage hand counts."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xieguan.accounts.models import User
from xieguan.inspections.models import Answer, Inspection, SignerRole
from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
from xieguan.inspections.services.records import (
    inspection_create,
    inspection_save_draft,
    inspection_submit,
)
from xieguan.units.models import Category, Unit


def png(color: str = "black", size: tuple[int, int] = (300, 100), name: str = "sign.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def jpeg(color: str = "teal", size: tuple[int, int] = (2000, 1500)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def plain_unit(area: Any, *, name: str = "红星酒店", category: str = "public_place", **extra: Any) -> Unit:
    cat = Category.objects.get(code=category)
    extra.setdefault("latitude", Decimal("30.000000"))
    extra.setdefault("longitude", Decimal("120.000000"))
    return Unit.objects.create(name=name, area=area, category=cat, address="人民路 1 号", **extra)


def draft(
    actor: User, unit: Unit, *, inspectors: list[Any], at: datetime.datetime | None = None, **extra: Any
) -> Inspection:
    return inspection_create(actor=actor, unit=unit, started_at=at or timezone.now(), inspectors=inspectors, **extra)


def submitted(
    actor: User, unit: Unit, *, inspectors: list[Any], fails: int = 0, at: datetime.datetime | None = None
) -> Inspection:
    """A complete, signed and submitted record with ``fails`` non-conforming
    items and the photos its checklist asks for."""
    inspection = draft(actor, unit, inspectors=inspectors, at=at)
    answers = {}
    for n, answer in enumerate(inspection.answers.order_by("item__sort")):
        answers[answer.item_id] = (Answer.FAILS if n < fails else Answer.CONFORMS, "未见台账" if n < fails else "")
    inspection_save_draft(
        actor=actor,
        inspection=inspection,
        answers=answers,
        problems="从业人员健康证过期" if fails else "",
        overall_result="rectify" if fails else "conforming",
        representative="张红星",
    )
    # The photos its checklist asks for, small; the same bytes under two ids are two photos.
    for _n in range(inspection.template.photos_required):
        inspection_photo_add(actor=actor, inspection=inspection, upload=jpeg(size=(64, 48)), client_id=uuid.uuid4())
    for person in inspectors:
        signature_add(actor=actor, inspection=inspection, role=SignerRole.INSPECTOR, user=person, upload=png())
    signature_add(actor=actor, inspection=inspection, role=SignerRole.REPRESENTATIVE, refused=True)
    return inspection_submit(actor=actor, inspection=inspection)
