"""The unit picker: a search box in place of a drop-down of every unit.

A county user may see thousands of units and a township co-manager a few
hundred; a ``<select>`` of all of them is heavy to send over a weak link and
hard to use on a phone. The picker shows the chosen unit, and a search box
that asks ``units:pick`` (htmx) for the matching units of the user's area by
name, address, credit code or pinyin initials (``hxjd`` → 红星酒店). When
the field's queryset is small (a village doctor's dozen) it simply lists
them all as radio buttons. The form field stays a ``ModelChoiceField`` with
the scoped queryset, so whatever the browser sends is still checked
against the user's area.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xieguan.core.pickers import SearchPicker


class UnitPicker(SearchPicker):
    """core.pickers' SearchPicker asking ``units:pick``; ``within`` is set
    on a form's own copy of the widget (a complaint's township)."""

    options_template = "units/widgets/_unit_options.html"
    none_label = _("No unit")

    def __init__(self, *, include_closed: bool = False, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            url_name="units:pick",
            placeholder=_("Name, address or pinyin initials"),
            help_text=_(
                "Type part of the unit's name, its address, credit code or pinyin initials (hxjd for 红星酒店), then tap it."
            ),
            params={"closed": "1" if include_closed else None},
            attrs=attrs,
        )
        self.within: Any = None

    def query_params(self) -> dict[str, Any]:
        return {**self.params, "within": self.within}
