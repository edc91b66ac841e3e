from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.complaints.models import Channel, ComplaintCategory
from xieguan.core.forms import DateInput
from xieguan.units.models import Unit, UnitStatus


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input; the service says in Chinese what is wrong."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data] if data else []


class AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class _ComplaintFields(forms.Form):
    township = AreaChoice(label=_("Township"), queryset=Area.objects.none(), required=False)
    village = AreaChoice(label=_("Village (if known)"), queryset=Area.objects.none(), required=False)
    category = forms.ChoiceField(
        label=_("What is it about"), choices=[("", "—"), *ComplaintCategory.choices], required=False
    )
    content = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("When, where, what you saw. Do not write your name here if you want to stay anonymous."),
    )
    place = forms.CharField(label=_("Where exactly"), required=False, max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    unit_name = forms.CharField(label=_("Name of the unit, if it is not in the list"), required=False, max_length=200)
    is_anonymous = forms.BooleanField(label=_("Stay anonymous"), required=False, initial=True)
    name = forms.CharField(label=_("Your name"), required=False, max_length=50)
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=200)

    def _areas(self, townships: Any, villages_url: str) -> None:
        self.fields["township"].widget.attrs.update(
            {"hx-get": villages_url, "hx-trigger": "change", "hx-target": "#id_village", "hx-include": "this"}
        )
        self.fields["township"].queryset = townships.in_code_order()  # type: ignore[attr-defined]
        township = self._chosen_township(townships)
        villages = Area.objects.active().filter(level=Level.VILLAGE)
        villages = villages.filter(parent=township) if township is not None else villages.none()
        self.fields["village"].queryset = villages.in_code_order()  # type: ignore[attr-defined]
        units = Unit.objects.exclude(status=UnitStatus.CLOSED).filter(merged_into__isnull=True)
        units = units.filter(area__path__startswith=township.path) if township is not None else units.none()
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def _chosen_township(self, townships: Any) -> Area | None:
        value = self.data.get(self.add_prefix("township")) if self.is_bound else self.initial.get("township")
        if not value:
            return None
        try:
            return townships.filter(pk=getattr(value, "pk", value)).first()
        except (ValueError, TypeError, forms.ValidationError):
            return None

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            key: data.get(key)
            for key in (
                "township",
                "village",
                "unit",
                "unit_name",
                "category",
                "content",
                "place",
                "is_anonymous",
                "name",
                "phone",
                "address",
            )
        }


class PublicComplaintForm(_ComplaintFields):
    photos = MultipleFileField(label=_("Photos (up to 3, optional)"))
    captcha_answer = forms.CharField(
        label=_("Type the characters in the picture"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False)
    kept_photos = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._areas(Area.objects.active().filter(level=Level.TOWNSHIP), reverse("complaints:public_villages"))


class StaffComplaintForm(_ComplaintFields):
    id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    channel = forms.ChoiceField(
        label=_("Came in by"), choices=[c for c in Channel.choices if c[0] != Channel.WEB], initial=Channel.PHONE
    )
    photos = MultipleFileField(label=_("Photos (up to 3, optional)"))
    kept_photos = forms.CharField(widget=forms.HiddenInput, required=False)
    field_order = ["id", "channel"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("id", uuid.uuid4())
        kwargs["initial"].setdefault("is_anonymous", False)
        super().__init__(*args, **kwargs)
        self.fields["is_anonymous"].initial = False
        self._areas(Area.objects.visible_to(user).active().filter(level=Level.TOWNSHIP), reverse("complaints:villages"))
        self.fields["name"].label = _("Complainant's name")
        self.fields["address"].label = _("Complainant's address")
        self.fields["content"].help_text = ""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(forms.Form):
    result = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the complainant"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class TrackForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    pin = forms.CharField(
        label=_("PIN"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    )


class AddInfoForm(forms.Form):
    text = forms.CharField(label=_("What you want to add"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos (up to 3, optional)"))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the reply does not settle it"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SettingsForm(forms.Form):
    accept_days = forms.IntegerField(label=_("Working days to accept"), min_value=1, max_value=60)
    handle_days = forms.IntegerField(label=_("Working days to handle"), min_value=1, max_value=60)
    reply_days = forms.IntegerField(label=_("Working days to reply"), min_value=1, max_value=60)
    reopen_days = forms.IntegerField(label=_("Days to reopen after the reply"), min_value=1, max_value=60)
    near_days = forms.IntegerField(label=_("Working days before a deadline counted as near"), min_value=0, max_value=10)


class OverrideForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    is_workday = forms.TypedChoiceField(
        label=_("The county"),
        choices=[("0", _("rests (holiday)")), ("1", _("works (make-up working day)"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=100)
