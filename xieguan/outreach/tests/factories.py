"""A publicity record made straight in the database, for tests that need rows."""

from __future__ import annotations

import datetime
from typing import Any

from xieguan.outreach.models import Outreach


def make_outreach(*, area: Any, by: Any, date: datetime.date, theme: str = "食品安全宣传", **extra: Any) -> Outreach:
    return Outreach.objects.create(
        area=area,
        institution=by.institution,
        recorded_by=by,
        date=date,
        place=extra.pop("place", "卫生院门口"),
        form=extra.pop("form", "consultation"),
        theme=theme,
        **extra,
    )


def make_training(*, area: Any, by: Any, date: datetime.date, hours: str = "4", **extra: Any) -> Any:
    from decimal import Decimal

    from xieguan.areas.models import Level
    from xieguan.outreach.models import Training

    return Training.objects.create(
        area=area,
        institution=by.institution,
        recorded_by=by,
        date=date,
        hours=Decimal(hours),
        level=extra.pop("level", "county" if area.level == Level.COUNTY else "township"),
        topic=extra.pop("topic", "协管业务培训"),
        trainer=extra.pop("trainer", "李监督员"),
        **extra,
    )
