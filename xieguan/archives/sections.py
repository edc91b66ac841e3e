"""The archive's sections in order (every app's registered ArchiveSection,
上级文件 among them), and how a record of any of them is named and dated."""

from __future__ import annotations

import datetime
from typing import Any

from xieguan.core.registry import ArchiveSection, registry

DATE_FIELDS = (
    "date", "started_at", "issued_at", "sent_at", "found_at", "registered_at", "starts_on", "read_at", "created_at",
)  # fmt: skip


def archive_sections() -> list[ArchiveSection]:
    return list(registry.archive)


def record_label(record: Any) -> str:
    text = str(record)
    unit: Any = getattr(record, "unit", None)
    name = str(getattr(unit, "name", "") or "") if unit is not None else ""
    if name and name not in text:
        text = f"{name} {text}"
    return text


def record_date(record: Any) -> datetime.date | None:
    for name in DATE_FIELDS:
        value = getattr(record, name, None)
        if isinstance(value, datetime.datetime):
            from django.utils import timezone

            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if isinstance(value, datetime.date):
            return value
    year = getattr(record, "year", None)
    month = getattr(record, "month", None)
    if isinstance(year, int) and isinstance(month, int):
        return datetime.date(year, month, 1)
    return None
