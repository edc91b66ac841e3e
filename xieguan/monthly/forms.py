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


class SettingForm(forms.Form):
    """The county's monthly report rules; the service checks them again."""

    period_start_day = forms.IntegerField(
        label=_("First day of the reporting month"),
        min_value=1,
        max_value=28,
        help_text=_("1 = the calendar month; 26 = from the 26th of the month before to the 25th."),
        error_messages={
            "min_value": _("Enter a day between 1 and 28 (1 means the calendar month)."),
            "max_value": _("Enter a day between 1 and 28 (1 means the calendar month)."),
            "invalid": _("Enter a day between 1 and 28 (1 means the calendar month)."),
        },
    )
    applies_from = forms.CharField(
        label=_("Applies from (month)"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_(
            "A new first day applies from this month on; months already reported keep their boundaries. "
            "The month it starts in runs from the day after the month before ended."
        ),
    )
    deadline_day = forms.IntegerField(
        label=_("Deadline day"),
        min_value=1,
        max_value=31,
        help_text=_(
            "The report is due on the first such day after its period closes; 29–31 are clipped to the month "
            "(31 = month end)."
        ),
        error_messages={
            "min_value": _("Enter a day between 1 and 31 (31 means the end of the month)."),
            "max_value": _("Enter a day between 1 and 31 (31 means the end of the month)."),
            "invalid": _("Enter a day between 1 and 31 (31 means the end of the month)."),
        },
    )
