from __future__ import annotations

from typing import Any

from django import forms

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
from xieguan.assessments.services import indicator_codes
from xieguan.core.forms import DateInput
from xieguan.core.scope import scope_path_for


def _own_areas(user: Any, levels: list[int]) -> Any:
    return Area.objects.visible_to(user).active().filter(level__in=levels).order_by("path")


TIERS_HELP = "每行一个奖项：名称 名额 系数，如“一等奖 1 1.2”；按分数线评奖时写：名称 最低分 系数"


def parse_tiers(text: str, mode: str) -> list[dict[str, Any]]:
    tiers = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (2, 3):
            raise forms.ValidationError("奖项格式不正确：" + TIERS_HELP)
        entry: dict[str, Any] = {"name": parts[0], "coefficient": parts[2] if len(parts) == 3 else "1"}
        entry["count" if mode == AwardMode.RANKS else "min_score"] = parts[1]
        tiers.append(entry)
    return tiers


class SchemeForm(forms.Form):
    area = forms.ModelChoiceField(label="考核单位（县或乡镇）", queryset=Area.objects.none(), empty_label=None)
    name = forms.CharField(label="方案名称", max_length=100)
    period_kind = forms.ChoiceField(label="考核周期", choices=PeriodKind.choices, initial=PeriodKind.HALF)
    award_mode = forms.ChoiceField(label="评奖方式", choices=AwardMode.choices)
    award_tiers = forms.CharField(
        label="奖项",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=TIERS_HELP,
        initial="一等奖 1 1.2\n二等奖 2 1.1\n三等奖 3 1.05",
    )
    fund_formula = forms.ChoiceField(label="经费分配公式", choices=FundFormula.choices)
    appeal_days = forms.IntegerField(label="申诉期限（天）", min_value=1, max_value=60, initial=5)

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


class ItemForm(forms.Form):
    name = forms.CharField(label="考核项目", max_length=100)
    guidance = forms.CharField(label="考核内容与标准", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    max_score = forms.DecimalField(label="分值", min_value=0.01, max_value=1000, decimal_places=2)
    kind = forms.ChoiceField(label="计分方式", choices=ItemKind.choices)
    indicator_code = forms.ChoiceField(label="指标（自动项目）", required=False)
    rule = forms.ChoiceField(label="计分规则", choices=ItemRule.choices)
    target = forms.DecimalField(label="目标值（%）", required=False, min_value=0, max_value=100)
    floor = forms.DecimalField(label="下限（%）", required=False, min_value=0, max_value=100)
    tiers = forms.CharField(
        label="分档",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一档：最低百分比 得分比例（%），如“90 100”",
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
                raise forms.ValidationError("每行一档：最低百分比 得分比例。")
            rows.append(parts)
        return rows


class AssessmentForm(forms.Form):
    scheme = forms.ModelChoiceField(label="考核方案", queryset=AssessmentScheme.objects.none(), empty_label=None)
    name = forms.CharField(label="考核名称", max_length=100)
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())
    areas = forms.ModelMultipleChoiceField(
        label="被考核单位", queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    budget_mode = forms.ChoiceField(label="经费总额", choices=BudgetMode.choices)
    per_capita = forms.DecimalField(
        label="人均标准（元）", initial="1.25", min_value=0, max_value=1000, decimal_places=2
    )
    budget = forms.DecimalField(label="经费总额（元，填写总额时）", required=False, min_value=0, decimal_places=2)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = AssessmentScheme.objects.visible_to(user).filter(status=SchemeStatus.IN_USE)
        self.fields["areas"].queryset = _own_areas(user, [Level.TOWNSHIP, Level.VILLAGE]).exclude(
            path=scope_path_for(user)
        )
        self.fields["areas"].initial = list(_own_areas(user, [Level.TOWNSHIP]).values_list("pk", flat=True))


class AssignForm(forms.Form):
    item = forms.ModelChoiceField(label="人工项目", queryset=None, empty_label=None)  # type: ignore[arg-type]
    reviewer = forms.ModelChoiceField(label="评分人", queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = assessment.scheme.items.filter(kind=ItemKind.MANUAL)
        people = User.objects.filter(
            is_active=True, institution__area__path__startswith=assessment.area.path
        ).select_related("institution")
        self.fields["reviewer"].queryset = User.objects.filter(
            pk__in=[p.pk for p in people if can(p, SCORE_ASSESSMENTS)]
        )
        self.fields["reviewer"].label_from_instance = lambda p: f"{p.full_name or p.username}（{p.institution}）"


class ScoreForm(forms.Form):
    score = forms.DecimalField(label="得分", min_value=0, decimal_places=2)
    notes = forms.CharField(
        label="评分说明（查阅台账、档案、现场情况）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence = forms.FileField(label="佐证材料", required=False, help_text="PDF、图片、Word 或 Excel，不超过 20 MB")


class DeductionForm(forms.Form):
    area = forms.ModelChoiceField(label="被考核单位", queryset=Area.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="类型", choices=DeductionKind.choices)
    points = forms.DecimalField(label="扣分（一票否决不填）", required=False, min_value=0, decimal_places=2)
    reason = forms.CharField(label="理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(pk__in=assessment.areas.values("area_id")).order_by("path")


class AppealForm(forms.Form):
    item = forms.ModelChoiceField(label="申诉项目", queryset=None, required=False, empty_label="总分")  # type: ignore[arg-type]
    reason = forms.CharField(label="申诉理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = assessment.scheme.items.all()


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    new_score = forms.DecimalField(label="调整后得分（不调整不填）", required=False, min_value=0, decimal_places=2)


class BulletinForm(forms.Form):
    text = forms.CharField(label="通报正文", widget=forms.Textarea(attrs={"rows": 18}), max_length=20000)


class PopulationForm(forms.Form):
    area = forms.ModelChoiceField(label="乡镇或村", queryset=Area.objects.none(), empty_label=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    population = forms.IntegerField(label="服务人口", min_value=0, max_value=10_000_000)
    source = forms.CharField(label="来源", max_length=100, required=False, help_text="如：统计年鉴、户籍人口、乡镇上报")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _own_areas(user, [Level.TOWNSHIP, Level.VILLAGE])


class PopulationImportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    file = forms.FileField(label="Excel 文件", help_text="第一列乡镇或村的名称，第二列服务人口；第一行可为表头")
    source = forms.CharField(label="来源", max_length=100, required=False)


class VisitForm(forms.Form):
    area = forms.ModelChoiceField(label="乡镇协管站", queryset=Area.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="类型", choices=VisitKind.choices)
    visited_on = forms.DateField(label="督导日期", widget=DateInput())
    supervisors = forms.CharField(label="督导人员", max_length=200)
    items = forms.CharField(
        label="督导内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        initial="组织管理、制度建设、人员培训、档案管理、巡查记录",
    )
    findings = forms.CharField(label="发现问题", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    score = forms.DecimalField(label="评分", required=False, min_value=0, max_value=100, decimal_places=2)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _own_areas(user, [Level.TOWNSHIP])
