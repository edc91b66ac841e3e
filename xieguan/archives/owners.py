"""The records a document may belong to: a kind name → the model, found
by app label so this app names no model it does not read."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from xieguan.core.scope import get_object_for_user

# kind → (app label, model name, Chinese name). Assessments join when their app exists.
OWNER_KINDS: dict[str, tuple[str, str, str]] = {
    "unit": ("units", "Unit", "监督对象"),
    "campaign": ("campaigns", "Campaign", "专项检查"),
    "inspection": ("inspections", "Inspection", "检查记录"),
    "complaint": ("complaints", "Complaint", "投诉举报"),
    "training": ("outreach", "Training", "培训"),
    "assessment": ("assessments", "Assessment", "考核"),
}


def owner_model(kind: str) -> Any:
    """The model of an owner kind; ValidationError for one there is not."""
    entry = OWNER_KINDS.get(kind)
    if entry is None:
        raise ValidationError({"owner_type": "不支持的资料所属类型。"})
    try:
        return apps.get_model(entry[0], entry[1])
    except LookupError:
        raise ValidationError({"owner_type": "不支持的资料所属类型。"}) from None


def owner_kind_of(content_type: ContentType) -> str:
    for kind, (label, model, _name) in OWNER_KINDS.items():
        if content_type.app_label == label and content_type.model == model.lower():
            return kind
    return ""


def owner_for_user(kind: str, owner_id: Any, user: Any) -> Any:
    """The owner record if the user may see it; Http404 otherwise."""
    return get_object_for_user(owner_model(kind), user, owner_id)


def owner_label(kind: str) -> str:
    return OWNER_KINDS.get(kind, ("", "", ""))[2]
