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


@register.simple_tag
def list_separator() -> str:
    """``、`` between the items of a list (``, `` in English): ``display.join_list``."""
    return display.join_list(["", ""])


@register.filter
def join_list(items: Any) -> str:
    """``甲、乙`` (``a, b``): ``display.join_list``."""
    return display.join_list(items)


@register.filter
def with_note(text: Any, note: Any) -> str:
    """``名称（说明）`` (``name (note)``): ``display.with_note``."""
    return display.with_note(text, note)


@register.filter
def labelled(label: Any, value: Any) -> str:
    """``标签：值`` (``label: value``): ``display.labelled``."""
    return display.labelled(label, value)


@register.filter
def written_date(day: Any) -> str:
    """``2026年12月6日`` (``2026-12-6`` in English): ``display.date_label``."""
    return display.date_label(day) if day else ""
