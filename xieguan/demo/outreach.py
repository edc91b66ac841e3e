"""A year (2026) of publicity and training in the demo county (SPEC §7), with
one township clearly behind: 河东镇 held no publicity in Q3, and its
co-managers missed two county trainings (8 hours against 20)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from xieguan.accounts.models import RoleCode, User
from xieguan.core.statistics import analysed
from xieguan.demo.clock import past
from xieguan.outreach.models import Attendance, Outreach, OutreachForm, SignInMethod, Training, TrainingLevel

YEAR = 2026
BEHIND = "河东镇"

_THEMES = [
    (OutreachForm.CONSULTATION, "饮用水卫生咨询义诊", "卫生院门口", "村民"),
    (OutreachForm.LEAFLETS, "食品安全与传染病防控宣传", "集贸市场", "赶集群众"),
    (OutreachForm.SCHOOL, "学校传染病防控与饮水卫生", "中心小学", "师生"),
    (OutreachForm.LECTURE, "公共场所卫生知识讲座", "镇政府会议室", "经营户"),
]
_COUNTY_TRAININGS = [  # (date, hours, topic); 河东镇 attends only the first
    (datetime.date(YEAR, 3, 12), Decimal(8), "卫生监督协管员岗位培训"),
    (datetime.date(YEAR, 6, 18), Decimal(8), "协管巡查与信息报告规范"),
    (datetime.date(YEAR, 9, 16), Decimal(6), "学校卫生与饮用水卫生监督协管"),
]


def _nine_on(day: datetime.date) -> datetime.datetime:
    return past(timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0))))


@analysed
def load_outreach(demo: Any) -> None:
    """Publicity every quarter in every township (河东镇 misses Q3), a
    township training of village officers every quarter, and three county
    trainings of co-managers; only dates up to today. A few bulk inserts."""
    today = timezone.localdate()
    people = list(User.objects.filter(is_active=True).select_related("institution__area").prefetch_related("roles"))
    by_township: dict[Any, dict[str, list[User]]] = {t.pk: {"comanagers": [], "officers": []} for t in demo.townships}
    for person in people:
        if person.institution is None:
            continue
        area = person.institution.area
        township_id = area.pk if area.pk in by_township else area.parent_id
        if township_id not in by_township:
            continue
        if RoleCode.COMANAGER in person.role_codes:
            by_township[township_id]["comanagers"].append(person)
        elif RoleCode.INFO_OFFICER in person.role_codes:
            by_township[township_id]["officers"].append(person)

    records: list[Outreach] = []
    trainings: list[Training] = []
    attendances: list[Attendance] = []
    for t_index, township in enumerate(demo.townships):
        staff = by_township[township.pk]
        if not staff["comanagers"]:
            continue
        recorder = staff["comanagers"][0]
        for quarter in range(1, 5):
            day = datetime.date(YEAR, 3 * quarter - 1, 5 + t_index)
            if day > today:
                continue
            if not (township.name == BEHIND and quarter == 3):
                form, theme, place, audience = _THEMES[(t_index + quarter) % len(_THEMES)]
                records.append(
                    Outreach(
                        area=township,
                        institution=recorder.institution,
                        recorded_by=recorder,
                        date=day,
                        form=form,
                        theme=theme,
                        place=f"{township.name}{place}",
                        audience=audience,
                        audience_count=60 + 10 * quarter + t_index,
                        materials="宣传折页、海报",
                        materials_count=200 + 20 * quarter,
                    )
                )
            training = Training(
                area=township,
                institution=recorder.institution,
                recorded_by=recorder,
                level=TrainingLevel.TOWNSHIP,
                topic=f"第{quarter}季度村级信息员业务培训",
                date=min(day + datetime.timedelta(days=3), today),
                hours=Decimal(2),
                trainer=recorder.full_name,
                materials="信息报告要点、常见卫生问题识别",
            )
            trainings.append(training)
            for officer in staff["officers"]:
                attendances.append(
                    Attendance(
                        training=training,
                        person=officer,
                        signed_at=_nine_on(training.date),
                        method=SignInMethod.SELF,
                        score=None,
                    )
                )
    supervisor = demo.users["inst"]
    for index, (day, hours, topic) in enumerate(_COUNTY_TRAININGS):
        if day > today:
            continue
        training = Training(
            area=demo.county,
            institution=supervisor.institution,
            recorded_by=supervisor,
            level=TrainingLevel.COUNTY,
            topic=topic,
            date=day,
            hours=hours,
            trainer=supervisor.full_name,
            materials="培训讲义",
        )
        trainings.append(training)
        for township in demo.townships:
            if township.name == BEHIND and index > 0:
                continue
            for person in by_township[township.pk]["comanagers"]:
                attendances.append(
                    Attendance(
                        training=training,
                        person=person,
                        signed_at=_nine_on(day),
                        method=SignInMethod.REGISTERED,
                        score=Decimal(80 + (index * 5) % 20),
                    )
                )
    Outreach.objects.bulk_create(records)
    Training.objects.bulk_create(trainings)
    Attendance.objects.bulk_create(attendances)
