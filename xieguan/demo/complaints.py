"""Demo complaints (issue 7): a handful in every state of the flow in 城关镇
and its neighbours — one past its deadline, one near it, a possible
duplicate, a transferred case, one not accepted, one archived — and one the
public can follow on /complaints/track with a known receipt and PIN.

Bulk inserts; one PIN hash for all of them (PBKDF2 per complaint would cost
seconds)."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xieguan.complaints.calendar import WorkCalendar
from xieguan.complaints.models import Channel, Complaint, ComplaintStep, Status, StepKind
from xieguan.core.statistics import analysed
from xieguan.demo.clock import past
from xieguan.demo.county import DemoCounty

if TYPE_CHECKING:
    from xieguan.accounts.models import User

DEMO_RECEIPT = "DEMA3467"  # shown as DEMA-3467
DEMO_PIN = "246810"  # every demo complaint's PIN


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return past(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30))))


@transaction.atomic
@analysed
def load_complaints(demo: DemoCounty) -> list[Complaint]:
    from xieguan.units.models import Unit

    cal = WorkCalendar(demo.county)
    today = timezone.localdate()

    def back(n: int) -> datetime.date:
        """The working day ``n`` working days before today."""
        day, counted = today, 0
        while counted < n:
            day -= datetime.timedelta(days=1)
            if cal.is_workday(day):
                counted += 1
        return day

    chengguan, hedong, qingshan = demo.townships[0], demo.townships[1], demo.townships[2]
    station1, station2 = demo.stations[0], demo.stations[1]
    u = demo.users
    food_units = list(Unit.objects.filter(area__path__startswith=chengguan.path, category__code="food")[:2])
    place_unit = Unit.objects.filter(area__path__startswith=chengguan.path, category__code="public_place").first()
    hedong_unit = Unit.objects.filter(area__path__startswith=hedong.path).first()
    pin_hash = make_password(DEMO_PIN)
    receipts = iter(["DEMA3467", "DEMC4679", "DEMF7439", "DEMH3796", "DEMK6943", "DEMN9473", "DEMP3674", "DEMR4796"])
    complaints: list[Complaint] = []
    steps: list[ComplaintStep] = []
    handlers: list[tuple[Complaint, Any]] = []

    def add(
        *,
        township: Any,
        category: str,
        content: str,
        registered: datetime.date,
        status: str,
        channel: str = Channel.WEB,
        unit: Any = None,
        institution: Any = None,
        who: list[Any] | None = None,
        contact: tuple[str, str, str] | None = None,
        **extra: Any,
    ) -> Complaint:
        c = Complaint(
            id=uuid.uuid4(),
            receipt=next(receipts),
            pin_hash=pin_hash,
            area=township,
            unit=unit,
            category=category,
            content=content,
            channel=channel,
            is_anonymous=contact is None,
            complainant_name=contact[0] if contact else "",
            complainant_phone=contact[1] if contact else "",
            complainant_address=contact[2] if contact else "",
            status=status,
            registered_at=_at(registered),
            handler_institution=institution,
            **extra,
        )
        complaints.append(c)
        steps.append(
            ComplaintStep(
                complaint=c,
                kind=StepKind.REGISTERED,
                at=c.registered_at,
                actor=extra.get("registered_by"),
            )
        )
        for person in who or []:
            handlers.append((c, person))
        return c

    def step(c: Complaint, kind: str, day: datetime.date, *, actor: User | None, deadline: Any, note: str = "") -> None:
        steps.append(ComplaintStep(complaint=c, kind=kind, at=_at(day, 15), actor=actor, deadline=deadline, note=note))

    # 1. The one to follow: replied by cg1, reopenable (DEMA-3467 / 246810).
    r1 = back(12)
    c = add(
        township=chengguan,
        category="food",
        unit=food_units[0] if food_units else None,
        content="该店后厨地面油污严重，餐具没有消毒柜，服务员未戴口罩。",
        registered=r1,
        status=Status.REPLIED,
        institution=station1,
        who=[u["cg1"]],
        contact=("张建华", "13912345678", "城关镇人民路 18 号"),
        result="现场检查属实，已下达卫生监督意见书，责令 3 日内整改并复查。",
        reply="您反映的问题经现场检查属实，已责令该店整改，复查时已购置消毒柜。感谢您的监督。",
        replied_at=_at(back(2), 16),
    )
    step(c, StepKind.ACCEPTED, back(11), actor=u["cg1"], deadline=cal.add_working_days(r1, 3))
    step(c, StepKind.RESULT, back(4), actor=u["cg1"], deadline=cal.add_working_days(back(11), 15))
    step(c, StepKind.REPLIED, back(2), actor=u["cg1"], deadline=cal.add_working_days(back(4), 3), note=c.reply)

    # 2. Past its deadline: registered 6 working days ago, never accepted.
    r2 = back(6)
    add(
        township=chengguan,
        category="public_place",
        unit=place_unit,
        content="浴池的毛巾反复使用，没有清洗消毒，水池很脏。",
        registered=r2,
        status=Status.REGISTERED,
        due_on=cal.add_working_days(r2, 3),
    )

    # 3. Near its deadline: accepted by cg1 14 working days ago.
    r3, a3 = back(15), back(14)
    c = add(
        township=chengguan,
        category="food",
        unit=food_units[-1] if food_units else None,
        content="早餐店无健康证人员操作，食品直接放在地上。",
        registered=r3,
        status=Status.ACCEPTED,
        institution=station1,
        who=[u["cg1"]],
        contact=("", "13800001234", ""),
        due_on=cal.add_working_days(a3, 15),
    )
    step(c, StepKind.ACCEPTED, a3, actor=u["cg1"], deadline=cal.add_working_days(r3, 3))

    # 4. A possible duplicate of 3: same unit and category, yesterday.
    r4 = back(1)
    add(
        township=chengguan,
        category="food",
        unit=food_units[-1] if food_units else None,
        content="早餐店卫生很差，有苍蝇。",
        registered=r4,
        status=Status.REGISTERED,
        due_on=cal.add_working_days(r4, 3),
    )

    # 5. Transferred to the institute (illegal practice is beyond a station).
    r5 = back(5)
    c = add(
        township=chengguan,
        category="illegal_practice",
        content="王庄村有人在家中给人输液，没有诊所招牌。",
        registered=r5,
        status=Status.TRANSFERRED,
        channel=Channel.PHONE,
        institution=demo.institute,
        who=[u["cg2"], u["inst"]],
        contact=("李桂芳", "13755556666", "城关镇王庄村"),
        registered_by=u["cg2"],
        due_on=cal.add_working_days(back(4), 15),
    )
    step(c, StepKind.ACCEPTED, back(4), actor=u["cg2"], deadline=cal.add_working_days(r5, 3))
    step(c, StepKind.TRANSFERRED, back(3), actor=u["cg2"], deadline=c.due_on, note="涉嫌非法行医，移交监督所查处")

    # 6. Not accepted in 河东镇.
    r6 = back(8)
    c = add(
        township=hedong,
        category="other",
        content="小区物业乱收停车费。",
        registered=r6,
        status=Status.NOT_ACCEPTED,
        institution=station2,
        who=[u["dh1"]],
        not_accepted_reason="物业收费不属于卫生监督职责，请向住建部门或 12345 热线反映。",
    )
    step(
        c,
        StepKind.NOT_ACCEPTED,
        back(7),
        actor=u["dh1"],
        deadline=cal.add_working_days(r6, 3),
        note=c.not_accepted_reason,
    )

    # 7. Hotline case in 河东镇 with a result, reply due.
    r7 = back(10)
    c = add(
        township=hedong,
        category="drinking_water",
        unit=hedong_unit,
        content="自来水有异味，烧开后有白色沉淀。",
        registered=r7,
        status=Status.RESULT,
        channel=Channel.HOTLINE,
        institution=station2,
        who=[u["dh1"]],
        contact=("赵刚", "13611112222", ""),
        registered_by=u["dh1"],
        result="已采样送检，余氯偏低，已督促供水站加强消毒。",
        due_on=cal.add_working_days(back(1), 3),
    )
    step(c, StepKind.ACCEPTED, back(9), actor=u["dh1"], deadline=cal.add_working_days(r7, 3))
    step(c, StepKind.RESULT, back(1), actor=u["dh1"], deadline=cal.add_working_days(back(9), 15), note=c.result)

    # 8. Archived in 青山镇.
    r8 = back(40)
    c = add(
        township=qingshan,
        category="school",
        content="学校厕所无洗手设施。",
        registered=r8,
        status=Status.ARCHIVED,
        institution=demo.stations[2],
        result="已督促学校加装洗手池。",
        reply="学校已加装洗手池，感谢监督。",
        replied_at=_at(back(30), 16),
    )
    step(c, StepKind.ACCEPTED, back(39), actor=None, deadline=cal.add_working_days(r8, 3))
    step(c, StepKind.RESULT, back(32), actor=None, deadline=cal.add_working_days(back(39), 15))
    step(c, StepKind.REPLIED, back(30), actor=None, deadline=cal.add_working_days(back(32), 3), note=c.reply)
    step(c, StepKind.ARCHIVED, back(20), actor=None, deadline=None)

    Complaint.objects.bulk_create(complaints)
    ComplaintStep.objects.bulk_create(steps)
    through = Complaint.handlers.through
    through.objects.bulk_create([through(complaint_id=c.pk, user_id=p.pk) for c, p in handlers])
    return complaints
