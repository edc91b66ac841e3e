"""Fixtures every test uses: the demo county as the area tree, and the users
every scoped page is tested with (STYLE.md): ``inside_or_above`` (one inside
the first township, its responsible supervisor, the county) here, and the
sibling township and the read-only prefecture in the route sweep
(tests/test_route_scope.py), which walks every route."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xieguan.demo.county import DEMO_PASSWORD, DemoCounty, load_county

# The real object store for the storage tests (issue 26): seaweedfs, s3_storage.
pytest_plugins = ["xieguan.core.tests.s3_fixtures"]


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # A fast hasher in tests only; production keeps Django's PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every use of an API token written, so that the query counts asserted
    # on API lists do not depend on how fast the test ran; the throttle has
    # its own test (accounts/tests/test_api.py).
    settings.API_TOKEN_TOUCH_SECONDS = 0
    # Likewise a session's idle expiry written on every request, as before
    # it was written at most once a minute (core/tests/test_security.py
    # tests that throttle).
    settings.SESSION_REFRESH_SECONDS = 0
    # No statement of a test runs for minutes: one that does is a bad plan
    # (it happened: 5 minutes on the demo), and on PostgreSQL it would hold
    # its locks past the test that started it and stall the tests after it.
    # It fails here, with the statement named, after 2 minutes.
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        limits = "-c statement_timeout=120s -c lock_timeout=120s"
        options["options"] = f"{options.get('options', '')} {limits}".strip()


@pytest.fixture
def demo(db: Any) -> DemoCounty:
    """The demo county: 10 townships, 16 villages, the fixed demo logins."""
    return load_county()


@pytest.fixture(scope="module")
def whole_demo_once(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The whole demo county with a year of records (xieguan.demo.whole),
    loaded once for the module that asks (it takes a minute on a busy
    machine) and rolled back after its last test (core.testing.kept_for_module)."""
    from xieguan.core.testing import kept_for_module
    from xieguan.demo.seeds import restore_seeded_rows
    from xieguan.demo.whole import load_whole_demo

    def build() -> DemoCounty:
        restore_seeded_rows()  # an earlier transactional test may have flushed what the migrations seed
        return load_whole_demo()

    yield from kept_for_module(django_db_blocker, build)


@pytest.fixture
def whole_demo(whole_demo_once: DemoCounty, db: Any) -> DemoCounty:
    """The whole demo county (whole_demo_once), for one test."""
    return whole_demo_once


@pytest.fixture
def township(demo: DemoCounty):
    return demo.townships[0]


@pytest.fixture
def sibling_township(demo: DemoCounty):
    return demo.townships[1]


@pytest.fixture
def comanager_in(demo: DemoCounty):
    """cg1: co-manager of the first township."""
    return demo.users["cg1"]


@pytest.fixture
def supervisor_of(demo: DemoCounty):
    """inst: county supervisor, responsible for the first township."""
    return demo.users["inst"]


@pytest.fixture
def county_admin(demo: DemoCounty):
    """bureau: county leader, manages the county's areas, institutions, people."""
    return demo.users["bureau"]


@pytest.fixture
def outsider(demo: DemoCounty):
    """dh1: co-manager of the sibling township."""
    return demo.users["dh1"]


@pytest.fixture(params=["cg1", "inst", "bureau"])
def inside_or_above(request: Any, demo: DemoCounty):
    """Each user who reads and keeps the first township's records: cg1 inside
    it, inst its responsible supervisor, bureau the county. The users beside
    (dh1) and above read-only (city) are the route sweep's, for every route."""
    return demo.users[request.param]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login() -> Any:
    """login(user) → a test client signed in as that user."""
    return client_for


@pytest.fixture
def api_token() -> Any:
    """api_token(user) → a bearer token header for the API."""
    from xieguan.accounts.services import token_issue

    def make(user: Any) -> dict[str, str]:
        _token, key = token_issue(user=user)
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def stamped(monkeypatch: Any) -> list[list[str]]:
    """The lines each photo was stamped with, read where they are composed
    (``core.photos.stamp_text``), for the stamp tests of every app."""
    from xieguan.core import photos

    seen: list[list[str]] = []
    compose = photos.stamp_text

    def spy(when: Any, extra: Any = ()) -> list[str]:
        lines = compose(when, extra)
        seen.append(lines)
        return lines

    monkeypatch.setattr(photos, "stamp_text", spy)
    return seen
