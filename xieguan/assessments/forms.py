from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import SCORE_ASSESSMENTS, can
from xieguan.areas.models import Area, Level
from xieguan.assessments.models import (
    AssessmentScheme,
    AwardMode,
    BudgetMode,
    DeductionKind,
    FundFormula,
    ItemKind,
    ItemRule,
    PeriodKind,
    SchemeStatus,
    VisitKind,
)
from xieguan.assessments.selectors import visit_stations
from xieguan.assessments.services import indicator_codes
from xieguan.core.forms import DateInput
from xieguan.core.scope import scope_path_for


def _own_areas(user: Any, levels: list[int]) -> Any:
    return Area.objects.visible_to(user).active().filter(level__in=levels).order_by("path")


TIERS_HELP = _(
    "One award per line: name, places, coefficient, e.g. “First 1 1.2”; when awarding by score threshold: "
    "name, lowest score, coefficient"
)


def parse_tiers(text: str, mode: str) -> list[dict[str, Any]]:
    tiers = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (2, 3):
            raise forms.ValidationError(gettext("The awards are not written right: %(help)s") % {"help": TIERS_HELP})
        entry: dict[str, Any] = {"name": parts[0], "coefficient": parts[2] if len(parts) == 3 else "1"}
        entry["count" if mode == AwardMode.RANKS else "min_score"] = parts[1]
        tiers.append(entry)
    return tiers


class SchemeForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("Assessing area (county or township)"), queryset=Area.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Scheme name"), max_length=100)
    period_kind = forms.ChoiceField(label=_("Assessment period"), choices=PeriodKind.choices, initial=PeriodKind.HALF)
    award_mode = forms.ChoiceField(label=_("Award mode"), choices=AwardMode.choices)
    award_tiers = forms.CharField(
        label=_("Awards"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=TIERS_HELP,
        initial=_("First 1 1.2\nSecond 2 1.1\nThird 3 1.05"),
    )
    fund_formula = forms.ChoiceField(label=_("Funds formula"), choices=FundFormula.choices)
    appeal_days = forms.IntegerField(label=_("Appeal period (days)"), min_value=1, max_value=60, initial=5)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _own_areas(user, [Level.COUNTY, Level.TOWNSHIP])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "award_mode" in data:
            try:
                data["award_tiers"] = parse_tiers(data.get("award_tiers") or "", data["award_mode"])
            except forms.ValidationError as exc:
                self.add_error("award_tiers", exc)
        return data


def tiers_text(scheme: AssessmentScheme) -> str:
    """The awards written back as the form reads them, one per line."""
    key = "count" if scheme.award_mode == AwardMode.RANKS else "min_score"
    return "\n".join(f"{t['name']} {t.get(key, '')} {t.get('coefficient', '1')}" for t in scheme.award_tiers)


class SchemeEditForm(SchemeForm):
    """A draft scheme's own fields; its area stays the one that made it."""

    def __init__(self, *args: Any, user: Any, scheme: AssessmentScheme, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": scheme.name,
                "period_kind": scheme.period_kind,
                "award_mode": scheme.award_mode,
                "award_tiers": tiers_text(scheme),
                "fund_formula": scheme.fund_formula,
                "appeal_days": scheme.appeal_days,
            },
        )
        super().__init__(*args, user=user, **kwargs)
        del self.fields["area"]


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Assessment item"), max_length=100)
    guidance = forms.CharField(
        label=_("What is assessed and the standard"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    max_score = forms.DecimalField(label=_("Maximum score"), min_value=0.01, max_value=1000, decimal_places=2)
    kind = forms.ChoiceField(label=_("Scoring method"), choices=ItemKind.choices)
    indicator_code = forms.ChoiceField(label=_("Indicator (automatic items)"), required=False)
    rule = forms.ChoiceField(label=_("Scoring rule"), choices=ItemRule.choices)
    target = forms.DecimalField(label=_("Target (%)"), required=False, min_value=0, max_value=100)
    floor = forms.DecimalField(label=_("Floor (%)"), required=False, min_value=0, max_value=100)
    tiers = forms.CharField(
        label=_("Bands"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One band per line: lowest percentage, share of the score (%), e.g. “90 100”"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = [("", "—")] + [(c, str(i.name)) for c, i in indicator_codes().items()]

    def clean_tiers(self) -> list[list[str]]:
        rows = []
        for line in (self.cleaned_data.get("tiers") or "").splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(gettext("One band per line: lowest percentage, share of the score."))
            rows.append(parts)
        return rows

    @classmethod
    def initial_of(cls, item: Any) -> dict[str, Any]:
        """An item's values as the form shows them, to edit it."""
        return {
            "name": item.name,
            "guidance": item.guidance,
            "max_score": item.max_score,
            "kind": item.kind,
            "indicator_code": item.indicator_code,
            "rule": item.rule,
            "target": item.target,
            "floor": item.floor,
            "tiers": "\n".join(f"{low} {share}" for low, share in item.tiers),
        }


class AssessmentForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("Assessment scheme"), queryset=AssessmentScheme.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Assessment name"), max_length=100)
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), widget=DateInput())
    areas = forms.ModelMultipleChoiceField(
        label=_("Assessed areas"), queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    budget_mode = forms.ChoiceField(label=_("Total funds"), choices=BudgetMode.choices)
    per_capita = forms.DecimalField(
        label=_("Per-capita rate (yuan)"), initial="1.25", min_value=0, max_value=1000, decimal_places=2
    )
    budget = forms.DecimalField(
        label=_("Total funds (yuan, when entered)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = AssessmentScheme.objects.visible_to(user).filter(status=SchemeStatus.IN_USE)
        self.fields["areas"].queryset = _own_areas(user, [Level.TOWNSHIP, Level.VILLAGE]).exclude(
            path=scope_path_for(user)
        )
        self.fields["areas"].initial = list(_own_areas(user, [Level.TOWNSHIP]).values_list("pk", flat=True))


class AssignForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Manual item"), queryset=None, empty_label=None)  # type: ignore[arg-type]
    reviewer = forms.ModelChoiceField(label=_("Scorer"), queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = assessment.scheme.items.filter(kind=ItemKind.MANUAL)
        people = User.objects.filter(
            is_active=True, institution__area__path__startswith=assessment.area.path
        ).select_related("institution")
        self.fields["reviewer"].queryset = User.objects.filter(
            pk__in=[p.pk for p in people if can(p, SCORE_ASSESSMENTS)]
        )
        self.fields["reviewer"].label_from_instance = lambda p: (
            gettext("%(person)s (%(institution)s)")
            % {
                "person": p.full_name or p.username,
                "institution": p.institution,
            }
        )


class ScoreForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), min_value=0, decimal_places=2)
    notes = forms.CharField(
        label=_("Scoring notes (registers, files and what was seen on site)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    evidence = forms.FileField(
        label=_("Supporting evidence"), required=False, help_text=_("PDF, image, Word or Excel, at most 20 MB")
    )


class DeductionForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Assessed area"), queryset=Area.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Type"), choices=DeductionKind.choices)
    points = forms.DecimalField(
        label=_("Points deducted (leave empty for a veto)"), required=False, min_value=0, decimal_places=2
    )
    reason = forms.CharField(
        label=pgettext_lazy("assessment", "Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(pk__in=assessment.areas.values("area_id")).order_by("path")


class AppealForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item appealed"), queryset=None, required=False, empty_label=_("Total score"))  # type: ignore[arg-type]
    reason = forms.CharField(
        label=_("Reason for the appeal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = assessment.scheme.items.all()


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    new_score = forms.DecimalField(
        label=_("Adjusted score (leave empty if unchanged)"), required=False, min_value=0, decimal_places=2
    )


class BulletinForm(forms.Form):
    text = forms.CharField(label=_("Bulletin text"), widget=forms.Textarea(attrs={"rows": 18}), max_length=20000)


class PopulationForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Township or village"), queryset=Area.objects.none(), empty_label=None)
    year = forms.IntegerField(label=pgettext_lazy("assessment", "Year"), min_value=2000, max_value=2100)
    population = forms.IntegerField(label=_("Population served"), min_value=0, max_value=10_000_000)
    source = forms.CharField(
        label=_("Source of the figure"),
        max_length=100,
        required=False,
        help_text=_("e.g. statistical yearbook, registered residents, township report"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _own_areas(user, [Level.TOWNSHIP, Level.VILLAGE])


class PopulationImportForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("assessment", "Year"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=_("Excel file"),
        help_text=_(
            "First column the township's or village's name, second column the population served; the first row may be a header"
        ),
    )
    source = forms.CharField(label=_("Source of the figure"), max_length=100, required=False)


class VisitForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Station visited"), queryset=Area.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Type"), choices=VisitKind.choices)
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    supervisors = forms.CharField(label=_("Supervisors"), max_length=200)
    items = forms.CharField(
        label=_("What was supervised"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        initial=_("Organisation, rules, staff training, files, patrol records"),
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    score = forms.DecimalField(label=_("Rating"), required=False, min_value=0, max_value=100, decimal_places=2)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = visit_stations(user)
