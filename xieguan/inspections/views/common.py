"""What more than one page of patrols and inspections needs."""

from __future__ import annotations

from typing import Any


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default
