"""Valid units for tests, through the service so they are audited and complete."""

from __future__ import annotations

from typing import Any

from xieguan.accounts.models import User
from xieguan.core.validators import credit_code_check_character
from xieguan.units import services
from xieguan.units.models import Category, Unit

FOOD_EXTRA = {"seats": 80, "food_licence_no": "JY13599010000001"}


def credit_code(serial: int, division: str = "990101") -> str:
    """A valid credit code: enterprise (9), company (1), the division, a
    9-character subject code from ``serial``, then its check character."""
    first17 = f"91{division}{serial:08d}X"
    return first17 + credit_code_check_character(first17)


def make_unit(actor: User, area: Any, **overrides: Any) -> Unit:
    food = Category.objects.get(code="food")
    data: dict[str, Any] = {
        "name": "红星酒店",
        "area": area,
        "category": food,
        "subtype": food.subtypes.first(),
        "address": "城关镇人民路 18 号",
        "legal_representative": "张红星",
        "phone": "13800001111",
        "extra": dict(FOOD_EXTRA),
    }
    data.update(overrides)
    return services.unit_create(actor=actor, **data)
