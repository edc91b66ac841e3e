from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.core.forms import DateInput
from xieguan.outreach.models import OutreachForm


class OutreachRecordForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Township or village"), queryset=Area.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    form = forms.ChoiceField(label=_("Form"), choices=OutreachForm.choices)
    theme = forms.CharField(label=_("Theme"), max_length=200)
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    audience_count = forms.IntegerField(label=_("Number of people reached"), min_value=0, initial=0)
    materials = forms.CharField(
        label=_("Materials handed out"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    materials_count = forms.IntegerField(label=_("Number of materials handed out"), min_value=0, initial=0)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("path")
        )
