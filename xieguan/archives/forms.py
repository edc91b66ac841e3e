"""Forms of the archives' pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms

from xieguan.archives.files import ACCEPT
from xieguan.areas.models import Area


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200, required=False, help_text="不填则用文件名")
    file = forms.FileField(
        label="文件",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="PDF、图片（JPG、PNG）、Word 或 Excel，不超过 20 MB",
    )


class VersionUploadForm(forms.Form):
    file = forms.FileField(label="新版本文件", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


class UpperDocumentForm(forms.Form):
    number = forms.CharField(label="文号", max_length=60, required=False)
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="内容摘要", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)
    targets = forms.ModelMultipleChoiceField(
        label="下发范围", queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    ack_due = forms.DateField(label="签收期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    upload = forms.FileField(label="文件", required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institution = getattr(user, "institution", None)
        if institution is not None:
            self.fields["targets"].queryset = Area.objects.filter(parent=institution.area).order_by("code", "name")
            self.fields["targets"].initial = list(self.fields["targets"].queryset)


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(label="重新开放理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ReopenGrantForm(forms.Form):
    until = forms.DateField(label="开放至", widget=forms.DateInput(attrs={"type": "date"}))
