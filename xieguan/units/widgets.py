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

from django import forms
from django.urls import reverse

from xieguan.core.pickers import as_uuid

# At most this many units are listed without a search.
LIST_ALL_UP_TO = 30


class UnitPicker(forms.Widget):
    template_name = "units/widgets/unit_picker.html"

    def __init__(self, *, include_closed: bool = False, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.include_closed = include_closed
        self.choices: Any = []
        # An area whose units alone the search offers (a complaint's
        # township); the field's queryset says the same for the listing.
        self.within: Any = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        queryset = getattr(self.choices, "queryset", None)
        field = getattr(self.choices, "field", None)
        chosen = None
        options: list[Any] | None = None
        if queryset is not None:
            first = list(queryset[: LIST_ALL_UP_TO + 1])
            if len(first) <= LIST_ALL_UP_TO:
                options = first
            chosen_pk = as_uuid(value)
            if chosen_pk is not None:
                chosen = next((u for u in first if u.pk == chosen_pk), None) or queryset.filter(pk=chosen_pk).first()
        label = field.label_from_instance if field is not None else str
        optional = field is not None and not field.required
        query = "?name=" + name + ("&closed=1" if self.include_closed else "") + ("&optional=1" if optional else "")
        if self.within is not None:
            query += f"&within={getattr(self.within, 'pk', self.within)}"
        context["widget"].update(
            {
                "chosen": chosen,
                "chosen_label": label(chosen) if chosen is not None else "",
                "options": [(u.pk, label(u)) for u in options] if options is not None else None,
                "optional": optional,
                "search_url": reverse("units:pick") + query,
            }
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_q" if id_ else id_

