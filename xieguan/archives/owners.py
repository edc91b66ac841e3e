"""The records a document may belong to: a kind name → the model, found
by app label so this app names no model it does not read."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xieguan.core.scope import get_object_for_user

# kind → (app label, model name, name shown). Assessments join when their app exists.
OWNER_KINDS: dict[str, tuple[str, str, Any]] = {
    "unit": ("units", "Unit", pgettext_lazy("archives", "unit")),
    "campaign": ("campaigns", "Campaign", _("special inspection campaign")),
    "inspection": ("inspections", "Inspection", pgettext_lazy("archives", "inspection record")),
    "complaint": ("complaints", "Complaint", _("complaint")),
    "training": ("outreach", "Training", _("training")),
    "assessment": ("assessments", "Assessment", _("assessment")),
}


def owner_model(kind: str) -> Any:
    """The model of an owner kind; ValidationError for one there is not."""
    entry = OWNER_KINDS.get(kind)
    if entry is None:
        raise ValidationError({"owner_type": gettext("Documents cannot be kept with this kind of record.")})
    try:
        return apps.get_model(entry[0], entry[1])
    except LookupError:
        raise ValidationError({"owner_type": gettext("Documents cannot be kept with this kind of record.")}) from None


def owner_kind_of(content_type: ContentType) -> str:
    for kind, (label, model, _name) in OWNER_KINDS.items():
        if content_type.app_label == label and content_type.model == model.lower():
            return kind
    return ""


def owner_for_user(kind: str, owner_id: Any, user: Any) -> Any:
    """The owner record if the user may see it; Http404 otherwise."""
    return get_object_for_user(owner_model(kind), user, owner_id)


def owner_label(kind: str) -> str:
    return str(OWNER_KINDS.get(kind, ("", "", ""))[2])
