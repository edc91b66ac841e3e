"""Creates that are idempotent on a client-made UUID (the API contract: sending
the same ``id`` again returns the record already made, never a duplicate)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.http import Http404

M = TypeVar("M", bound=models.Model)


def existing_for_retry(model: type[M], record_id: uuid.UUID | str | None, actor: Any) -> M | None:
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


def create_once(model: type[M], record_id: uuid.UUID | str | None, actor: Any, make: Callable[[], M]) -> tuple[M, bool]:
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
