from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import RoleCode, User
from xieguan.core.display import with_note
from xieguan.core.forms import DateInput
from xieguan.inspections.models import (
    MAX_PHOTOS_REQUIRED,
    Answer,
    HandoverReason,
    Inspection,
    OverallResult,
    Period,
    ReinspectionResult,
    SignerRole,
)
from xieguan.units.models import Category, Subtype, Unit, UnitStatus
from xieguan.units.widgets import UnitPicker


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.full_name or obj.username, obj.institution)


def inspectors_for(user: Any) -> Any:
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, roles__code__in=[RoleCode.COMANAGER, RoleCode.SUPERVISOR])
        .select_related("institution")
        .distinct()
        .order_by("institution__area__path", "username")
    )


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.name, obj.area.name)


# The submit rule (``services.records.submit_problems``) in the form's words.
INSPECTORS_HELP = _(
    "A draft may be started by one inspector; it is submitted only with at least two, each of whom signs."
)


class GpsFields(forms.Form):
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    accuracy_m = forms.FloatField(label=_("GPS accuracy (m)"), min_value=0, required=False)


class InspectionStartForm(GpsFields):
    unit = UnitChoice(label=_("Unit"), queryset=Unit.objects.none(), widget=UnitPicker())
    started_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    inspectors = PersonChoices(
        label=_("Inspectors (at least two at submit)"),
        help_text=INSPECTORS_HELP,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    device_time = forms.DateTimeField(required=False, widget=forms.HiddenInput())

    field_order = ["unit", "started_at", "inspectors", "place", "latitude", "longitude", "accuracy_m"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.visible_to(user)
            .filter(merged_into__isnull=True)
            .exclude(status=UnitStatus.CLOSED)
            .select_related("area")
            .order_by("name")
        )
        self.fields["inspectors"].queryset = inspectors_for(user)  # type: ignore[attr-defined]


class InspectionDraftForm(GpsFields):
    """Everything typed on a draft. Nothing is required here: the submit
    checks (in the service) say what is missing, and the form keeps it all."""

    inspectors = PersonChoices(
        label=_("Inspectors (at least two at submit)"),
        help_text=INSPECTORS_HELP,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    representative = forms.CharField(label=_("Unit representative"), max_length=50, required=False)
    problems = forms.CharField(
        label=_("Problems found"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    overall_result = forms.ChoiceField(
        label=_("Overall result"), choices=[("", "—"), *OverallResult.choices], required=False
    )

    def __init__(self, *args: Any, user: Any, inspection: Inspection, answers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors_for(user)  # type: ignore[attr-defined]
        self.answer_rows = []
        for answer in answers:
            key = answer.item_id
            result_name, note_name = f"a_{key}", f"n_{key}"
            self.fields[result_name] = forms.ChoiceField(
                label=answer.item.text, choices=Answer.choices, required=False, widget=forms.RadioSelect
            )
            self.fields[note_name] = forms.CharField(label=_("Note"), max_length=300, required=False)
            if not self.is_bound:
                self.initial[result_name] = answer.result
                self.initial[note_name] = answer.note
        self.answers = answers

    def answer_fields(self) -> list[tuple[Any, Any, Any]]:
        return [(a.item, self[f"a_{a.item_id}"], self[f"n_{a.item_id}"]) for a in self.answers]

    def plain_fields(self) -> list[Any]:
        return [self[n] for n in ("inspectors", "place", "latitude", "longitude", "accuracy_m", "representative")]

    def answers_data(self) -> dict[Any, tuple[str, str]]:
        data = self.cleaned_data
        return {a.item_id: (data.get(f"a_{a.item_id}") or "", data.get(f"n_{a.item_id}") or "") for a in self.answers}


class SignatureForm(forms.Form):
    role = forms.ChoiceField(choices=SignerRole.choices, widget=forms.HiddenInput())
    user = forms.UUIDField(required=False, widget=forms.HiddenInput())
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    data_url = forms.CharField(required=False, widget=forms.HiddenInput())
    image = forms.FileField(label=_("or upload a photo of the signature"), required=False)
    refused = forms.BooleanField(label=_("Refused to sign"), required=False)


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 3}))


class OpinionForm(forms.Form):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput())
    text = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 8}), max_length=4000)
    deadline = forms.DateField(label=_("Rectification deadline"), widget=DateInput())


class ReinspectionForm(forms.Form):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput())
    inspected_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    result = forms.ChoiceField(label=_("Result"), choices=ReinspectionResult.choices, widget=forms.RadioSelect)
    inspectors = PersonChoices(
        label=_("Inspectors (at least two)"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("inspected_at", timezone.localtime().replace(second=0))
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors_for(user)  # type: ignore[attr-defined]


class HandoverForm(forms.Form):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=HandoverReason.choices)
    description = forms.CharField(
        label=_("Description for the institute"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class OutcomeForm(forms.Form):
    investigation = forms.CharField(label=_("Investigation"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.CharField(
        label=_("Outcome (closes the case and is sent to the township)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ChecklistItemsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    photos_required = forms.IntegerField(
        label=_("Photos a record needs"),
        help_text=_("A record made with this checklist is submitted only with at least this many photos."),
        min_value=0,
        max_value=MAX_PHOTOS_REQUIRED,
    )
    items = forms.CharField(
        label=_("Items"),
        help_text=_("One item per line: code | item | legal basis"),
        widget=forms.Textarea(attrs={"rows": 14}),
    )


class ChecklistNewForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    subtype = forms.ModelChoiceField(label=_("Subtype"), queryset=Subtype.objects.none(), required=False)

    def __init__(self, *args: Any, county: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The national subtypes and the county's own in use, never another county's.
        self.fields["subtype"].queryset = Subtype.objects.in_force(getattr(county, "pk", None))


class FrequencyRuleForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("All categories")
    )
    key_unit = forms.NullBooleanField(
        label=_("Key units"),
        widget=forms.Select(
            choices=[("unknown", _("All units")), ("true", _("Key units")), ("false", _("Other units"))]
        ),
    )
    period = forms.ChoiceField(label=_("Frequency"), choices=Period.choices)


class PhraseForm(forms.Form):
    phrase = forms.CharField(label=_("Phrase"), max_length=50)


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12, required=False)
    quarter = forms.IntegerField(label=_("Quarter"), min_value=1, max_value=4, required=False)
