"""``{% attached_documents record %}``: the documents kept with a record and
a link to add one, shown by whichever app keeps documents (the archives,
through ``core.registry``), so the record's own app need not know it."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from xieguan.core.registry import attached_documents as documents_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def attached_documents(context: template.Context, owner: Any) -> SafeString:
    request = context.get("request")
    found = documents_panel(getattr(request, "user", None), owner) if request is not None else None
    if found is None:
        return mark_safe("")
    name, panel = found
    return mark_safe(render_to_string(name, {"section": panel}, request=request))  # noqa: S308 - a rendered template
