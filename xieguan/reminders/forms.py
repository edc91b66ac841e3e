from __future__ import annotations

from typing import Any

from django import forms

from xieguan.core.registry import registry
from xieguan.reminders.models import ChannelKind

CHANNEL_CHOICES = [(ChannelKind.SMS.value, "短信"), (ChannelKind.WECOM.value, "企业微信群机器人")]


class RuleForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="提醒的事项类型", required=False, widget=forms.CheckboxSelectMultiple, help_text="都不选：全部类型"
    )
    channels = forms.MultipleChoiceField(
        label="站内消息之外还发到",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(ChannelKind.EMAIL.value, "电子邮件"), *CHANNEL_CHOICES],
    )
    lead_days = forms.IntegerField(label="提前几个工作日提醒", min_value=0, max_value=30)
    quiet_start = forms.TimeField(label="免打扰开始", widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label="免打扰结束", widget=forms.TimeInput(attrs={"type": "time"}))
    escalate_after_days = forms.IntegerField(
        label="逾期几个工作日后升级",
        min_value=0,
        max_value=60,
        help_text="先告知责任监督员，再过同样天数告知领导；0：不升级",
    )
    expiry_days = forms.IntegerField(label="证照到期前几天列入待办", min_value=1, max_value=365)
    digest = forms.BooleanField(label="每日汇总代替单条消息（电子邮件、短信、企业微信）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(s.kind, str(s.label)) for s in registry.due]


class ChannelForm(forms.Form):
    area = forms.ChoiceField(label="县或乡镇")
    kind = forms.ChoiceField(label="类型", choices=CHANNEL_CHOICES)
    url = forms.CharField(label="地址", max_length=500, help_text="短信网关或群机器人 Webhook 的网址")
    secret = forms.CharField(
        label="密钥",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="保存后不再显示；留空则保留已保存的密钥",
    )
    template = forms.CharField(
        label="短信模板", required=False, max_length=200, help_text="{label} 事项，{due} 截止时间"
    )
    signature = forms.CharField(label="短信签名", required=False, max_length=20)
    enabled = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        self.fields["area"].choices = [(str(a.pk), a.name) for a in areas]
