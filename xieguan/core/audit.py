"""Writing the audit log (SPEC §12). Services call ``audit_record`` inside
their transaction, so the log and the change commit or roll back together."""

from __future__ import annotations

import contextvars
import datetime
import decimal
import ipaddress
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from xieguan.core.masking import mask_id_number, mask_phone
from xieguan.core.models import AuditEvent

# The address of the request being served, so that services (which take no
# request) still record where a write came from.
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

SECRET_FIELDS = {"password", "pin_hash", "key_hash", "secret"}

# Personal data is kept in the log only masked (SPEC §12): a model names its
# personal fields and their kind, ``audit_mask = {"phone": "phone"}``, and the
# log stores 138****5678 for a phone and 110***********1234 for an ID number.
# Who changed what stays visible; the values themselves do not.
MASKS: dict[str, Callable[[str], str]] = {
    "phone": mask_phone,
    "id_number": lambda value: mask_id_number(value, lead=3),
}


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, unless that is one of the deploy's
    TRUSTED_PROXIES (docs/deploy.md); then the right-most X-Forwarded-For
    address that is not a proxy — a client can put anything at the left of
    that header, but only the proxy appends at the right."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXIES
    if remote not in proxies:
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        if hop and hop not in proxies:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


class ClientIPMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of a record: concrete fields, related records by
    their display name, secrets left out."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in SECRET_FIELDS or field.name in {"created_at", "updated_at", "id"}:
            continue
        if field.name in getattr(obj, "audit_exclude", ()):
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            values[field.name] = str(related) if related is not None else None
        elif getattr(field, "choices", None):
            values[field.name] = getattr(obj, f"get_{field.name}_display")()
        else:
            values[field.name] = _plain(getattr(obj, field.attname))
    return values


EMPTY: tuple[Any, ...] = (None, "", [], {})


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields that changed; a field that
    stays empty (None → "") is no change."""
    keys = list(dict.fromkeys([*before, *after]))
    return {
        k: [before.get(k), after.get(k)]
        for k in keys
        if before.get(k) != after.get(k)
        and not (before.get(k) in EMPTY and after.get(k) in EMPTY)
        and not (k not in before and after.get(k) is False)  # a new record's unset flag
    }


def change_rows(event: Any) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) for showing an event: the model's own
    verbose names, so the log reads in the user's language."""
    from django.apps import apps

    model = None
    if event.object_type:
        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            model = None
    rows = []
    for name, values in (event.changes or {}).items():
        label: Any = name
        if model is not None:
            try:
                label = model._meta.get_field(name).verbose_name
            except Exception:  # a field since removed keeps its name
                label = name
        before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        rows.append((str(label), _display(before), _display(after)))
    return rows


def _display(value: Any) -> Any:
    if isinstance(value, bool):
        from django.utils.translation import pgettext

        return pgettext("boolean value", "yes") if value else pgettext("boolean value", "no")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def _file_values(before: Any, after: Any) -> list[Any]:
    """A file's before → after without its storage name: where a file is
    kept is no business of the log's readers (and names a file to fetch)."""
    return [
        _("file") if before else before,
        (_("file replaced") if before else _("file uploaded")) if after else after,
    ]


def audit_changes(model: type[models.Model] | None, changes: dict[str, Any] | None) -> dict[str, Any]:
    """``changes`` as the log keeps them: plain values, secrets dropped,
    personal fields masked by the model's ``audit_mask``, and file fields
    (FileField, ImageField) as "file uploaded" / "file replaced" instead of
    a storage path. Every write to the log goes through here."""
    masks = getattr(model, "audit_mask", {}) if model is not None else {}
    kept: dict[str, Any] = {}
    for name, value in (changes or {}).items():
        if name in SECRET_FIELDS:
            continue
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a made-up key ("roles", "extra.seats")
                field = None
        pair = value if isinstance(value, list) and len(value) == 2 else None
        if isinstance(field, models.FileField):
            value = _file_values(*(pair or [None, value]))
        elif name in masks:
            mask = MASKS[masks[name]]
            value = [mask(v) if isinstance(v, str) else v for v in pair] if pair else mask(str(value or ""))
        kept[name] = _plain(value)
    return kept


def _object_repr(obj: models.Model) -> str:
    """How the record is named in the log; a photo whose name is its storage
    path is named by its kind instead."""
    text = str(obj)
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.FileField):
            stored = getattr(obj, field.attname)
            name = getattr(stored, "name", stored)
            if name and name in text:
                text = text.replace(name, str(obj._meta.verbose_name))
    return text[:200]


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    area_path: str | None = None,
    note: str = "",
    ip: str | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Append one event. ``area_path`` scopes it (who may read it); it defaults
    to the record's own area, else the actor's. ``changes`` are kept as
    ``audit_changes`` makes them (masked, no secrets, no storage paths)."""
    if area_path is None:
        area_path = _area_path_of(obj) or _area_path_of_actor(actor)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_username=username or (actor.get_username() if is_user else ""),
        ip=ip or _client_ip.get(),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_object_repr(obj) if obj is not None else "",
        area_path=area_path or "",
        changes=audit_changes(obj.__class__ if obj is not None else None, changes),
        note=note,
    )


def _area_path_of(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    lookup = getattr(obj, "scope_lookup", None)
    if not lookup:
        return ""
    value: Any = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def _area_path_of_actor(actor: Any) -> str:
    institution = getattr(actor, "institution", None) if actor is not None else None
    return institution.area.path if institution is not None else ""
