from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area


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
        return f"{obj.name}{f'（{obj.code}）' if obj.code else ''}"


class RetireForm(forms.Form):
    successor = AreaChoiceField(label=_("Merge into"), queryset=Area.objects.none())
    on = forms.DateField(label=_("Retired on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, area: Area, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            Area.objects.visible_to(user).active().filter(level=area.level, parent=area.parent).exclude(pk=area.pk)
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Area list (.xlsx or .csv)"),
        help_text=_("Two columns: code and name. The tree is built from the codes."),
    )
