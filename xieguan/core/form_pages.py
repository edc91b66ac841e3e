"""One form page (STYLE.md, "one form page"; the shape of Django's FormView
and NetBox's ObjectEditView): the page shows a form, a valid POST calls a
service, and whatever the service refuses comes back on the form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from xieguan.core.display import join_clauses
from xieguan.core.forms import add_service_errors

R = TypeVar("R")


def service_form_page(
    request: HttpRequest,
    *,
    form_class: Callable[..., forms.BaseForm],
    service: Callable[[Any], R],
    success_url: str | Callable[[R], str],
    message: str | Callable[[R], str] = "",
    form_kwargs: Mapping[str, Any] | None = None,
    template: str = "core/form.html",
    title: str = "",
    cancel_url: str = "",
    context: Mapping[str, Any] | None = None,
    invalid_status: int = 200,
) -> HttpResponse:
    """GET renders ``form_class(**form_kwargs)``. POST binds it to what was
    sent and, when valid, calls ``service(form)``; the service's
    ValidationError is put on the form (on the field it names, else at the
    top) and the page comes back with everything typed kept. On success the
    user is redirected to ``success_url`` with ``message``; both may be
    functions of what the service returned; a page coming back with errors
    answers ``invalid_status`` (the monthly pages answer 422). Scope and
    permission checks belong to the caller, before this is called."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = form_class(request.POST or None, request.FILES or None, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            result = service(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = message(result) if callable(message) else message
            if text:
                messages.success(request, text)
            return redirect(success_url(result) if callable(success_url) else success_url)
    return render(
        request,
        template,
        {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})},
        status=invalid_status if form.errors else 200,
    )


def service_action(
    request: HttpRequest,
    service: Callable[..., R],
    message: str | Callable[[R], str] = "",
    *,
    join: Callable[[list[str]], str] = join_clauses,
    **arguments: Any,
) -> R | None:
    """A button's POST (publish, release, delete …): call
    ``service(actor=request.user, **arguments)``; on success show
    ``message`` (which may be a function of what the service returned), else
    show what the service refused as an error message (its messages put
    together by ``join``). Returns what the service returned, or None when it refused; the caller redirects."""
    try:
        result = service(actor=request.user, **arguments)
    except ValidationError as exc:
        messages.error(request, join(exc.messages))
        return None
    text = message(result) if callable(message) else message
    if text:
        messages.success(request, text)
    return result
