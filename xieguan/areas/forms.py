from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area
from xieguan.core.display import with_note


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(
        label=_("Statistical division code"),
        max_length=40,
        required=False,
        help_text=_("12 digits: 2 province, 2 prefecture, 2 county, 3 township, 3 village. Optional."),
    )


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return with_note(obj.name, obj.code) if obj.code else obj.name


class AreaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return with_note(obj.name, obj.code) if obj.code else obj.name


class RetireForm(forms.Form):
    successor = AreaChoiceField(label=_("Merge into"), queryset=Area.objects.none())
    on = forms.DateField(label=_("Retired on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, area: Area, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            Area.objects.visible_to(user).active().filter(level=area.level, parent=area.parent).exclude(pk=area.pk)
        )


class SplitForm(forms.Form):
    """Split an area in two: the new area's name and code, and the areas
    below the old one that go to it (checkboxes, in code order)."""

    new_name = forms.CharField(label=_("Name of the new area"), max_length=100)
    new_code = forms.CharField(
        label=_("Statistical division code of the new area"),
        max_length=40,
        required=False,
        help_text=_("12 digits, optional."),
    )
    villages = AreaMultipleChoiceField(
        label=_("Areas below that go to the new area"),
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With their units, institutions and records, and the open work about them."),
    )

    def __init__(self, *args: Any, area: Area, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(parent=area).order_by("code", "name", "id")
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Area list (.xlsx or .csv)"),
        help_text=_("Two columns: code and name. The tree is built from the codes."),
    )
