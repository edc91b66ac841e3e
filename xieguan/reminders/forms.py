from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xieguan.core.registry import registry
from xieguan.reminders.models import ChannelKind

CHANNEL_CHOICES = [(ChannelKind.SMS.value, ChannelKind.SMS.label), (ChannelKind.WECOM.value, ChannelKind.WECOM.label)]


class RuleForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of item reminded"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all kinds"),
    )
    channels = forms.MultipleChoiceField(
        label=_("Besides in-app messages, also send by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(ChannelKind.EMAIL.value, ChannelKind.EMAIL.label), *CHANNEL_CHOICES],
    )
    lead_days = forms.IntegerField(label=_("Remind this many working days before"), min_value=0, max_value=30)
    quiet_start = forms.TimeField(label=_("Quiet hours start"), widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label=_("Quiet hours end"), widget=forms.TimeInput(attrs={"type": "time"}))
    escalate_after_days = forms.IntegerField(
        label=_("Escalate after this many working days overdue"),
        min_value=0,
        max_value=60,
        help_text=_("First the responsible supervisor is told, as many days later the leader; 0: no escalation"),
    )
    expiry_days = forms.IntegerField(
        label=_("Put licences and certificates on the due list this many days before they expire"),
        min_value=1,
        max_value=365,
    )
    digest = forms.BooleanField(label=_("Daily digest instead of single messages (e-mail, SMS, WeCom)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(s.kind, str(s.label)) for s in registry.due]


class ChannelForm(forms.Form):
    area = forms.ChoiceField(label=_("County or township"))
    kind = forms.ChoiceField(label=_("Channel type"), choices=CHANNEL_CHOICES)
    url = forms.CharField(
        label=_("Web address"),
        max_length=500,
        help_text=_("The web address of the SMS gateway or of the group robot's webhook"),
    )
    secret = forms.CharField(
        label=_("Secret key"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Not shown once saved; leave it empty to keep the saved key"),
    )
    template = forms.CharField(
        label=_("SMS template"), required=False, max_length=200, help_text=_("{label}: the item, {due}: the due time")
    )
    signature = forms.CharField(label=_("SMS signature"), required=False, max_length=20)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        self.fields["area"].choices = [(str(a.pk), a.name) for a in areas]
