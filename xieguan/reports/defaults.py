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
# Categories whose reports are illegal acts by nature (违法行为: 非法行医、非法采供血,
# 非法鉴定胎儿性别、非法终止妊娠); every other default category is about an
# incident or hazard (事故/隐患: 食源性疾病, 饮用水污染, 传染病疫情 ...). The
# reporter may still choose the other nature for one report.
VIOLATION_CODES = ("illegal_practice", "family_planning")


def seed_default_categories(model: Any) -> None:
    """Make the shared defaults that are missing (the data migration, and
    tests whose flushed database lost them). ``default_nature`` is set only
    where the model has it (migration 0002 runs before it exists)."""
    has_nature = any(f.name == "default_nature" for f in model._meta.get_fields())
    for sort, (code, name, is_emergency, limit) in enumerate(DEFAULT_CATEGORIES, start=1):
        defaults = {"name": name, "is_emergency": is_emergency, "limit_minutes": limit, "sort": sort * 10}
        if has_nature:
            defaults["default_nature"] = "violation" if code in VIOLATION_CODES else "hazard"
        model.objects.get_or_create(county=None, code=code, defaults=defaults)
