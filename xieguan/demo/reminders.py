"""Demo reminders (issue 24): a complaint in 城关镇 accepted by cg1 that is
due on the next working day (the county's calendar skips weekends, holidays
and counts make-up days), and the county's reminder rule with e-mail on."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xieguan.complaints.calendar import WorkCalendar
from xieguan.complaints.models import Channel, Complaint, ComplaintStep, Status, StepKind
from xieguan.core.statistics import analysed
from xieguan.demo.clock import past
from xieguan.reminders.models import ReminderRule

DEMO_RECEIPT = "DEMT2468"


@transaction.atomic
@analysed
def load_reminders(demo: Any) -> None:
    cal = WorkCalendar(demo.county)
    today = timezone.localdate()
    chengguan, station1, cg1 = demo.townships[0], demo.stations[0], demo.users["cg1"]
    accepted = today - datetime.timedelta(days=20)
    at = past(timezone.make_aware(datetime.datetime.combine(accepted, datetime.time(10, 0))))
    complaint = Complaint.objects.create(
        id=uuid.uuid4(),
        receipt=DEMO_RECEIPT,
        pin_hash=make_password("246810"),
        area=chengguan,
        category="drinking_water",
        content="小区二次供水水箱长期不清洗，自来水有异味。",
        channel=Channel.PHONE,
        status=Status.ACCEPTED,
        registered_at=at,
        due_on=cal.add_working_days(today, 1),
        handler_institution=station1,
    )
    complaint.handlers.add(cg1)
    ComplaintStep.objects.create(complaint=complaint, kind=StepKind.REGISTERED, at=at, actor=cg1)
    ComplaintStep.objects.create(
        complaint=complaint, kind=StepKind.ACCEPTED, at=at, actor=cg1, deadline=complaint.due_on
    )
    ReminderRule.objects.update_or_create(county=demo.county, defaults={"channels": ["email"], "lead_days": 1})
