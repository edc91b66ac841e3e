from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xieguan.core.forms import DateInput


class SubmitForm(forms.Form):
    remarks = forms.CharField(
        label=_("Remarks"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    review_comment = forms.CharField(
        label=_("Comment for the township"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(forms.Form):
    review_comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class UnlockRequestForm(forms.Form):
    unlock_reason = forms.CharField(
        label=_("Why the month must be corrected"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class UnlockGrantForm(forms.Form):
    until = forms.DateField(label=_("Unlocked until (inclusive)"), widget=DateInput())


class MonthForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


class SummaryForm(forms.Form):
    text = forms.CharField(
        label=_("Summary (edit before downloading)"), max_length=20000, widget=forms.Textarea(attrs={"rows": 16})
    )
