"""Form helpers every domain uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from xieguan.core.display import EMPTY
from xieguan.core.photos import GpsFix, gps_fix_checked

# Django's empty choice (a model field's choices, a ModelChoiceField's
# empty_label): "---------".
DJANGO_EMPTY_CHOICE = BLANK_CHOICE_DASH[0][1]


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the value as a string, escaped
    unless it is already safe."""
    return conditional_escape(value if isinstance(value, SafeData) else "%s" % (value,))


def _shown(value: Any) -> str:
    """``{{ value }}``: localized, then escaped unless already safe."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(out)


def render_select(widget: dict[str, Any]) -> str:
    """Django's select.html with its select_option.html, character for
    character (xieguan/core/tests/test_forms.py compares the two), in Python:
    the template engine spent about 0.1 ms an option (two includes each), a
    third of a list page whose filter offers a county's 130 places."""
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FormRenderer(DjangoTemplates):
    """Django's renderer (settings.FORM_RENDERER), but every drop-down's empty
    choice reads ``—`` as ours do, not Django's ``---------``: one style in
    every form, set here once rather than in each field (issue 20 item 4).
    A plain drop-down is written in Python (``render_select``), the same
    HTML as the template gives, a tenth of the time."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") if isinstance(context, dict) else None
        for _group, options, _index in (widget or {}).get("optgroups", ()):
            for option in options:
                if option.get("label") == DJANGO_EMPTY_CHOICE:
                    option["label"] = EMPTY
        if (
            template_name == SELECT_TEMPLATE
            and widget is not None
            and all(o.get("template_name") == OPTION_TEMPLATE for _g, opts, _i in widget["optgroups"] for o in opts)
        ):
            return render_select(widget)
        return super().render(template_name, context, request=request)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names
    where the form has that field, else at the top — so the page shows it
    next to what the user typed, and keeps what they typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error.messages if hasattr(error, "messages") else error)
    else:
        form.add_error(None, exc.messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


__all__ = ["NON_FIELD_ERRORS", "DateInput", "FormRenderer", "add_service_errors"]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one field (a MultiplePhotoInput); the service says
    in Chinese why a file is refused."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


class PhotoFixFields(forms.Form):
    """The GPS fix a photo upload carries, filled by core/photo_fix.js when a
    photo is chosen (hidden; none when the browser gives no position), to be
    stamped on the photo with the time and place."""

    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    accuracy_m = forms.FloatField(widget=forms.HiddenInput, required=False)

    def photo_fix(self) -> GpsFix | None:
        """The fix sent, checked (``core.photos.gps_fix_checked``), or None."""
        data = self.cleaned_data
        return gps_fix_checked(data.get("latitude"), data.get("longitude"), data.get("accuracy_m"))
