"""The names of audit event codes (SPEC §12): each app names its codes
``<thing>.<verb>`` in Chinese with ``register_events`` from its
``AppConfig.ready()``; the audit log and the unit file show them. Kept apart
from ``audit`` so that the AuditEvent model can name itself without a cycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

# ---- event codes, named in Chinese --------------------------------------------


@dataclass(frozen=True)
class EventType:
    code: str
    label: str | Promise
    group: str | Promise


_EVENT_TYPES: dict[str, EventType] = {}
ACTION_MAX_LENGTH = 64  # AuditEvent.action holds the code

# What the log said before events had codes: rows written then keep these
# actions, and the page still names them.
EARLIER_ACTIONS: dict[str, str | Promise] = {
    "create": gettext_lazy("create"),
    "update": gettext_lazy("update"),
    "delete": gettext_lazy("delete"),
    "login": gettext_lazy("login"),
    "logout": gettext_lazy("logout"),
    "login_failed": gettext_lazy("failed login"),
    "locked_out": gettext_lazy("account locked"),
    "token_issued": gettext_lazy("API token issued"),
    "token_revoked": gettext_lazy("API token revoked"),
    "password_changed": gettext_lazy("password changed"),
    "import": gettext_lazy("import"),
    "retire": gettext_lazy("retire"),
    "move": gettext_lazy("move"),
    "request": gettext_lazy("request"),
    "approve": gettext_lazy("approve"),
    "refuse": gettext_lazy("refuse"),
    "view_personal": gettext_lazy("view personal data"),
}


def register_events(group: str | Promise, events: Mapping[str, str | Promise]) -> None:
    """Name an app's event codes, ``{"unit.merge": _("Units merged")}``, under
    ``group`` (the app's name) for the audit-log page. Each app calls this from
    its ``AppConfig.ready()``; core itself names no domain's events."""
    for code, label in events.items():
        thing, dot, verb = code.partition(".")
        if not (dot and thing and verb) or len(code) > ACTION_MAX_LENGTH:
            raise ValueError(f"an audit event code is <thing>.<verb> in {ACTION_MAX_LENGTH} characters: {code!r}")
        known = _EVENT_TYPES.get(code)
        if known is not None and (str(known.label), str(known.group)) != (str(label), str(group)):
            raise ValueError(f"the audit event {code!r} is already registered as {known.label!r}")
        _EVENT_TYPES[code] = EventType(code=code, label=label, group=group)


def event_types() -> dict[str, EventType]:
    """Every registered event code (a copy)."""
    return dict(_EVENT_TYPES)


def event_label(code: str) -> str:
    """The name of an event for people: its registered label, the label of an
    action written before codes existed, else the code itself."""
    known = _EVENT_TYPES.get(code)
    if known is not None:
        return str(known.label)
    if code in EARLIER_ACTIONS:
        return str(EARLIER_ACTIONS[code])
    return code


# ---- what a change names that is no field of its record --------------------

_CHANGE_LABELS: dict[str, str | Promise] = {}


def register_change_labels(labels: Mapping[str, str | Promise]) -> None:
    """Name, in Chinese, the keys a service records in ``audit.changes`` (or
    ``changes=``) that are no field of the record: ``{"signature":
    _("signature")}``. A field of the record is named by its verbose name and
    needs nothing here. Each app calls this from its ``audit_events.py``."""
    for key, label in labels.items():
        known = _CHANGE_LABELS.get(key)
        if known is not None and str(known) != str(label):
            raise ValueError(f"the change key {key!r} is already named {known!r}")
        _CHANGE_LABELS[key] = label


def change_labels() -> dict[str, str | Promise]:
    """Every registered change key's name (a copy)."""
    return dict(_CHANGE_LABELS)


def event_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The known codes grouped by app, for a select: the groups in the order
    the apps registered them, each sorted by code, then the actions of rows
    written before codes existed."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for event in _EVENT_TYPES.values():
        groups.setdefault(str(event.group), []).append((event.code, str(event.label)))
    choices = [(group, sorted(rows)) for group, rows in groups.items()]
    choices.append((str(gettext_lazy("Earlier entries")), [(k, str(v)) for k, v in EARLIER_ACTIONS.items()]))
    return choices
