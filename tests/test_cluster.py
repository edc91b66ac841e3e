"""Two app servers that share nothing but PostgreSQL, Redis and the object
store (issue 26 item 5), as ``make cluster`` runs them: gunicorn on two
ports over this test's database, Redis, and the SeaweedFS of the storage
tests. What one server did, the other sees: a photo uploaded through one is
served by the other; a CAPTCHA answered on one is refused when replayed on
the other; the complaint limit counts the sends to both. And in Chromium, a
photo taken on /m/ through one server shows on the other's inspection page.

PostgreSQL only: the servers are other processes, and the SQLite test
database lives in this process's memory."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
import requests
from django.conf import settings
from PIL import Image

pytestmark = [pytest.mark.cluster, pytest.mark.s3, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (320, 240), hashlib.sha256(b"cluster").digest() * 7200).save(out, format="JPEG")
    return out.getvalue()


def _session(user: Any) -> requests.Session:
    """A browser session of ``user``, made in the shared database (so
    either server knows it)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def test_two_servers_share_files_captchas_and_limits(cluster, demo, comanager_in, township, api_token):
    from xieguan.complaints import guard
    from xieguan.inspections.models import Photo
    from xieguan.inspections.tests.factories import draft, plain_unit

    one, other = cluster.urls
    record = draft(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    token = api_token(comanager_in)["HTTP_AUTHORIZATION"]

    # A photo uploaded through one server ...
    data = _jpeg()
    sent = requests.post(
        f"{one}/api/inspections/{record.pk}/photos",
        files={"image": ("p.jpg", data, "image/jpeg")},
        headers={"Authorization": token},
        timeout=30,
    )
    assert sent.status_code == 201, sent.text
    photo = Photo.objects.get(pk=sent.json()["id"])
    # ... is served by the other, after its own scope check, as a JPEG, never sniffed.
    served = _session(comanager_in).get(f"{other}/inspections/photos/{photo.pk}/", timeout=30)
    assert served.status_code == 200, served.text[:300]
    assert served.headers["Content-Type"] == "image/jpeg" and served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.content[:2] == b"\xff\xd8" and len(served.content) == photo.image.size
    denied = _session(demo.users["dh1"]).get(f"{other}/inspections/photos/{photo.pk}/", timeout=30)
    assert denied.status_code == 404
    # And through the API of the other, the photo is in the record.
    detail = requests.get(f"{other}/api/inspections/{record.pk}", headers={"Authorization": token}, timeout=30)
    assert str(photo.pk) in detail.text

    # A CAPTCHA answered on one is refused when replayed on the other.
    settings.COMPLAINTS_CAPTCHA_FIXED = "K7M3P"
    captcha = guard.captcha_new()  # signed with the servers' key; its answer known here
    form = {
        "captcha_token": captcha.token,
        "captcha_answer": "K7M3P",
        "township_id": str(township.pk),
        "category": "public_place",
        "content": "浴室毛巾没有消毒，地面积水，气味很大",
        "is_anonymous": "true",
    }
    first = requests.post(f"{one}/api/public/complaints", data=form, timeout=30)
    assert first.status_code == 201, first.text
    replayed = requests.post(f"{other}/api/public/complaints", data=form, timeout=30)
    assert replayed.status_code == 422 and "captcha" in replayed.text, replayed.text
    # The limit counts the sends to both: 2 above, 2 more alternating, then
    # either server refuses with 429.
    for url in (one, other):
        assert requests.post(f"{url}/api/public/complaints", data=form, timeout=30).status_code == 422
    for url in (one, other):
        refused = requests.post(f"{url}/api/public/complaints", data=form, timeout=30)
        assert refused.status_code == 429 and re.search("[\u4e00-\u9fff]", refused.json()["detail"])
