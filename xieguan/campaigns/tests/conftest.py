from __future__ import annotations

import datetime
from typing import Any

import pytest

from xieguan.campaigns import services
from xieguan.units.models import Category
from xieguan.units.tests.factories import make_unit


@pytest.fixture
def pools(demo: Any) -> dict[str, list[Any]]:
    """Public places in the first two townships (5 and 4), made through the service."""
    inst = demo.users["inst"]
    place = Category.objects.get(code="public_place")
    made: dict[str, list[Any]] = {"cg": [], "dh": []}
    for key, township, n in (("cg", demo.townships[0], 5), ("dh", demo.townships[1], 4)):
        for i in range(n):
            made[key].append(
                make_unit(
                    inst,
                    township,
                    name=f"{township.name}游泳馆{i + 1}",
                    category=place,
                    subtype=place.subtypes.get(name="游泳场所"),
                    extra={
                        "floor_area": "800",
                        "staff_count": 6,
                        "central_air_conditioning": False,
                        "hygiene_licence_no": f"卫公证字2026第{i:03d}号",
                    },
                    credit_code=None,
                )
            )
    return made


@pytest.fixture
def campaign(demo: Any, pools: Any) -> Any:
    return services.campaign_create(
        actor=demo.users["inst"],
        area=demo.county,
        name="游泳场所专项检查",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        category=Category.objects.get(code="public_place"),
    )
