"""With REDIS_URL (production, several workers) the complaint page's limits
and one-use CAPTCHAs are counted once for all workers (docs/deploy.md).

Two RedisCache instances have separate connection pools, as two gunicorn
workers do; each "worker" runs the guard with its own client."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from xieguan.complaints import guard
from xieguan.core import limits

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def workers():
    prefix = f"xieguan-test-{uuid.uuid4().hex}"
    first, second = (RedisCache(REDIS_URL, {"KEY_PREFIX": prefix}) for _n in range(2))
    try:
        first.get("ping")
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is required on CI: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield first, second
    first.delete_many(list(first._cache.get_client().scan_iter(f"{prefix}:*")))


def test_a_limit_reached_through_one_worker_holds_in_the_other(workers, monkeypatch):
    first, second = workers
    monkeypatch.setattr(limits, "cache", first)
    assert [limits.limit_hit("submit", "203.0.113.7", seconds=60) for _n in range(3)] == [1, 2, 3]
    monkeypatch.setattr(limits, "cache", second)
    assert limits.limit_reached("submit", "203.0.113.7", limit=3)
    assert not limits.limit_reached("submit", "203.0.113.8", limit=3)
    assert limits.limit_hit("submit", "203.0.113.7", seconds=60) == 4


def test_a_captcha_is_spent_for_every_worker(workers, monkeypatch, settings):
    first, second = workers
    settings.COMPLAINTS_CAPTCHA_FIXED = "ABCD"
    token = guard.captcha_new().token
    monkeypatch.setattr(guard, "cache", first)
    assert guard.captcha_check(token, "ABCD")
    monkeypatch.setattr(guard, "cache", second)
    assert not guard.captcha_check(token, "ABCD")
