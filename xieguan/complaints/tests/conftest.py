"""Fixtures for the complaint tests: a clean cache (the per-address limits
live there), a known CAPTCHA answer, and complaints made through the
services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from xieguan.complaints import services
from xieguan.complaints.guard import captcha_new

ANSWER = "K7M4P"


@pytest.fixture(autouse=True)
def _clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fixed_captcha(settings: Any) -> str:
    settings.COMPLAINTS_CAPTCHA_FIXED = ANSWER
    return ANSWER


def file_public(township: Any, *, ip: str = "10.0.0.1", **extra: Any) -> services.Filed:
    """A public complaint with a solved CAPTCHA (the fixed answer)."""
    from django.test import override_settings

    with override_settings(COMPLAINTS_CAPTCHA_FIXED=ANSWER):
        token = captcha_new().token
    data: dict[str, Any] = {
        "township": township,
        "category": "food",
        "content": "饭店后厨有老鼠，餐具不消毒",
        "is_anonymous": True,
    }
    data.update(extra)
    return services.complaint_file_public(ip=ip, captcha_token=token, captcha_answer=ANSWER, **data)


@pytest.fixture
def named_complaint(demo: Any) -> Any:
    """A complaint in 城关镇 with the complainant's name and phone, not yet accepted."""
    return file_public(
        demo.townships[0], is_anonymous=False, name="张三丰", phone="13912345678", address="城关镇人民路 5 号"
    )
