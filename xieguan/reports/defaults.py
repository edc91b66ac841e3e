"""The national standard's (第三版) and the seeds' report categories (SPEC
§5), shared by every county until it overrides one. Emergencies carry the
2-hour rule; the others a 24-hour limit that a county may change."""

from __future__ import annotations

from typing import Any

# code, name, is_emergency, limit in minutes
DEFAULT_CATEGORIES = [
    ("foodborne", "食源性疾病（食物中毒）", True, 120),
    ("drinking_water", "饮用水卫生", True, 120),
    ("school", "学校卫生", False, 1440),
    ("illegal_practice", "非法行医（采供血）", False, 1440),
    ("family_planning", "计划生育", False, 1440),
    ("food_safety", "食品安全", False, 1440),
    ("occupational", "职业卫生", False, 1440),
    ("public_place", "公共场所", False, 1440),
    ("emergency", "突发公共卫生事件", True, 120),
]
OCCUPATIONAL = "occupational"


def seed_default_categories(model: Any) -> None:
    """Make the shared defaults that are missing (the data migration, and
    tests whose flushed database lost them)."""
    for sort, (code, name, is_emergency, limit) in enumerate(DEFAULT_CATEGORIES, start=1):
        model.objects.get_or_create(
            county=None,
            code=code,
            defaults={"name": name, "is_emergency": is_emergency, "limit_minutes": limit, "sort": sort * 10},
        )
