from __future__ import annotations

from typing import Any

from django import forms

from xieguan.accounts.models import RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.forms import DateInput
from xieguan.inspections.models import ChecklistStatus
from xieguan.inspections.selectors import checklists_visible
from xieguan.units.models import Category, Subtype, Unit
from xieguan.units.widgets import UnitPicker


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username}（{obj.institution}）"


class PersonChoiceOne(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username}（{obj.institution}）"


class ChecklistChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（第 {obj.version} 版）"


class CampaignForm(forms.Form):
    area = forms.ModelChoiceField(label="范围（县或乡镇）", queryset=Area.objects.none(), empty_label=None)
    name = forms.CharField(label="名称", max_length=100)
    basis = forms.CharField(label="依据文件（文号与标题）", max_length=200, required=False)
    basis_file = forms.FileField(label="依据文件附件", required=False, help_text="PDF、Word、OFD 或图片，不超过 20 MB")
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())
    category = forms.ModelChoiceField(
        label="单位类别", queryset=Category.objects.order_by("sort", "code"), required=False, empty_label="全部类别"
    )
    subtypes = forms.ModelMultipleChoiceField(
        label="细分类型", queryset=Subtype.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    template = ChecklistChoice(label="检查表", queryset=None, required=False, empty_label="按单位类别使用在用检查表")
    assignees = PersonChoice(
        label="承办人员", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    all_units = forms.BooleanField(
        label="把范围内该类别的全部单位列为检查对象", required=False, help_text="也可以创建后逐户添加或双随机抽取"
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
    title = forms.CharField(label="名称", max_length=100, required=False, help_text="不填则用专项检查的名称")
    townships = forms.ModelMultipleChoiceField(
        label="乡镇",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则为整个范围",
    )
    category = forms.ModelChoiceField(
        label="单位类别",
        queryset=Category.objects.order_by("sort", "code"),
        required=False,
        empty_label="专项检查的类别",
    )
    count = forms.IntegerField(label="抽取户数", min_value=1, required=False)
    ratio = forms.DecimalField(label="抽取比例（%）", min_value=0, max_value=100, required=False, decimal_places=2)
    ratio_high = forms.DecimalField(label="高风险单位比例（%）", min_value=0, max_value=100, required=False)
    ratio_medium = forms.DecimalField(label="中风险单位比例（%）", min_value=0, max_value=100, required=False)
    ratio_low = forms.DecimalField(label="低风险单位比例（%）", min_value=0, max_value=100, required=False)
    inspectors_per_target = forms.IntegerField(label="每户检查人员数", min_value=2, max_value=5, initial=2)

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
    reason = forms.CharField(label="重抽理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TargetsAddForm(forms.Form):
    township = forms.ModelChoiceField(
        label="添加该乡镇符合类别的全部单位",
        queryset=Area.objects.none(),
        required=False,
        empty_label="（不按乡镇添加）",
    )
    unit = forms.ModelChoiceField(
        label="或添加一个单位", queryset=Unit.objects.none(), required=False, widget=UnitPicker()
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
            raise forms.ValidationError("请选择乡镇或单位。")
        return data


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="总结正文",
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=20000,
        required=False,
        help_text="由数据生成的草稿，可修改后保存；导出的 Word 和 PDF 使用这里的文字",
    )
    close = forms.BooleanField(label="同时结束本专项检查", required=False)


class SettingsForm(forms.Form):
    comanagers_drawn = forms.BooleanField(label="协管员可被抽为检查人员", required=False)
    results_days = forms.IntegerField(label="结果公开期限（工作日）", min_value=1, max_value=120, initial=20)


class MaterialForm(forms.Form):
    title = forms.CharField(label="材料名称", max_length=200, required=False, help_text="不填则用文件名")
    file = forms.FileField(label="文件", help_text="PDF、Word、Excel、OFD 或图片，不超过 20 MB")


class ConflictForm(forms.Form):
    """A 回避关系: the person never drawn to inspect the unit. The institute
    names anyone of its county; anyone else declares their own."""

    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), widget=UnitPicker())
    inspector = PersonChoiceOne(label="检查人员", queryset=User.objects.none(), empty_label=None)
    reason = forms.CharField(
        label="回避理由", max_length=200, help_text="如：亲属在该单位工作、曾在该单位任职、与该单位有经济往来"
    )

    def __init__(self, *args: Any, user: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).existing().order_by("name")  # type: ignore[attr-defined]
        self.fields["inspector"].queryset = people  # type: ignore[attr-defined]
