"""Signing in is required by LoginRequiredMiddleware, not by a decorator on
each view: walking every URL pattern proves that a page nobody marked
public sends a signed-out visitor to the sign-in page, that the pages
marked @login_not_required do not, and that the API keeps its own 401."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api import api

# Reachable signed out, each for a reason a reader can check.
PUBLIC_PAGES = {
    "accounts/login/",
    "accounts/logout/",  # signing out twice must not ask to sign in first
    "complaints/new",  # the public complaint page (SPEC §6) and its helpers
    "complaints/new/filed",
    "complaints/new/villages",
    "complaints/new/units",
    "complaints/track",  # tracking by receipt code and PIN
    "complaints/track/status",
    "complaints/track/add",
    "complaints/track/reopen",
    "m/sw.js",  # the field app's service worker and manifest load before sign-in
    "m/manifest.webmanifest",
    "m/token",  # answers 401 JSON itself: the phone's script reads it
    "trainings/<str:pk>/sign-in/<str:token>/",  # the QR sign-in, for guests without an account too (SPEC §7)
    "public/<str:county>/",  # 双随机一公开: draws and results published to anyone (SPEC §14)
    "public/<str:county>/draws/<str:pk>/",  # one draw's own page: its seed, the whole pool and how to check it
    "public/<str:county>/draws/<str:pk>.json",  # a draw's seed, pool and picks, to recompute it
    "public/<str:county>/draws.json",  # the county's draws and published results, a page at a time
    "healthz",
    "i18n/setlang/",  # the language switch on the sign-in page
}
SAMPLE_ARGS = {"int": "2026", "str": "00000000-0000-4000-8000-000000000000", "path": "x", "slug": "x", "uuid": "x"}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _pages() -> list[str]:
    return sorted(
        {route for route, _p in _routes(get_resolver().url_patterns) if not route.startswith(("admin/", "api/"))}
    )


def _sample_url(route: str) -> str:
    def arg(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_ARGS["uuid" if converter == "uuid" else converter]

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", arg, route)


def test_the_public_list_names_only_routes_that_exist():
    assert PUBLIC_PAGES <= set(_pages())


@pytest.mark.parametrize("route", [r for r in _pages() if r not in PUBLIC_PAGES])
def test_signed_out_visitor_of_a_page_is_sent_to_sign_in(db, route):
    url = _sample_url(route)
    response = Client().get(url)
    assert response.status_code == 302, route
    assert response.url == f"{reverse('accounts:login')}?next={url}", route


@pytest.mark.parametrize("route", sorted(PUBLIC_PAGES))
def test_signed_out_visitor_of_a_public_page_is_not_sent_to_sign_in(db, route):
    response = Client().get(_sample_url(route))
    assert not (response.status_code == 302 and response.url.startswith(reverse("accounts:login"))), route


def _api_operations() -> list[tuple[str, str, bool]]:
    """(method, path, needs sign-in) of every operation in the OpenAPI document."""
    operations = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            url = re.sub(r"\{\w+\}", SAMPLE_ARGS["str"], path)
            operations.append((method.upper(), url, bool(operation.get("security"))))
    return operations


@pytest.mark.parametrize(("method", "url", "needs_sign_in"), _api_operations())
def test_api_answers_signed_out_calls_with_its_own_401_never_a_redirect(db, method, url, needs_sign_in):
    response = Client().generic(method, url)
    assert response.status_code != 302, url
    if needs_sign_in:
        assert response.status_code == 401, (method, url)
        assert response["Content-Type"].startswith("application/json")


def test_api_documents_and_the_admin_keep_their_own_sign_in(db):
    client = Client()
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert client.get("/admin/login/").status_code == 200


def test_an_unknown_address_is_not_found_signed_out_too(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in response.content.decode()
