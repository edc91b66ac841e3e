"""The form renderer's drop-downs written in Python give Django's own HTML,
character for character."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from hypothesis import given, settings
from hypothesis import strategies as st

from xieguan.core.forms import FormRenderer


def _django(widget: forms.Widget, name: str, value: Any, attrs: dict[str, Any] | None = None) -> str:
    return widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())


def _ours(widget: forms.Widget, name: str, value: Any, attrs: dict[str, Any] | None = None) -> str:
    return widget.render(name, value, attrs=attrs, renderer=FormRenderer())


CASES = [
    (forms.Select(choices=[("", "—"), ("x", "X<&>\"'"), ("y", "Y")]), "a", "x", None),
    (forms.Select(choices=[(1, 2026), (2, 2025)]), "year", 2, {"id": "id_year", "required": True, "disabled": False}),
    (forms.Select(choices=[("a", mark_safe("<b>safe</b>")), ("b", _("All events"))]), "s", None, {"class": "x y"}),
    (
        forms.SelectMultiple(choices=[("组一", [("1", "一"), ("2", "二")]), ("3", "三")]),
        "m",
        ["1", "3"],
        {"id": "id_m", "data-x": 'a"b'},
    ),
    (forms.NullBooleanSelect(), "n", True, None),
    (forms.Select(choices=[]), "empty", None, None),
]


@pytest.mark.parametrize(("widget", "name", "value", "attrs"), CASES)
def test_a_drop_down_is_djangos_html(widget, name, value, attrs):
    assert _ours(widget, name, value, attrs) == _django(widget, name, value, attrs)


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.text(max_size=12), min_size=0, max_size=6),
    chosen=st.integers(min_value=0, max_value=6),
    attr=st.text(max_size=8),
)
def test_any_labels_and_attributes_give_djangos_html(labels, chosen, attr):
    choices = [(str(n), label) for n, label in enumerate(labels)]
    widget = forms.Select(choices=choices, attrs={"title": attr, "hidden": bool(chosen % 2)})
    assert _ours(widget, "f", str(chosen)) == _django(widget, "f", str(chosen))


def test_the_empty_choice_still_reads_a_dash_and_other_widgets_use_the_templates():
    widget = forms.Select(choices=[("", "---------"), ("1", "一")])
    assert '<option value="">—</option>' in _ours(widget, "f", "1")
    radio = forms.RadioSelect(choices=[("1", "一")])
    assert _ours(radio, "r", "1") == _django(radio, "r", "1")
