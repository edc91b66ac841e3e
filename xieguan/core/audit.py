"""Writing the audit log (SPEC §12). A service changes a record inside
``with audited(actor, "unit.merge", unit):`` within its transaction, so the
log and the change commit or roll back together; ``audit_record`` writes an
event that has no record to compare (a sign-in, an import's summary).

Every event has a code ``<thing>.<verb>`` (Zulip's ``RealmAuditLog`` event
types); each app names its codes in Chinese with ``register_events`` from its
``AppConfig.ready()``, and the audit-log page shows and filters by them."""

from __future__ import annotations

import contextvars
import datetime
import decimal
import ipaddress
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from xieguan.core.display import human_value
from xieguan.core.event_names import (  # noqa: F401 - written here too, where services look
    ACTION_MAX_LENGTH,
    EARLIER_ACTIONS,
    EventType,
    change_labels,
    event_choices,
    event_label,
    event_types,
    register_change_labels,
    register_events,
)
from xieguan.core.masking import mask_id_number, mask_phone
from xieguan.core.models import AuditEvent

if TYPE_CHECKING:
    # Core names no domain app: an actor is any user; the services above
    # accounts type theirs as ``xieguan.accounts.models.User``.
    from django.contrib.auth.models import AbstractBaseUser

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


def _model_of(event: Any) -> type[models.Model] | None:
    from django.apps import apps

    if not event.object_type:
        return None
    try:
        return apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return None


def _field_label(model: type[models.Model] | None, name: str) -> str | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation (a unit's merged_units) has no name of its own.
    return str(field.verbose_name) if hasattr(field, "verbose_name") else None


def change_rows(event: Any, *, labels: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(label, before, after) as people read an event's changes: the
    record's field by its verbose name (else the name its app registered
    with ``register_change_labels``, else ``labels``: names known only to the
    record, such as a unit's own ``extra.seats``); each value through
    ``display.human_value`` — 是/否, ``—``, a moment in local time."""
    model = _model_of(event)
    registered = change_labels()
    rows = []
    for name, values in (event.changes or {}).items():
        label = _field_label(model, name) or (labels or {}).get(name) or str(registered.get(name, name))
        before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        rows.append((label, human_value(before), human_value(after)))
    return rows


def with_change_rows(events: Iterable[Any]) -> None:
    """Set ``change_rows`` on each event of a page; the names a record's
    model keeps for itself (``audit_labels(names)``, a classmethod: a unit
    names its category's own fields) are asked once per model."""
    events = list(events)
    unknown: dict[type[models.Model], set[str]] = {}
    for event in events:
        model = _model_of(event)
        if model is not None and hasattr(model, "audit_labels"):
            names = {n for n in (event.changes or {}) if _field_label(model, n) is None}
            if names:
                unknown.setdefault(model, set()).update(names)
    found = {model: model.audit_labels(names) for model, names in unknown.items()}  # type: ignore[attr-defined]
    for event in events:
        event.change_rows = change_rows(event, labels=found.get(_model_of(event)))  # type: ignore[arg-type]


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


# ---- writing events ----------------------------------------------------------


@dataclass(eq=False)
class Audit:
    """What the block of ``audited`` may add to its event: the record it made
    (``obj``), changes the snapshot cannot see, a note, and ``always`` to
    record an update whose change the snapshot cannot show (answers saved on
    a record). After the block, ``event`` is the event written (None when
    nothing changed)."""

    obj: models.Model | None = None
    note: str = ""
    always: bool = False
    changes: dict[str, Any] = dataclass_field(default_factory=dict)
    event: AuditEvent | None = None


@contextmanager
def audited(
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model | None = None,
    *,
    note: str = "",
    fields: Iterable[str] | None = None,
    snapshot_with: Callable[[Any], dict[str, Any]] | None = None,
    area_path: str | None = None,
    username: str | None = None,
) -> Iterator[Audit]:
    """Record one event ``action`` about ``obj``, before → after the block::

        with transaction.atomic(), audited(actor, "unit.merge", survivor) as audit:
            ...  # change survivor
            audit.changes["merged_units"] = [None, merged.name]

    - an update compares ``obj`` before and after (``snapshot``, or
      ``snapshot_with(obj)`` for values of related records, limited to
      ``fields`` if given);
    - a creation passes no ``obj`` and sets ``audit.obj`` to the new record:
      every field is recorded as [None, value]; a record made from another
      (a county's own copy of a default) passes that one as ``obj``: what
      the copy changed is recorded;
    - a deletion deletes ``obj`` inside the block (``obj.delete()``): every
      field is recorded as [value, None], under the id the record had;
    - an update of a record that changes no audited field and adds no
      ``changes`` records nothing, so saving a form unchanged leaves no empty
      event (a note alone does not count, ``audit.always`` does); a creation,
      a deletion and an event about no record are always recorded;
    - the area is that of the record (as it is after the block), else the
      actor's, as ``audit_record`` finds it.

    It must run inside the service's ``transaction.atomic()`` so the event
    and the change commit together; if the block raises, nothing is recorded."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audited() must run inside the service's transaction.atomic()")

    def values(record: models.Model) -> dict[str, Any]:
        return snapshot_with(record) if snapshot_with is not None else snapshot(record, fields)

    before = values(obj) if obj is not None else {}
    pk_before = obj.pk if obj is not None else None
    audit = Audit(obj=obj, note=note)
    yield audit
    record = audit.obj
    deleted = record is not None and record is obj and pk_before is not None and record.pk is None
    after = values(record) if record is not None and not deleted else {}
    changes: dict[str, Any] = {**diff(before, after), **audit.changes}
    same_record = (
        obj is not None
        and record is not None
        and not deleted
        and record._meta.label_lower == obj._meta.label_lower
        and record.pk == pk_before
    )
    if same_record and not changes and not audit.always:
        return
    audit.event = _write(
        actor=actor,
        action=action,
        obj=record,
        object_id=str(pk_before) if deleted else None,
        changes=changes,
        area_path=area_path,
        note=audit.note,
        ip=None,
        username=username,
    )


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    area_path: str | None = None,
    note: str = "",
    ip: str | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Append one event that compares no record before and after: a sign-in,
    an import's summary, a look at personal data. ``area_path`` scopes it (who
    may read it); it defaults to the record's own area, else the actor's.
    A change to a record goes through ``audited`` instead. ``changes`` are
    kept as ``audit_changes`` makes them (masked, no secrets, no storage
    paths), as for every event."""
    return _write(
        actor=actor,
        action=action,
        obj=obj,
        object_id=None,
        changes=changes or {},
        area_path=area_path,
        note=note,
        ip=ip,
        username=username,
    )


def audited_bulk_create(
    actor: AbstractBaseUser,
    action: str,
    objs: Iterable[models.Model],
    *,
    snapshot_with: Callable[[Any], dict[str, Any]] | None = None,
    note: str = "",
) -> int:
    """One creation event for each of ``objs``, records already made in bulk
    (an Excel import of thousands of rows), written with one bulk insert:
    each event as ``audited`` would record the record's creation. Call it in
    the transaction that made them. Returns how many."""
    username = actor.get_username()
    ip = _client_ip.get()
    events = [
        AuditEvent(
            actor_id=actor.pk,
            actor_username=username,
            ip=ip,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=_object_repr(obj),
            area_path=_area_path_of(obj) or _area_path_of_actor(actor),
            changes=audit_changes(obj.__class__, diff({}, snapshot_with(obj) if snapshot_with else snapshot(obj))),
            note=note,
        )
        for obj in objs
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


@dataclass(frozen=True)
class BulkChange:
    """One record changed by a bulk update: its id, name and area as the
    log keeps them, and its ``{field: [before, after]}``."""

    object_id: str
    object_repr: str
    area_path: str
    changes: dict[str, Any]


def audited_bulk_update(
    actor: AbstractBaseUser | None,
    action: str,
    model: type[models.Model],
    rows: Iterable[BulkChange],
    *,
    note: str = "",
) -> int:
    """One event for each record a queryset ``update()`` changed (a nightly
    job rewriting thousands), each as ``audited`` would record that
    record's change, written with one bulk insert; an actor of None is the
    system (the worker). Call it in the transaction that made the change,
    with the values read before it. Returns how many."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    ip = _client_ip.get()
    events = [
        AuditEvent(
            actor_id=actor.pk if actor is not None and is_user else None,
            actor_username=actor.get_username() if actor is not None and is_user else "",
            ip=ip,
            action=action,
            object_type=model._meta.label_lower,
            object_id=row.object_id,
            object_repr=row.object_repr[:200],
            area_path=row.area_path,
            changes=audit_changes(model, row.changes),
            note=note,
        )
        for row in rows
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def _write(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model | None,
    object_id: str | None,
    changes: dict[str, Any],
    area_path: str | None,
    note: str,
    ip: str | None,
    username: str | None,
) -> AuditEvent:
    if area_path is None:
        area_path = _area_path_of(obj) or _area_path_of_actor(actor)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor_id=actor.pk if actor is not None and is_user else None,
        actor_username=username or (actor.get_username() if actor is not None and is_user else ""),
        ip=ip or _client_ip.get(),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
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


def _area_path_of_actor(actor: AbstractBaseUser | None) -> str:
    institution = getattr(actor, "institution", None) if actor is not None else None
    return institution.area.path if institution is not None else ""


def audit_events_filtered(
    user: Any,
    *,
    q: str = "",
    action: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> Any:
    """The audit events ``user`` may read (their area's, scoped like every
    list), narrowed by a user name or record text, an event code and local
    days; the page and GET /api/audit-log read the same."""
    events = AuditEvent.objects.visible_to(user).select_related("actor")
    if q:
        events = events.filter(models.Q(actor_username__icontains=q) | models.Q(object_repr__icontains=q))
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events
