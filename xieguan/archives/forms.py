"""Forms of the archives' pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieguan.archives.files import ACCEPT
from xieguan.areas.models import Area


class DocumentUploadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty to use the file name")
    )
    file = forms.FileField(
        label=pgettext_lazy("document file", "File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, image (JPG, PNG), Word or Excel, at most 20 MB"),
    )


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of the new version"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )


class UpperDocumentForm(forms.Form):
    number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Summary of the content"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    targets = forms.ModelMultipleChoiceField(
        label=_("Issue to"), queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    ack_due = forms.DateField(label=_("Acknowledge by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    upload = forms.FileField(
        label=pgettext_lazy("document file", "File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institution = getattr(user, "institution", None)
        if institution is not None:
            self.fields["targets"].queryset = Area.objects.filter(parent=institution.area).order_by("code", "name")
            self.fields["targets"].initial = list(self.fields["targets"].queryset)


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ReopenGrantForm(forms.Form):
    until = forms.DateField(label=_("Open until"), widget=forms.DateInput(attrs={"type": "date"}))
