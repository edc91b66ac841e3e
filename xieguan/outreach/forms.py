from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.accounts.forms import PersonChoiceField
from xieguan.accounts.models import User
from xieguan.areas.models import Area, Level
from xieguan.core.forms import DateInput, PhotoFixFields
from xieguan.core.validators import validate_done_date
from xieguan.outreach.models import OutreachForm, TrainingLevel
from xieguan.units.models import Unit
from xieguan.units.widgets import UnitPicker


class OutreachRecordForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Township or village"), queryset=Area.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[validate_done_date])
    place = forms.CharField(label=_("Place"), max_length=200)
    form = forms.ChoiceField(label=_("Form"), choices=OutreachForm.choices)
    theme = forms.CharField(label=_("Theme"), max_length=200)
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    audience_count = forms.IntegerField(label=_("Number of people reached"), min_value=0, initial=0)
    materials = forms.CharField(
        label=_("Materials handed out"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    materials_count = forms.IntegerField(label=_("Number of materials handed out"), min_value=0, initial=0)
    unit = forms.ModelChoiceField(
        label=_("Unit guided"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitPicker(include_closed=True),
        help_text=_("For guidance to a unit: the record then shows in the unit's file."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).in_code_order()
        )
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.visible_to(user).filter(merged_into__isnull=True).only("id", "name").order_by("name", "id")
        )

    @staticmethod
    def initial_for(record: Any) -> dict[str, Any]:
        return {name: getattr(record, name) for name in OutreachRecordForm.base_fields}


class OutreachFilterForm(forms.Form):
    """The list's filters; a bad value is ignored rather than refused."""

    q = forms.CharField(label=pgettext_lazy("filter", "Theme or place"), required=False)
    form = forms.ChoiceField(label=_("Form"), choices=[("", _("All forms")), *OutreachForm.choices], required=False)
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("All areas")
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", "—"), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user)
            .filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
            .in_code_order()
        )


class TrainingFilterForm(forms.Form):
    """The list's filters; area and dates make it the exact drill-down of the
    training indicator (a reporting month need not be a calendar month)."""

    q = forms.CharField(label=pgettext_lazy("filter", "Topic or trainer"), required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *TrainingLevel.choices], required=False)
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("All areas")
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).filter(level__lte=Level.TOWNSHIP).in_code_order()
        )


class TrainingEditForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[validate_done_date])
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1, min_value=0)
    trainer = forms.CharField(label=_("Trainer"), max_length=100)
    materials = forms.CharField(label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TrainingForm(forms.Form):
    area = forms.ModelChoiceField(label=_("County or township"), queryset=Area.objects.none())
    level = forms.ChoiceField(label=_("Level"), choices=TrainingLevel.choices)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[validate_done_date])
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1, min_value=0)
    trainer = forms.CharField(label=_("Trainer"), max_length=100)
    materials = forms.CharField(label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).in_code_order()
        )


class AttendanceForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    score = forms.DecimalField(
        label=_("Test score"), max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False
    )

    def __init__(self, *args: Any, user: Any, training: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (  # type: ignore[attr-defined]
            User.objects.visible_to(user)
            .filter(is_active=True, institution__area__path__startswith=training.area.path)
            .select_related("institution")
            .order_by("institution__area__path", "full_name")
        )
        self.fields["person"].widget.narrow(within=training.area)


class GuestAttendanceForm(forms.Form):
    """The trainer registers someone without an account: where they work is
    a registered unit of the training's area or, for a school or a water
    plant that is not one, written out."""

    name = forms.CharField(label=_("Attendee's name"), max_length=50)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitPicker(),
        help_text=_("If the attendee works at a registered unit."),
    )
    workplace = forms.CharField(
        label=_("Workplace"),
        max_length=100,
        required=False,
        help_text=_("Otherwise where they work, such as a school or the water plant."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    score = forms.DecimalField(
        label=_("Test score"), max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False
    )

    def __init__(self, *args: Any, user: Any, training: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.visible_to(user)
            .filter(merged_into__isnull=True, area__path__startswith=training.area.path)
            .only("id", "name")
            .order_by("name", "id")
        )


class GuestSignInForm(forms.Form):
    """Self sign-in through the QR code without an account."""

    name = forms.CharField(label=_("Your name"), max_length=50)
    workplace = forms.CharField(
        label=_("Workplace"), max_length=100, help_text=_("Your school, plant, clinic or shop.")
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )


class PhotoForm(PhotoFixFields):
    # A plain file field: the service says in Chinese why a file is refused.
    image = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
