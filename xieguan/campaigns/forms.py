from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.forms import DateInput
from xieguan.inspections.models import ChecklistStatus
from xieguan.inspections.selectors import checklists_visible
from xieguan.units.models import Category, Subtype, Unit
from xieguan.units.widgets import UnitPicker


class PersonChoiceOne(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(name)s (%(institution)s)") % {
            "name": obj.full_name or obj.username,
            "institution": obj.institution,
        }


class PersonChoice(forms.ModelMultipleChoiceField):
    label_from_instance = PersonChoiceOne.label_from_instance


class ChecklistChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(title)s (version %(version)s)") % {"title": obj.title, "version": obj.version}


class CampaignForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("Area covered (the county or a township)"), queryset=Area.objects.none(), empty_label=None
    )
    name = forms.CharField(label=pgettext_lazy("campaign", "Name"), max_length=100)
    basis = forms.CharField(label=_("Basis document (number and title)"), max_length=200, required=False)
    basis_file = forms.FileField(
        label=_("Basis document file"), required=False, help_text=_("PDF, Word, OFD or an image, up to 20 MB")
    )
    starts_on = forms.DateField(label=pgettext_lazy("campaign", "Start date"), widget=DateInput())
    ends_on = forms.DateField(label=pgettext_lazy("campaign", "End date"), widget=DateInput())
    category = forms.ModelChoiceField(
        label=_("Unit category"),
        queryset=Category.objects.order_by("sort", "code"),
        required=False,
        empty_label=_("All categories"),
    )
    subtypes = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("campaign", "Subtypes"),
        queryset=Subtype.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    template = ChecklistChoice(
        label=_("Checklist"),
        queryset=None,
        required=False,
        empty_label=_("The checklist in use for the unit's category"),
    )
    assignees = PersonChoice(
        label=_("Staff in charge"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    all_units = forms.BooleanField(
        label=_("Make every unit of this category in the area a target"),
        required=False,
        help_text=_("You can also add units one by one or by a double-random draw after creating it"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user).active().filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).in_code_order()
        )
        self.fields["subtypes"].queryset = Subtype.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "category__sort", "sort", "name"
        )
        self.fields["template"].queryset = (  # type: ignore[attr-defined]
            checklists_visible(user)
            .filter(status=ChecklistStatus.PUBLISHED)
            .order_by("category__sort", "title", "-version")
        )
        self.fields["assignees"].queryset = (  # type: ignore[attr-defined]
            User.objects.visible_to(user)
            .filter(is_active=True, roles__code__in=[RoleCode.SUPERVISOR, RoleCode.COMANAGER])
            .select_related("institution")
            .distinct()
            .order_by("institution__name", "username")
        )


class DrawForm(forms.Form):
    title = forms.CharField(
        label=pgettext_lazy("campaign", "Name"),
        max_length=100,
        required=False,
        help_text=_("Left empty, the campaign's name is used"),
    )
    townships = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("campaign", "Township"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen means the whole area"),
    )
    category = forms.ModelChoiceField(
        label=_("Unit category"),
        queryset=Category.objects.order_by("sort", "code"),
        required=False,
        empty_label=_("The campaign's category"),
    )
    count = forms.IntegerField(label=_("Number of units drawn"), min_value=1, required=False)
    ratio = forms.DecimalField(label=_("Share drawn (%)"), min_value=0, max_value=100, required=False, decimal_places=2)
    ratio_high = forms.DecimalField(label=_("Share of high-risk units (%)"), min_value=0, max_value=100, required=False)
    ratio_medium = forms.DecimalField(
        label=_("Share of medium-risk units (%)"), min_value=0, max_value=100, required=False
    )
    ratio_low = forms.DecimalField(label=_("Share of low-risk units (%)"), min_value=0, max_value=100, required=False)
    inspectors_per_target = forms.IntegerField(label=_("Inspectors per unit"), min_value=2, max_value=5, initial=2)

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["townships"].queryset = (  # type: ignore[attr-defined]
            Area.objects.active().filter(level=Level.TOWNSHIP, path__startswith=area.path).in_code_order()
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        if data.get("townships"):
            filters["townships"] = [str(a.pk) for a in data["townships"]]
        if data.get("category"):
            filters["category"] = data["category"].code
        grades = {g: data.get(f"ratio_{g}") for g in ("high", "medium", "low")}
        return {
            "title": data.get("title") or "",
            "filters": filters,
            "count": data.get("count"),
            "ratio": data.get("ratio"),
            "grade_ratios": {g: v for g, v in grades.items() if v is not None},
            "inspectors_per_target": data.get("inspectors_per_target") or 2,
        }


class RedrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for redrawing"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TargetsAddForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("Add every unit of the category in this township"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("(not by township)"),
    )
    unit = forms.ModelChoiceField(
        label=_("or add one unit"), queryset=Unit.objects.none(), required=False, widget=UnitPicker()
    )

    def __init__(self, *args: Any, user: Any, campaign: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = (  # type: ignore[attr-defined]
            Area.objects.visible_to(user)
            .active()
            .filter(level=Level.TOWNSHIP, path__startswith=campaign.area.path)
            .in_code_order()
        )
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.visible_to(user).existing().filter(area__path__startswith=campaign.area.path).order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("township") and not data.get("unit"):
            raise forms.ValidationError(gettext("Choose a township or a unit."))
        return data


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=20000,
        required=False,
        help_text=_("A draft made from the data: edit it and save; the exported Word and PDF use this text"),
    )
    close = forms.BooleanField(label=_("Also close this campaign"), required=False)


class SettingsForm(forms.Form):
    comanagers_drawn = forms.BooleanField(label=_("Co-managers can be drawn as inspectors"), required=False)
    results_days = forms.IntegerField(
        label=_("Results published within (working days)"), min_value=1, max_value=120, initial=20
    )


class MaterialForm(forms.Form):
    title = forms.CharField(
        label=_("Material title"), max_length=200, required=False, help_text=_("Left empty, the file name is used")
    )
    file = forms.FileField(label=_("Material file"), help_text=_("PDF, Word, Excel, OFD or an image, up to 20 MB"))


class ConflictForm(forms.Form):
    """A 回避关系: the person never drawn to inspect the unit. The institute
    names anyone of its county; anyone else declares their own."""

    unit = forms.ModelChoiceField(
        label=pgettext_lazy("campaign", "Unit"), queryset=Unit.objects.none(), widget=UnitPicker()
    )
    inspector = PersonChoiceOne(label=_("Inspector"), queryset=User.objects.none(), empty_label=None)
    reason = forms.CharField(
        label=_("Reason for the conflict"),
        max_length=200,
        help_text=_("For example: a relative works there, you used to work there, you have business dealings with it"),
    )

    def __init__(self, *args: Any, user: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).existing().order_by("name")  # type: ignore[attr-defined]
        self.fields["inspector"].queryset = people  # type: ignore[attr-defined]


class CampaignChecklistForm(forms.Form):
    title = forms.CharField(label=_("Checklist title"), max_length=100)
    items = forms.CharField(
        label=_("Checklist items"),
        help_text=_("One item per line, in the order they are checked: code | item | legal basis (may be left out)"),
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    publish = forms.BooleanField(
        label=_("Publish it now: the campaign's targets not yet visited are inspected with it"), required=False
    )
