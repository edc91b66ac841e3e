"""manage.py load_test: the production shape under a realistic load (issue
19 item 5). Starts Redis (unless one answers already), gunicorn with three
workers and the task worker on this database (the generated province,
``make_province``), drives it with Locust (bench/locustfile.py), stops all
it started, reads every write back, and writes the figures into
docs/bench.md. Logs and the run's uploads go to var/load-<time>/."""

from __future__ import annotations

import csv
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xieguan.demo.load_check import Run, confirm_writes, read_stats, render_section, replace_section
from xieguan.demo.load_users import LOAD_PASSWORD, ensure_load_users
from xieguan.demo.province import province_exists

BASE = Path(settings.BASE_DIR)


class Processes:
    """Children started in their own process groups, all stopped at the end."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            child = subprocess.Popen(  # noqa: S603 - our own commands, no client value
                args, cwd=BASE, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started.append((name, child))
        return child

    def stop_all(self) -> list[str]:
        """SIGTERM to each group, newest first; SIGKILL after 30 s. Returns
        what had to be killed."""
        killed = []
        for name, child in reversed(self.started):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
                    killed.append(name)
        self.started.clear()
        return killed


def _wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise CommandError(f"{what} did not start within {seconds:.0f} s")


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


class Command(BaseCommand):
    help = "Run the load test against gunicorn, PostgreSQL, Redis and the worker; write docs/bench.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=40)
        parser.add_argument("--rps", type=float, default=50.0, help="requests per second, all users together")
        parser.add_argument("--duration", default="3m", help="Locust's --run-time: 3m, 90s")
        parser.add_argument("--spawn-rate", type=float, default=10.0)
        parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8106")))
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/1"))
        parser.add_argument("--docs", default=str(BASE / "docs" / "bench.md"), help="'' to write no document")

    def handle(self, *args: Any, **o: Any) -> None:
        if not province_exists():
            raise CommandError("no generated province here: run manage.py make_province --units 300000 first")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        run_dir = BASE / "var" / f"load-{stamp}"
        media = run_dir / "media"
        media.mkdir(parents=True)
        logins = ensure_load_users()
        users_file = run_dir / "users.json"
        users_file.write_text(json.dumps([x.as_dict() for x in logins], ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"{len(logins)} people; logs in {run_dir.relative_to(BASE)}")

        env = {
            **os.environ,
            "DEBUG": "0",
            "STATIC_FROM_APPS": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": o["redis_url"],
            "MEDIA_ROOT": str(media),
            "DB_CONN_MAX_AGE": "60",
            "PYTHONUNBUFFERED": "1",
        }
        url = f"http://127.0.0.1:{o['port']}"
        processes = Processes()
        samples: list[float] = []
        stop_sampling = threading.Event()
        try:
            if not _redis_answers(o["redis_url"]):
                redis_server = shutil.which("redis-server")
                if redis_server is None:
                    raise CommandError("Redis does not answer at --redis-url and redis-server is not installed")
                port = o["redis_url"].rsplit(":", 1)[1].split("/")[0]
                processes.start(
                    "redis",
                    [redis_server, "--port", port, "--bind", "127.0.0.1", "--save", "", "--dir", str(run_dir)],
                    run_dir / "redis.log",
                    env,
                )
                _wait_until(lambda: _redis_answers(o["redis_url"]), 20, "Redis")
            bin_dir = Path(sys.executable).parent
            processes.start(
                "gunicorn",
                [
                    str(bin_dir / "gunicorn"),
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{o['port']}",
                    "--workers",
                    str(o["workers"]),
                    "--timeout",
                    "60",
                    "--access-logfile",
                    str(run_dir / "access.log"),
                ],
                run_dir / "gunicorn.log",
                env,
            )
            processes.start(
                "worker",
                [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"],
                run_dir / "worker.log",
                env,
            )
            _wait_until(
                lambda: urllib.request.urlopen(f"{url}/healthz", timeout=5).status == 200,  # noqa: S310
                90,
                "gunicorn",
            )
            time.sleep(3)  # let the workers finish loading (the PDF warm-up) before the clock starts

            def sample() -> None:
                while not stop_sampling.wait(5):
                    samples.append(os.getloadavg()[0])

            load_before = os.getloadavg()
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            self.stdout.write(f"Locust: {o['users']} users, {o['rps']:g} requests/s, {o['duration']} against {url}")
            locust = processes.start(
                "locust",
                [
                    str(bin_dir / "locust"),
                    "-f",
                    str(BASE / "bench" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(o["users"]),
                    "-r",
                    str(o["spawn_rate"]),
                    "-t",
                    o["duration"],
                    "--host",
                    url,
                    "--csv",
                    str(run_dir / "locust"),
                    "--only-summary",
                    "--stop-timeout",
                    "20",
                    "--exit-code-on-error",
                    "0",
                ],
                run_dir / "locust.log",
                {
                    **env,
                    "LOAD_USERS": str(users_file),
                    "LOAD_PASSWORD": LOAD_PASSWORD,
                    "LOAD_LEDGER": str(run_dir / "ledger.json"),
                    "LOAD_USER_COUNT": str(o["users"]),
                    "LOAD_RPS": str(o["rps"]),
                },
            )
            if locust.wait() != 0:
                raise CommandError(f"Locust failed; see {run_dir / 'locust.log'}")
            stop_sampling.set()
            load_after = os.getloadavg()
        finally:
            stop_sampling.set()
            killed = processes.stop_all()
            if killed:
                self.stderr.write(f"had to kill: {', '.join(killed)}")

        ledger = json.loads((run_dir / "ledger.json").read_text(encoding="utf-8"))
        writes = confirm_writes(ledger, media)
        errors = []
        failures = run_dir / "locust_failures.csv"
        if failures.exists():
            with failures.open(encoding="utf-8") as source:
                errors = [
                    f"{r['Method']} {r['Name']}: {r['Error']} × {r['Occurrences']}" for r in csv.DictReader(source)
                ]
        run = Run(
            rows=read_stats(run_dir / "locust_stats.csv"),
            writes=writes,
            users=o["users"],
            target_rps=o["rps"],
            duration=o["duration"],
            workers=o["workers"],
            cpus=os.cpu_count() or 0,
            load_before=load_before,
            load_after=load_after,
            load_peak=max(samples or [load_after[0]]),
            when=datetime.date.today().isoformat(),
            inspections=len(ledger),
            submitted=sum(1 for w in ledger.values() if w.get("submitted")),
            errors=errors,
        )
        section = render_section(run)
        shutil.rmtree(media)  # the photos were read back; keep only the logs
        self.stdout.write(section)
        if o["docs"]:
            docs = Path(o["docs"])
            docs.write_text(replace_section(docs.read_text(encoding="utf-8"), section), encoding="utf-8")
            self.stdout.write(f"written into {docs}")
        missed = [name for name, met in run.verdicts().items() if not met]
        if missed:
            raise CommandError(f"the load test missed: {', '.join(missed)}")
