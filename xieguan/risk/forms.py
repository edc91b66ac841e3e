from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.risk.models import ReviewResult, RiskSettings
from xieguan.units.models import Category

WEIGHTS = [
    "violation",
    "serious",
    "open_rectification",
    "complaint",
    "report",
    "overdue",
    "key_unit",
    "licence_expired",
    "licence_expiring",
    "certificate_expired",
    "hygiene_b",
    "hygiene_c",
    "high_from",
    "medium_from",
    "monthly_capacity",
    "sync_unit_grade",
]


class SettingsForm(forms.ModelForm):
    """The county's weights, and a base risk per category (``cat_<code>``)."""

    class Meta:
        model = RiskSettings
        fields = WEIGHTS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        points = self.instance.category_points or {}
        for name in WEIGHTS:
            field = self.fields[name]
            if isinstance(field, forms.IntegerField):
                field.max_value = 1000
                field.widget.attrs["max"] = 1000
        self.fields["monthly_capacity"].min_value = 1
        self.fields["monthly_capacity"].widget.attrs["min"] = 1
        self.categories = list(Category.objects.order_by("sort", "code"))
        for category in self.categories:
            self.fields[f"cat_{category.code}"] = forms.IntegerField(
                label=_("Base risk of %(category)s (points)") % {"category": category.name},
                min_value=0,
                max_value=1000,
                initial=points.get(category.code, 0),
            )

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in WEIGHTS}
        data["category_points"] = {
            c.code: self.cleaned_data[f"cat_{c.code}"] for c in self.categories if self.cleaned_data[f"cat_{c.code}"]
        }
        return data


class BacktestForm(forms.Form):
    cut_off = forms.DateField(label=_("Cut-off date"), widget=forms.DateInput(attrs={"type": "date"}))
    months = forms.IntegerField(label=_("Months followed"), min_value=1, max_value=12, initial=3)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cut_off, months = data.get("cut_off"), data.get("months")
        if cut_off is not None and cut_off >= self.today:
            self.add_error("cut_off", _("The cut-off must lie in the past."))
        elif cut_off is not None and cut_off.year < 2000:
            self.add_error("cut_off", _("Choose a cut-off from 2000 on."))
        elif cut_off is not None and months:
            from xieguan.risk.backtest import add_months

            if add_months(cut_off, months) > self.today:
                self.add_error(
                    "months", _("The months followed must have passed: choose an earlier cut-off or fewer months.")
                )
        return data


class ReviewDrawForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("review draw", "Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=pgettext_lazy("review draw", "Month"), min_value=1, max_value=12)
    share = forms.IntegerField(label=_("Share drawn (%)"), min_value=1, max_value=100, initial=10)


class ReviewForm(forms.Form):
    result = forms.ChoiceField(
        label=pgettext_lazy("record review", "Result"), choices=ReviewResult.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=pgettext_lazy("record review", "Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
