from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.complaints.models import Channel, ComplaintCategory
from xieguan.core.display import with_note
from xieguan.core.forms import DateInput, MultiplePhotoField, MultiplePhotoInput
from xieguan.units.models import Unit, UnitStatus
from xieguan.units.widgets import UnitPicker


class MultipleFileField(MultiplePhotoField):
    """Several photos in one input, none needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)


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


class LinkedUnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return with_note(obj.name, obj.area.name)


class ComplaintLinkForm(forms.Form):
    """The unit a complaint is about and the inspection record and opinion
    that settled it, tied to it after it was filed (``complaint_link``).
    The unit is searched among the units of the complaint's township in the
    user's area; the inspection and the opinion are offered from the unit
    the complaint is already tied to (choose the unit first). The service
    judges every choice."""

    unit = LinkedUnitChoice(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        widget=UnitPicker(include_closed=True),
        error_messages={"invalid_choice": _("Choose a unit of the complaint's township in your area.")},
    )
    inspection = forms.ModelChoiceField(
        label=_("Inspection record that settled it"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("This inspection record is not in your area.")},
    )
    opinion = forms.ModelChoiceField(
        label=_("Supervision opinion that settled it"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("This supervision opinion is not in your area.")},
    )

    # How many of the unit's records are offered, newest first.
    OFFERED = 30

    def __init__(self, *args: Any, user: Any, complaint: Any, **kwargs: Any) -> None:
        from xieguan.complaints.services import linked_model

        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        unit_field.queryset = (  # type: ignore[attr-defined]
            Unit.objects.visible_to(user)
            .current()
            .filter(area__path__startswith=complaint.area.path)
            .select_related("area")
            .order_by("name", "id")
        )
        unit_field.widget.within = complaint.area
        inspections = linked_model("inspection").objects.visible_to(user)
        opinions = linked_model("opinion").objects.visible_to(user)
        self.fields["inspection"].queryset = inspections  # type: ignore[attr-defined]
        self.fields["opinion"].queryset = opinions  # type: ignore[attr-defined]
        # Offered: the records of the unit the complaint is tied to (and
        # those it is linked to now); anything else in scope is still
        # accepted here and judged by the service.
        offered_inspections = _offered(
            inspections.select_related("template"),
            unit_id=complaint.unit_id,
            linked_id=complaint.inspection_id,
            newest="-started_at",
            status="submitted",
        )
        offered_opinions = _offered(
            opinions, unit_id=complaint.unit_id, linked_id=complaint.opinion_id, newest="-issued_at"
        )
        self.fields["inspection"].widget.choices = [
            ("", _("None")),
            *[(i.pk, _inspection_label(i)) for i in offered_inspections],
        ]
        self.fields["opinion"].widget.choices = [
            ("", _("None")),
            *[(o.pk, _opinion_label(o)) for o in offered_opinions],
        ]
        if not complaint.unit_id:
            self.fields["inspection"].help_text = _(
                "Tie the complaint to its unit first; its records are then offered here."
            )


def _offered(scoped: Any, *, unit_id: Any, linked_id: Any, newest: str, **only: Any) -> list[Any]:
    """A unit's records the user may see, newest first, and the one linked now."""
    wanted = models.Q(unit_id=unit_id, **only) if unit_id else models.Q(pk__in=[])
    if linked_id:
        wanted |= models.Q(pk=linked_id)
    return list(scoped.filter(wanted).order_by(newest, "-id")[: ComplaintLinkForm.OFFERED])


def _inspection_label(inspection: Any) -> str:
    when = timezone.localtime(inspection.started_at).strftime("%Y-%m-%d")
    result = inspection.get_overall_result_display() if inspection.overall_result else ""
    return " · ".join(filter(None, [when, inspection.template.title, str(result)]))


def _opinion_label(opinion: Any) -> str:
    return f"{opinion.number} · {timezone.localtime(opinion.issued_at):%Y-%m-%d}"


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
