"""Values computed once per request: a page whose panels ask the same
question (the home page asks what is due from the reminders' panel and again
from the inspections' panel) gets one answer. Kept from ``request_started``
to ``request_finished``; outside a request (the worker, a command, a test
calling a function directly) every call computes afresh."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("request_memo", default=None)


def _start_request(**_kwargs: Any) -> None:
    _memo.set({})


def _end_request(**_kwargs: Any) -> None:
    _memo.set(None)


request_started.connect(_start_request, dispatch_uid="request_memo_start")
request_finished.connect(_end_request, dispatch_uid="request_memo_end")


def once_per_request(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered under ``key`` for the rest of the request.
    The answer is shared: callers must not change it."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
