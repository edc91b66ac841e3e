"""Every page's actions are API operations too (issue 19 item 2), so the two
cannot drift apart again: every named page route (Django's resolver, without
the API itself, the Django admin and static files) is mapped in
tests/parity_map.py to operations that exist in /api/openapi.json with that
method and path, or to a reason starting "no action:".

A new page without its mapping fails test_page_is_mapped with its name; an
operation that leaves the document fails test_mapped_operations_exist; a
mapping whose page is gone fails test_no_mapping_for_a_page_that_is_gone.
While tests/parity_map_part1.py is the empty placeholder, the pages of its
apps are expected to fail (xfail, strict): once it holds a map, every page of
every app must be mapped."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from tests.parity_map import PARITY, PARITY_PART1, PART1_APPS, Mapping
from tests.test_route_scope import _walk

NO_ACTION = "no action:"
SKIPPED_NAMESPACES = ("api", "admin")


def page_names() -> list[str]:
    """Every named page route, without the API, the admin and static files."""
    names = set()
    for page in _walk(get_resolver().url_patterns):
        if page.name.split(":")[0] in SKIPPED_NAMESPACES or page.route.startswith(("static/", "media/")):
            continue
        if page.name.endswith(":None") or page.name == "None":
            continue
        names.add(page.name)
    return sorted(names)


def unmapped(pages: list[str], parity: dict[str, Mapping]) -> list[str]:
    """The pages with no mapping, or with a mapping that is neither operations
    nor a "no action:" reason."""
    bad = []
    for name in pages:
        mapping = parity.get(name)
        if isinstance(mapping, str):
            if not mapping.startswith(NO_ACTION) or len(mapping) <= len(NO_ACTION) + 3:
                bad.append(name)
        elif not mapping:
            bad.append(name)
    return bad


_DOC: dict[str, Any] = {}


def openapi() -> dict[str, Any]:
    if not _DOC:
        response = Client().get("/api/openapi.json")
        assert response.status_code == 200
        _DOC.update(response.json())
    return _DOC


def missing_operations(parity: dict[str, Mapping], doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(page, operation) for every mapped operation the document lacks."""
    missing = []
    for name, mapping in parity.items():
        if isinstance(mapping, str):
            continue
        for operation in mapping:
            method, _space, path = operation.partition(" ")
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append((name, operation))
    return missing


PAGES = page_names()


def _part1(name: str) -> bool:
    return name.split(":")[0] in PART1_APPS


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                _part1(name) and not PARITY_PART1,
                reason="tests/parity_map_part1.py is still the empty placeholder",
                strict=True,
            ),
        )
        for name in PAGES
    ],
)
def test_page_is_mapped(name: str) -> None:
    """The page's actions are API operations, or it offers none ("no action: why")."""
    assert not unmapped([name], PARITY), (
        f"{name}: map it in tests/parity_map.py to the API operations that do what it does, "
        f'or to a reason "no action: …"'
    )


def test_mapped_operations_exist(db: Any) -> None:
    """Each mapped operation is in /api/openapi.json with that method and path."""
    assert not missing_operations(PARITY, openapi()), "mapped operations missing from the API document"


def test_no_mapping_for_a_page_that_is_gone() -> None:
    stale = sorted(set(PARITY) - set(PAGES))
    assert not stale, f"mapped in tests/parity_map.py but no longer a page: {stale}"


def test_parity_check_catches_a_new_page_and_a_lost_operation(db: Any) -> None:
    """The checks themselves fail as they should: a page with no mapping, a
    reason without "no action:", an operation not in the document."""
    assert unmapped(["units:list", "units:brand_new"], PARITY) == ["units:brand_new"]
    assert unmapped(["x:y"], {"x:y": "because"}) == ["x:y"]
    assert unmapped(["x:y"], {"x:y": []}) == ["x:y"]
    assert missing_operations({"x:y": ["GET /api/units", "DELETE /api/units"]}, openapi()) == [
        ("x:y", "DELETE /api/units")
    ]
    assert missing_operations({"x:y": ["GET /api/no-such-thing"]}, openapi()) == [("x:y", "GET /api/no-such-thing")]


def test_every_app_with_pages_is_in_one_of_the_two_maps() -> None:
    """A new app's pages belong to one half of the map."""
    apps = {name.split(":")[0] for name in PAGES if ":" in name}
    known = set(PART1_APPS) | {name.split(":")[0] for name in PARITY if ":" in name}
    assert apps <= known, f"apps whose pages no map covers: {sorted(apps - known)}"
