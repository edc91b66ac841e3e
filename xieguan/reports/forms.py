from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.core.display import with_note
from xieguan.core.forms import MultiplePhotoField, MultiplePhotoInput, PhotoFixFields
from xieguan.reports.models import ExposedPerson, ReportNature
from xieguan.reports.selectors import effective_categories
from xieguan.units.widgets import UnitPicker


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class CameraPhotoField(MultiplePhotoField):
    """Several photos in one field, the phone's camera offered first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)


class ReportForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label=_("Category"))
    found_at = forms.DateTimeField(
        label=_("When it was found"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    area = forms.ModelChoiceField(
        label=_("Village or township"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("Where I work"),
    )
    unit = forms.ModelChoiceField(label=_("Unit (if any)"), queryset=None, required=False, widget=UnitPicker())
    place = forms.CharField(label=_("Place"), max_length=200)
    content = forms.CharField(
        label=_("What was found"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened, how many people, what has been done."),
    )
    affected_count = forms.IntegerField(label=_("People affected"), min_value=0, max_value=100000, initial=0)
    nature = forms.ChoiceField(
        label=_("It is about"),
        choices=[("", _("The category's usual one")), *ReportNature.choices],
        required=False,
        help_text=_("An incident or hazard, or an illegal act: the monthly report counts them apart."),
    )
    latitude = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    # Stamped on the photos with the position; not kept on the report.
    accuracy_m = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=0)
    # Set from the person's page ("report a suspected occupational disease").
    exposed_person = forms.ModelChoiceField(
        queryset=ExposedPerson.objects.none(), required=False, widget=forms.HiddenInput
    )
    photos = CameraPhotoField(label=_("Photos"), required=False)
    forward_now = forms.BooleanField(label=_("Verified: forward to the county now"), required=False)

    def __init__(self, *args: Any, user: Any, may_forward: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xieguan.units.models import Unit

        home = user.institution.area if user.institution else None
        self.fields["category"].choices = [("", "---------")] + [
            (c.code, with_note(c.name, c.limit_label) if c.is_emergency else c.name)
            for c in (effective_categories(home) if home else [])
        ]
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).in_code_order()
        )
        self.fields["unit"].queryset = Unit.objects.visible_to(user).existing().order_by("name")  # type: ignore[attr-defined]
        self.fields["exposed_person"].queryset = ExposedPerson.objects.visible_to(user)  # type: ignore[attr-defined]
        if not may_forward:
            del self.fields["forward_now"]
        if not self.is_bound:
            self.initial.setdefault("id", uuid.uuid4())


class LinkedUnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.name, obj.area.name)


class ReportLinkForm(forms.Form):
    """The unit a report is about and the inspection record that followed
    it up, tied to it after it was filed (``report_link``). The unit is
    searched among the units of the report's township in the user's area;
    the inspections are offered from the unit the report is already tied to
    (choose the unit first). The service judges every choice."""

    unit = LinkedUnitChoice(
        label=_("Unit"),
        queryset=None,
        widget=UnitPicker(include_closed=True),
        error_messages={"invalid_choice": _("Choose a unit of the report's township in your area.")},
    )
    inspection = forms.ModelChoiceField(
        label=_("Inspection record that followed it up"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("This inspection record is not in your area.")},
    )

    # How many of the unit's records are offered, newest first.
    OFFERED = 30

    def __init__(self, *args: Any, user: Any, report: Any, **kwargs: Any) -> None:
        from django.utils import timezone

        from xieguan.reports.services import linked_inspection_model
        from xieguan.units.models import Unit
        from xieguan.units.selectors import township_path_of

        super().__init__(*args, **kwargs)
        township_path = township_path_of(report.area.path) or report.area.path
        unit_field = self.fields["unit"]
        unit_field.queryset = (  # type: ignore[attr-defined]
            Unit.objects.visible_to(user)
            .current()
            .filter(area__path__startswith=township_path)
            .select_related("area")
            .order_by("name", "id")
        )
        unit_field.widget.within = uuid.UUID(hex=township_path.strip("/").rsplit("/", 1)[-1])
        inspections = linked_inspection_model().objects.visible_to(user)
        self.fields["inspection"].queryset = inspections  # type: ignore[attr-defined]
        # Offered: the submitted records of the unit the report is tied to
        # (and the one linked now); the service judges anything else sent.
        wanted = Q(unit_id=report.unit_id, status="submitted") if report.unit_id else Q(pk__in=[])
        if report.inspection_id:
            wanted |= Q(pk=report.inspection_id)
        offered = list(
            inspections.filter(wanted).select_related("template").order_by("-started_at", "-id")[: self.OFFERED]
        )

        def label(record: Any) -> str:
            result = record.get_overall_result_display() if record.overall_result else ""
            when = timezone.localtime(record.started_at).strftime("%Y-%m-%d")
            return " · ".join(filter(None, [when, record.template.title, str(result)]))

        self.fields["inspection"].widget.choices = [("", _("None")), *[(i.pk, label(i)) for i in offered]]
        if not report.unit_id:
            self.fields["inspection"].help_text = _(
                "Tie the report to its unit first; its inspection records are then offered here."
            )


class StepForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PhotoForm(PhotoFixFields):
    image = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    is_emergency = forms.BooleanField(label=_("Emergency (2-hour rule)"), required=False)
    limit_minutes = forms.IntegerField(
        label=_("Time limit from discovery (minutes)"),
        min_value=1,
        help_text=_("Emergencies: 120 minutes by the national rule."),
    )
    sort = forms.IntegerField(label=_("Order"), min_value=0, initial=100)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class ExposedPersonForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    area = forms.ModelChoiceField(label=_("Village or township"), queryset=Area.objects.none(), required=False)
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=200)
    hazard_factors = forms.CharField(
        label=_("Hazard factors"), max_length=300, help_text=_("e.g. silica dust, noise, benzene")
    )
    exposure_years = forms.IntegerField(label=_("Years of exposure"), min_value=0, max_value=70, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).in_code_order()
        )
        if not self.is_bound:
            self.initial.setdefault("id", uuid.uuid4())
