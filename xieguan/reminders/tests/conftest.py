from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from xieguan.complaints.models import Channel, Complaint, Status


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime(y, m, d, h, minute))


@pytest.fixture
def make_complaint(demo: Any) -> Any:
    """make_complaint(due_on, township=…, handler=…): an accepted complaint due on a day."""

    def make(due_on: datetime.date, township: Any = None, handler: Any = None, receipt: str = "") -> Complaint:
        township = township or demo.townships[0]
        c = Complaint.objects.create(
            id=uuid.uuid4(),
            receipt=receipt or uuid.uuid4().hex[:8].upper(),
            pin_hash="x",
            area=township,
            category="drinking_water",
            content="二次供水水箱不清洗",
            channel=Channel.PHONE,
            status=Status.ACCEPTED,
            registered_at=timezone.now() - datetime.timedelta(days=10),
            due_on=due_on,
            handler_institution=demo.stations[0],
        )
        if handler is not None:
            c.handlers.add(handler)
        return c

    return make
