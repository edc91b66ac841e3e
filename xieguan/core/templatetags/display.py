"""``{% load display %}``: values as people read them in a template
(xieguan/core/display.py): ``{% month_label year month %}`` → 2026年1月."""

from __future__ import annotations

from typing import Any

from django import template

from xieguan.core import display

register = template.Library()


@register.simple_tag
def month_label(year: int, month: int | None = None) -> str:
    """``2026年1月`` (``2026年`` without a month)."""
    return display.month_label(year, month)


@register.filter
def human(value: Any) -> str:
    """是/否, ``—``, a local moment: ``display.human_value``."""
    return display.human_value(value)
