"""Creates that are idempotent on a client-made UUID (the API contract: sending
the same ``id`` again returns the record already made, never a duplicate)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.http import Http404

from xieguan.core.audit import audited

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

M = TypeVar("M", bound=models.Model)


def existing_for_retry(model: type[M], record_id: uuid.UUID | str | None, actor: AbstractBaseUser) -> M | None:
    """The record a retried create already made, if the actor may see it. An
    id taken by a record outside the actor's area answers 404, like any
    record the actor may not see."""
    if record_id is None:
        return None
    found = model._default_manager.filter(pk=record_id).first()
    if found is None:
        return None
    if not model._default_manager.visible_to(actor).filter(pk=record_id).exists():  # type: ignore[attr-defined]
        raise Http404
    return found


def create_once(
    model: type[M], record_id: uuid.UUID | str | None, actor: AbstractBaseUser, make: Callable[[], M]
) -> tuple[M, bool]:
    """Run ``make`` (which inserts the record) unless a record with this id
    exists; returns (record, created). Two concurrent sends of the same id
    meet at the primary key: the loser gets the winner's record."""
    existing = existing_for_retry(model, record_id, actor)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return make(), True
    except IntegrityError:
        existing = existing_for_retry(model, record_id, actor)
        if existing is None:
            raise
        return existing, False


def create_audited_once(
    model: type[M], record_id: uuid.UUID | None, actor: AbstractBaseUser, action: str, **fields: Any
) -> tuple[M, bool]:
    """The plain create of a service: one ``model`` row of ``fields`` under
    ``record_id`` (a new id without one), recorded as the audit event
    ``action``, made once per id (``create_once``) in one transaction.
    Returns (record, created)."""

    def make() -> M:
        with audited(actor, action) as audit:
            audit.obj = model._default_manager.create(id=record_id or uuid.uuid4(), **fields)
        return audit.obj  # type: ignore[return-value]

    with transaction.atomic():
        return create_once(model, record_id, actor, make)


def wants_create_only(request: Any) -> bool:
    """The client sent ``If-None-Match: *``: a retry of its create must hold
    what the server holds, else it is a conflict (409), not a quiet 200."""
    return request.headers.get("If-None-Match", "").strip() == "*"


def _same(held: Any, sent: Any) -> bool:
    import datetime
    from decimal import Decimal

    if held is None or sent is None:
        return (held in (None, "")) and (sent in (None, ""))
    if isinstance(held, datetime.datetime) and isinstance(sent, datetime.datetime):
        from django.utils import timezone

        held, sent = (timezone.make_aware(t) if timezone.is_naive(t) else t for t in (held, sent))
        return abs((held - sent).total_seconds()) < 1
    if isinstance(held, (int, float, Decimal)) and not isinstance(held, bool):
        try:
            return Decimal(str(held)) == Decimal(str(sent))
        except ArithmeticError:
            return False
    return str(held).strip() == str(sent).strip()


def retry_conflicts(pairs: dict[str, tuple[Any, Any]]) -> list[str]:
    """The fields whose value on the server (held) differs from the retried
    create's (sent): the record was changed on the server since, or the
    phone's draft was changed after a send whose answer was lost. Texts are
    compared trimmed, times to the second, numbers by value."""
    return [name for name, (held, sent) in pairs.items() if not _same(held, sent)]


def conflict_response(fields: list[str], server: dict[str, Any]) -> Any:
    """The 409 a retried create gets when ``retry_conflicts`` found fields
    that differ (schema ``core.api.ConflictOut``): both versions are kept,
    the server's is in ``server``, and the phone lets the user choose."""
    from django.utils.translation import gettext as _
    from ninja import Status

    message = _("This record was changed since it was first sent; both versions are kept. Choose one.")
    return Status(409, {"detail": message, "fields": {name: [message] for name in fields}, "server": server})
