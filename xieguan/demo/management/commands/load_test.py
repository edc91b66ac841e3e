"""manage.py load_test: the production shape under a realistic load (issue
19 item 5) on the cluster of ``make cluster`` (issue 26 item 5): one
gunicorn server with three workers (``--servers 2`` for two), one Redis, one SeaweedFS object
store and the task worker over this database (the generated province,
``make_province``). Locust (bench/locustfile.py) spreads its people over
the servers; at the end every write is read back (the photos from the
bucket), all it started is stopped, and the figures go into docs/bench.md.
Logs go to var/load-<time>/."""

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
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xieguan.core.cluster import Cluster, ClusterError
from xieguan.demo.load_check import Run, confirm_writes, read_stats, render_section, replace_section
from xieguan.demo.load_users import LOAD_PASSWORD, ensure_load_users
from xieguan.demo.province import province_exists
from xieguan.indicators.rollups import refresh_all
from xieguan.indicators.tasks import CURRENT_EVERY

BASE = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Run the load test against gunicorn, PostgreSQL, Redis and the worker; write docs/bench.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=40)
        parser.add_argument("--rps", type=float, default=50.0, help="requests per second, all users together")
        parser.add_argument("--duration", default="3m", help="Locust's --run-time: 3m, 90s")
        parser.add_argument("--spawn-rate", type=float, default=10.0)
        parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8106")))
        # One server of three workers, the production shape issue 19 names:
        # on the two cores here, a second server's three more workers ran
        # beside PostgreSQL and Locust and each request took a third more CPU
        # (51 against 38 ms a request, measured); --servers 2 is the cluster's.
        parser.add_argument("--servers", type=int, default=1, help="gunicorn servers, on --port and the ports after it")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per server")
        parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/1"))
        parser.add_argument("--docs", default=str(BASE / "docs" / "bench.md"), help="'' to write no document")

    def handle(self, *args: Any, **o: Any) -> None:
        if not province_exists():
            raise CommandError("no generated province here: run manage.py make_province --units 300000 first")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        run_dir = BASE / "var" / f"load-{stamp}"
        run_dir.mkdir(parents=True)
        logins = ensure_load_users()
        users_file = run_dir / "users.json"
        users_file.write_text(json.dumps([x.as_dict() for x in logins], ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"{len(logins)} people; logs in {run_dir.relative_to(BASE)}")
        # The indicators' rollup as the worker keeps it (every five minutes in
        # production): the county's month overview reads it. Counted here,
        # before the clock starts, and timed.
        started = time.perf_counter()
        kept = refresh_all(current=True, every=CURRENT_EVERY)
        self.stdout.write(f"rollup: {kept} rows in {time.perf_counter() - started:.0f} s")

        cluster = Cluster(
            run_dir,
            database_url=os.environ.get("DATABASE_URL", ""),
            ports=tuple(o["port"] + n for n in range(o["servers"])),
            redis_url=o["redis_url"],
            workers=o["workers"],
            extra_env={"DB_CONN_MAX_AGE": "60"},
            worker=True,
        )
        samples: list[float] = []
        stop_sampling = threading.Event()

        def terminated(*_args: Any) -> None:
            raise SystemExit(143)  # through the finally below: the cluster stops with the run

        signal.signal(signal.SIGTERM, terminated)
        try:
            try:
                cluster.start()
            except ClusterError as exc:
                raise CommandError(str(exc)) from exc
            time.sleep(3)  # let the workers finish loading (the PDF warm-up) before the clock starts

            def sample() -> None:
                while not stop_sampling.wait(5):
                    samples.append(os.getloadavg()[0])

            load_before = os.getloadavg()
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            hosts = cluster.urls
            self.stdout.write(
                f"Locust: {o['users']} users, {o['rps']:g} requests/s, {o['duration']} against {', '.join(hosts)}"
            )
            bin_dir = Path(sys.executable).parent
            with (run_dir / "locust.log").open("ab") as out:
                locust = subprocess.run(  # noqa: S603 - our own command, no client value
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
                        hosts[0],
                        "--csv",
                        str(run_dir / "locust"),
                        "--only-summary",
                        "--stop-timeout",
                        "20",
                        "--exit-code-on-error",
                        "0",
                    ],
                    cwd=BASE,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env={
                        **cluster.env(),
                        "LOAD_HOSTS": ",".join(hosts),
                        "LOAD_USERS": str(users_file),
                        "LOAD_PASSWORD": LOAD_PASSWORD,
                        "LOAD_LEDGER": str(run_dir / "ledger.json"),
                        "LOAD_USER_COUNT": str(o["users"]),
                        "LOAD_RPS": str(o["rps"]),
                    },
                    check=False,
                )
            if locust.returncode != 0:
                raise CommandError(f"Locust failed; see {run_dir / 'locust.log'}")
            stop_sampling.set()
            load_after = os.getloadavg()
            # Every write read back while the store still runs: the photos
            # from the bucket the servers wrote them to.
            assert cluster.store is not None
            bucket, s3 = cluster.store.bucket, cluster.store.client()

            def in_bucket(name: str) -> bool:
                return bool(s3.list_objects_v2(Bucket=bucket, Prefix=name, MaxKeys=1).get("KeyCount"))

            ledger = json.loads((run_dir / "ledger.json").read_text(encoding="utf-8"))
            writes = confirm_writes(ledger, in_bucket)
        finally:
            stop_sampling.set()
            cluster.stop()
            shutil.rmtree(run_dir / "seaweedfs", ignore_errors=True)  # the photos were read back; keep the logs

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
            servers=o["servers"],
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
        self.stdout.write(section)
        if o["docs"]:
            docs = Path(o["docs"])
            docs.write_text(replace_section(docs.read_text(encoding="utf-8"), section), encoding="utf-8")
            self.stdout.write(f"written into {docs}")
        missed = [name for name, met in run.verdicts().items() if not met]
        if missed:
            raise CommandError(f"the load test missed: {', '.join(missed)}")
