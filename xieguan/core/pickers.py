"""A search box in place of a drop-down of every record (issue 19 item 4).

``units.widgets.UnitPicker`` did this for units; ``SearchPicker`` is the
same for any record a form picks (a person, an institution): the chosen
record, and a search box that asks a picker route (htmx) for the matching
records of the user's area. When the field's queryset is small it lists
them all as radio buttons, which works without JavaScript. The form field
stays a ``ModelChoiceField`` with the scoped queryset, so whatever the
browser sends (a forged id from another area) is checked against it.

A picker route answers with ``picker_options``: at most ``PICK_LIMIT``
records, the chosen one first, each labelled as the form labels it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# At most this many records are listed without a search, and a search shows
# at most PICK_LIMIT of its matches.
LIST_ALL_UP_TO = 30
PICK_LIMIT = 20
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


def as_uuid(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    if isinstance(value, uuid.UUID):
        return value
    if hasattr(value, "pk"):
        return value.pk
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


class SearchPicker(forms.Widget):
    """``url_name`` is the picker route; ``params`` narrow its search the
    way the field's queryset is narrowed (a role, an area)."""

    template_name = "core/widgets/search_picker.html"
    # The partial listing the matches, and the radio button of "none".
    options_template = "core/widgets/_picker_options.html"
    none_label: Any = _("None of them")

    def __init__(
        self,
        *,
        url_name: str,
        placeholder: Any = "",
        help_text: Any = "",
        params: dict[str, Any] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.placeholder = placeholder
        self.help_text = help_text
        self.params = dict(params or {})
        self.choices: Any = []

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
                chosen = next((o for o in first if o.pk == chosen_pk), None) or queryset.filter(pk=chosen_pk).first()
        label = field.label_from_instance if field is not None else str
        params = {
            "name": name,
            **{k: getattr(v, "pk", v) for k, v in self.query_params().items() if v not in (None, "")},
        }
        query = "&".join(f"{key}={value}" for key, value in params.items())
        context["widget"].update(
            {
                "chosen": chosen,
                "chosen_label": label(chosen) if chosen is not None else "",
                "options": [(o.pk, label(o)) for o in options] if options is not None else None,
                "optional": field is not None and not field.required,
                "search_url": reverse(self.url_name) + "?" + query,
                "placeholder": self.placeholder,
                "help_text": self.help_text,
                "none_label": self.none_label,
                "options_template": self.options_template,
            }
        )
        return context

    def query_params(self) -> dict[str, Any]:
        return self.params

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_q" if id_ else id_


def picker_options(
    request: HttpRequest,
    queryset: Any,
    *,
    search: Callable[[Any, str], Any],
    label: Callable[[Any], str],
    detail: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """The picker route's answer: ``queryset`` is already the user's scope
    (and the field's narrowing); ``search`` filters it by the typed text."""
    name = request.GET.get("name", "")
    if not _FIELD_NAME.match(name):
        name = "choice"
    text = request.GET.get(f"{name}__q", "").strip()[:50]
    chosen = None
    chosen_pk = as_uuid(request.GET.get(name, ""))
    if chosen_pk is not None:
        chosen = queryset.filter(pk=chosen_pk).first()
    found: list[Any] = []
    if text:
        found = list(search(queryset, text)[: PICK_LIMIT + 1])
    context = {
        "name": name,
        "chosen": chosen,
        "chosen_label": label(chosen) if chosen is not None else "",
        "options": [(o.pk, label(o), detail(o) if detail else "") for o in found[:PICK_LIMIT]],
        "more": PICK_LIMIT if len(found) > PICK_LIMIT else 0,
        "searched": bool(text),
        "optional": request.GET.get("optional") == "1",
    }
    return render(request, "core/widgets/_picker_options.html", context)
