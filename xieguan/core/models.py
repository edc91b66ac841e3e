"""What every domain's models share: the base model and the audit log."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xieguan.core.display import with_note
from xieguan.core.event_names import event_label
from xieguan.core.scope import ScopedQuerySet

# The user name the public's own steps are logged under (a complaint's
# complainant adding to it with the receipt and PIN).
PUBLIC_ACTOR = "public"


class BaseModel(models.Model):
    """A record with a client-makeable UUID id (SPEC §13: a phone creates the
    id offline, and a create sent twice with the same id is made once)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """One write or sign-in event (SPEC §12): who, when, from where, what,
    before → after. Rows are never changed or deleted from the app; only the
    retention job removes rows older than AUDIT_RETENTION_DAYS (≥ 180)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # An event code ``<thing>.<verb>`` registered with its Chinese name in
    # core.audit.register_events; rows older than the codes keep a bare verb.
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("record type"), max_length=100, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    area_path = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEventQuerySet.as_manager()
    scope_lookup = "area_path"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["area_path"], name="audit_area_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor_username} {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionDenied("audit events cannot be deleted")

    @property
    def label(self) -> str:
        """The event's name for people, in their language."""
        return event_label(self.action)

    @property
    def actor_label(self) -> str:
        """Who did it, for people: the person's name with their sign-in name
        (王秀兰（cg1）), 公众 for the public's own steps, else the name typed
        at a failed sign-in. Load ``actor`` with the event (select_related)."""
        actor = self.actor if self.actor_id else None
        name = getattr(actor, "full_name", "") if actor is not None else ""
        if name and name != self.actor_username:
            return with_note(name, self.actor_username)
        if actor is None and self.actor_username == PUBLIC_ACTOR:
            return str(_("the public"))
        return self.actor_username
