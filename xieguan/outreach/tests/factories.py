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
