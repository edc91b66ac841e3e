"""Forms for the registry pages. They only parse what was typed; every rule
lives in the services, whose errors come back onto the same fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.areas.models import Area, Level
from xieguan.core.forms import DateInput
from xieguan.core.validators import validate_ahead_date, validate_done_date
from xieguan.units.models import (
    Category,
    CategoryField,
    CertificateKind,
    FieldKind,
    Grade,
    RiskGrade,
    Subtype,
    UnitStatus,
)
from xieguan.units.selectors import (
    UNIT_ORDERINGS,
    UnitFilters,
    county_id_for_user,
    fields_in_force,
    subtypes_in_force,
    subtypes_visible_to,
    unit_county_id,
)

FILTER_CHOICES_MAX = 400
YES_NO = [("", "—"), ("yes", _("yes")), ("no", _("no"))]


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return (
            obj.name
            if obj.level in (Level.TOWNSHIP, Level.PREFECTURE)
            else f"\u3000{obj.name}"  # i18n: data — an ideographic space indents a village under its township
        )


def unit_areas_for(user: Any) -> Any:
    """Townships and villages the user may put a unit in, each township
    followed by its villages."""
    return Area.objects.visible_to(user).active().filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).in_code_order()


def filter_areas_for(user: Any) -> list[Area]:
    """The areas offered as a filter of the registry: the townships and
    villages when they are few enough for a drop-down (a county's); else
    the prefectures and counties in the user's area."""
    places = unit_areas_for(user).only("id", "name", "level", "path")
    if places[: FILTER_CHOICES_MAX + 1].count() <= FILTER_CHOICES_MAX:
        return list(places)
    visible = Area.objects.visible_to(user).active()
    return list(visible.filter(level__in=[Level.PREFECTURE, Level.COUNTY]).only("id", "name", "level", "path"))


def extra_form_field(field: CategoryField) -> forms.Field:
    help_text = _("Needed for a complete file.") if field.required else ""
    common = {"label": field.label, "required": False, "help_text": help_text}
    if field.kind == FieldKind.INT:
        return forms.IntegerField(min_value=0, **common)
    if field.kind == FieldKind.DECIMAL:
        return forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, **common)
    if field.kind == FieldKind.BOOL:
        # Three answers, not a checkbox: "not filled in" differs from "no".
        return forms.TypedChoiceField(choices=YES_NO, **common)
    if field.kind == FieldKind.DATE:
        return forms.DateField(widget=DateInput(), **common)
    if field.kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices or []]], **common)
    return forms.CharField(max_length=200, **common)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters; leave empty if the unit has none (e.g. a village clinic)."),
    )
    area = AreaChoiceField(label=_("Village or township"), queryset=Area.objects.none())
    subtype = forms.ModelChoiceField(label=_("Subtype"), queryset=Subtype.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=UnitStatus.choices, initial=UnitStatus.OPEN)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DateInput())
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput())
    is_key_unit = forms.BooleanField(label=_("Key unit (monthly patrol)"), required=False)
    risk_grade = forms.ChoiceField(label=_("Risk grade"), choices=[("", "—"), *RiskGrade.choices], required=False)
    hygiene_grade = forms.ChoiceField(label=_("Hygiene grade"), choices=[("", "—"), *Grade.choices], required=False)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)

    def __init__(self, *args: Any, user: Any, category: Category, unit: Any = None, **kwargs: Any) -> None:
        """The subtypes and fields of ``category`` in force in the unit's
        county (a new unit's: the county the user works in), the national
        ones and the county's own; an edited unit keeps the subtype it has
        even if its county switched it off."""
        super().__init__(*args, **kwargs)
        self.category = category
        county_id = unit_county_id(unit) if unit is not None else county_id_for_user(user)
        self.fields["area"].queryset = unit_areas_for(user)
        subtypes = subtypes_in_force(category, county_id)
        if unit is not None and unit.subtype_id is not None and unit.category_id == category.pk:
            subtypes = Subtype.objects.filter(Q(pk__in=subtypes.values("pk")) | Q(pk=unit.subtype_id))
        self.fields["subtype"].queryset = subtypes.order_by("sort", "name", "id")
        self.category_fields = fields_in_force(category, county_id)
        for field in self.category_fields:
            self.fields[f"extra.{field.key}"] = extra_form_field(field)

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as unit_create / unit_update take them."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("extra.")}
        extra = {}
        for field in self.category_fields:
            value = self.cleaned_data.get(f"extra.{field.key}")
            if value in (None, ""):
                continue
            if field.kind == FieldKind.BOOL:
                value = value == "yes"
            extra[field.key] = value
        data["extra"] = extra
        data["category"] = self.category
        return data

    @staticmethod
    def initial_for(unit: Any) -> dict[str, Any]:
        initial = {
            name: getattr(unit, name)
            for name in (
                "name",
                "credit_code",
                "area",
                "subtype",
                "address",
                "legal_representative",
                "phone",
                "status",
                "opened_on",
                "closed_on",
                "is_key_unit",
                "risk_grade",
                "hygiene_grade",
                "latitude",
                "longitude",
            )
        }
        for key, value in (unit.extra or {}).items():
            initial[f"extra.{key}"] = ("yes" if value else "no") if isinstance(value, bool) else value
        return initial


class LicenceForm(forms.Form):
    kind = forms.CharField(
        label=_("Kind"),
        max_length=50,
        initial="卫生许可证",  # i18n: data — the usual licence's official name, saved as typed
    )
    number = forms.CharField(label=_("Number"), max_length=60)
    issuer = forms.CharField(label=_("Issued by"), max_length=100, required=False)
    issued_on = forms.DateField(
        label=_("Issued on"), required=False, widget=DateInput(), validators=[validate_done_date]
    )
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=DateInput(), validators=[validate_ahead_date]
    )
    scope = forms.CharField(label=_("Scope"), max_length=200, required=False)


class CertificateForm(forms.Form):
    person_name = forms.CharField(label=_("Person"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=DateInput(), validators=[validate_ahead_date]
    )


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, address, credit code or pinyin initials"), max_length=50, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    subtype = forms.ModelChoiceField(label=_("Subtype"), queryset=Subtype.objects.none(), required=False)
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *UnitStatus.choices], required=False)
    key_unit = forms.ChoiceField(label=_("Key unit"), choices=YES_NO, required=False)
    risk_grade = forms.ChoiceField(label=_("Risk grade"), choices=[("", "—"), *RiskGrade.choices], required=False)
    incomplete = forms.BooleanField(label=_("Incomplete files only"), required=False)
    expiring = forms.BooleanField(label=_("Licence expiring within 30 days"), required=False)
    expired = forms.BooleanField(label=_("Licence expired"), required=False)
    sort = forms.ChoiceField(
        label=pgettext_lazy("list order", "Sort"),
        choices=[("name", _("By name")), ("recent", _("Recently changed first")), ("risk", _("Riskiest first"))],
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The national subtypes and those of the counties the user may read.
        self.fields["subtype"].queryset = subtypes_visible_to(user)
        # Any area in the user's scope is a valid filter; the drop-down lists
        # what fits on a phone: a county's townships and villages, or the
        # counties of a prefecture or province (not its 10,000 villages).
        field = self.fields["area"]
        field.queryset = Area.objects.visible_to(user)
        field.widget.choices = [("", "—"), *[(a.pk, field.label_from_instance(a)) for a in filter_areas_for(user)]]

    def filters(self) -> UnitFilters:
        """The filters typed; a value that does not parse is ignored, so a
        stale link still shows a list."""
        data = self.cleaned_data if self.is_valid() else {}
        key = data.get("key_unit")
        return UnitFilters(
            q=data.get("q") or "",
            category=data.get("category"),
            subtype=data.get("subtype"),
            area=data.get("area"),
            status=data.get("status") or "",
            key_unit=None if not key else key == "yes",
            risk_grade=data.get("risk_grade") or "",
            incomplete=bool(data.get("incomplete")),
            licence_expiring=bool(data.get("expiring")),
            licence_expired=bool(data.get("expired")),
        )

    def ordering(self) -> list[str]:
        """The keyset ordering the chosen sort stands for (by name if none)."""
        data = self.cleaned_data if self.is_valid() else {}
        return UNIT_ORDERINGS.get(data.get("sort") or "name", UNIT_ORDERINGS["name"])


class SubtypeForm(forms.Form):
    """A subtype a county adds to a category."""

    name = forms.CharField(label=_("Name of the subtype"), max_length=50)


def split_choices(text: str) -> list[str]:
    """Choices typed one per line (or separated by 、 ， ; ；)."""
    return [
        part.strip()
        for part in re.split(r"[\n、，,;；]+", text or "")  # i18n: data — separators people type
        if part.strip()
    ]


class CategoryFieldForm(forms.Form):
    """A field a county adds to a category's units."""

    label = forms.CharField(
        label=_("Name of the field"), max_length=50, help_text=_("As the unit form and the import template show it.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldKind.choices, initial=FieldKind.TEXT)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for the kind “choice”: one choice per line."),
    )
    required = forms.BooleanField(
        label=_("Needed for a complete file"),
        required=False,
        help_text=_("The county's units of this category without it count as incomplete files."),
    )

    def clean_choices(self) -> list[str]:
        return split_choices(self.cleaned_data.get("choices") or "")


class ImportForm(forms.Form):
    """Upload of a filled-in template. ``id`` is made when the page is shown,
    so sending the same upload twice (a retry on a weak signal) makes one
    batch."""

    id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    file = forms.FileField(
        label=_("Excel file (.xlsx) or CSV"),
        help_text=_("At most 20 MB. Download the template of the category first."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


SIDES = [("a", "A"), ("b", "B")]


class MergeForm(forms.Form):
    """Which of two units survives, and for every field whose values differ,
    which value to keep."""

    survivor = forms.ChoiceField(label=_("Keep as the one unit"), choices=SIDES, widget=forms.RadioSelect, initial="a")

    def __init__(self, *args: Any, keys: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = keys
        for key in keys:
            # Not required: a field left unchosen keeps the surviving unit's value.
            self.fields[f"take.{key}"] = forms.ChoiceField(
                choices=SIDES, widget=forms.RadioSelect, initial="a", required=False
            )

    def choices(self) -> tuple[str, list[str]]:
        """(survivor side, the fields to take from the other unit)."""
        side = self.cleaned_data["survivor"]
        take = [key for key in self.keys if (self.cleaned_data.get(f"take.{key}") or side) != side]
        return side, take
