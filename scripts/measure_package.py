"""Peak memory of building a year archive package (issue 26 item 3) into
the object store, for packages of growing size.

Starts SeaweedFS on loopback and a throw-away SQLite database with the demo
county, then for each size: keeps that many MiB of documents (10 MiB files
of incompressible bytes, as scans and photos are nearly) with 城关镇's units, and
builds 城关镇's package of this year with ``archives.package.build`` — the
worker's own code — in a fresh process, so that each figure is that
process's own peak resident size (``ru_maxrss``: Python, Django, the PDF
font and the app included; no tracemalloc, whose own bookkeeping would
count). Memory that stays flat from 50 to 500 MiB of files, and from a
township's 1,500 entries to the county's 10,000, is the claim.

    .venv/bin/python scripts/measure_package.py [SIZE_MB ...]   (default 50 500)
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
FILE_MIB = 10
MIB = 1024 * 1024


def _setup() -> None:
    import django

    django.setup()


def _area_and_user(username: str = "cg1") -> tuple:
    from xieguan.accounts.models import User

    user = User.objects.get(username=username)
    return user.institution.area, user


def keep(total_mib: int) -> None:
    """Bring the documents kept with the township's units up to ``total_mib``."""
    _setup()
    import hashlib

    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Sum

    from xieguan.archives.models import Document, DocumentVersion
    from xieguan.core.storage import save_stream
    from xieguan.units.models import Unit

    township, cg1 = _area_and_user()
    have = (
        (DocumentVersion.objects.filter(document__area__path__startswith=township.path).aggregate(s=Sum("size"))["s"])
        or 0
    )
    units = list(Unit.objects.filter(area__path__startswith=township.path).order_by("pk")[:50])
    kind = ContentType.objects.get_for_model(Unit)
    n = 0
    while have < total_mib * MIB:
        unit = units[n % len(units)]
        seed = hashlib.sha256(f"{unit.pk}-{have}".encode()).digest()

        def pieces(seed: bytes = seed):
            made = random.Random(seed)  # noqa: S311 - incompressible filler, not a secret
            for _ in range(FILE_MIB):
                yield made.randbytes(MIB)

        doc = Document.objects.create(
            owner_type=kind, owner_id=unit.pk, area=unit.area, title=f"扫描件{n:03d}", created_by=cg1
        )
        stored = save_stream(f"documents/measure/{doc.pk}.pdf", pieces(), content_type="application/pdf")
        version = DocumentVersion.objects.create(
            document=doc,
            number=1,
            original_name=f"扫描件{n:03d}.pdf",
            kind="pdf",
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by=cg1,
            file=stored.name,
        )
        Document.objects.filter(pk=doc.pk).update(current=version)
        have += stored.size
        n += 1
    print(json.dumps({"kept_mib": round(have / MIB), "added": n}))


def measure(username: str) -> None:
    """Build the package of the user's area in this (fresh) process and print the figures."""
    _setup()
    from xieguan.archives import services
    from xieguan.archives.package import build
    from xieguan.core.documents import pdf_warm_up

    area, user = _area_and_user(username)
    year = time.localtime().tm_year  # the demo's units are registered this year
    pdf_warm_up()  # the font every web and worker process loads once
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    package = build(services.package_start(actor=user, area=area, year=year))
    seconds = time.monotonic() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert package.status == "done", package.error
    print(
        json.dumps(
            {
                "package_mib": round(package.size / MIB, 1),
                "entries": package.total,
                "seconds": round(seconds, 1),
                "rss_before_mib": round(rss_before / 1024),
                "rss_peak_mib": round(rss_after / 1024),
            }
        )
    )


def main() -> None:
    sizes = [int(s) for s in sys.argv[1:]] or [50, 500]
    with tempfile.TemporaryDirectory() as folder:
        from xieguan.core.seaweedfs import start_seaweedfs

        store = start_seaweedfs(Path(folder) / "weed")
        try:
            env = {
                **os.environ,
                **store.env(),
                "DATABASE_URL": f"sqlite:///{folder}/measure.sqlite3",
                "XIEGUAN_VAR_DIR": f"{folder}/var",
                "DEBUG": "0",
            }

            def run(*args: str) -> str:
                done = subprocess.run(  # noqa: S603 - this script and manage.py, our own arguments
                    [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True
                )
                if done.returncode:
                    sys.exit(done.stdout + done.stderr)
                return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

            run("manage.py", "migrate", "--noinput", "-v0")
            run("manage.py", "load_demo", "--if-empty")
            print("| package of | documents kept | package | entries | build time | process peak RSS |")
            print("|---|---|---|---|---|---|")
            for size in sizes:
                run(__file__, "--keep", str(size))
                figures = json.loads(run(__file__, "--measure", "cg1"))
                print(
                    f"| 城关镇 (cg1) | {size} MiB | {figures['package_mib']} MiB | {figures['entries']} | {figures['seconds']} s | "
                    f"{figures['rss_peak_mib']} MiB (before building: {figures['rss_before_mib']} MiB) |",
                    flush=True,
                )
            figures = json.loads(run(__file__, "--measure", "bureau"))  # the county: ten townships' entries
            print(
                f"| the county (bureau) | {sizes[-1]} MiB | {figures['package_mib']} MiB | {figures['entries']} | "
                f"{figures['seconds']} s | {figures['rss_peak_mib']} MiB (before building: {figures['rss_before_mib']} MiB) |",
                flush=True,
            )
            print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        finally:
            store.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--keep"]:
        keep(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
    else:
        main()
