"""What ``manage.py load_test`` does after the load (issue 19 item 5): read
every write the load made back from the database (no lost write), read
Locust's figures, and write them into docs/bench.md."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xieguan.inspections.models import Inspection, InspectionStatus, Photo, SignerRole

SECTION_START = "<!-- load-test:start (written by manage.py load_test) -->"
SECTION_END = "<!-- load-test:end -->"


@dataclass
class WriteCheck:
    """Writes the load was told succeeded, and those found again."""

    made: int = 0
    confirmed: int = 0
    missing: list[str] = field(default_factory=list)

    def expect(self, found: bool, what: str) -> None:
        self.made += 1
        if found:
            self.confirmed += 1
        else:
            self.missing.append(what)


def _on_disk(root: Path) -> Callable[[str], bool]:
    return lambda name: (root / name).is_file()


def confirm_writes(ledger: dict[str, dict[str, Any]], stored: Path | Callable[[str], bool]) -> WriteCheck:
    """Each write of the ledger (inspection id → what was answered 2xx:
    the record itself, its answers, photo ids, signatures, the submit) read
    back: the record with its client's UUID, every answer set, each photo
    on the record with its file stored, as many signatures, submitted.
    ``stored`` is the local media folder, or (the cluster's object store)
    a function telling whether a stored name is there."""
    exists = _on_disk(stored) if isinstance(stored, Path) else stored
    check = WriteCheck()
    records = {
        str(i.pk): i
        for i in Inspection.objects.filter(pk__in=list(ledger)).prefetch_related("answers", "photos", "signatures")
    }
    for pk, wrote in ledger.items():
        found = records.get(pk)
        check.expect(found is not None and str(found.pk) == wrote.get("client_id", pk), f"inspection {pk}")
        answers = [a for a in found.answers.all()] if found else []
        if wrote.get("answers"):
            answered = len(answers) == wrote["answers"] and all(a.result for a in answers)
            check.expect(answered, f"answers of {pk}")
        photos: dict[str, Photo] = {str(p.pk): p for p in found.photos.all()} if found else {}
        for photo_id in wrote.get("photo_ids", []):
            photo = photos.get(photo_id)
            check.expect(photo is not None and exists(photo.image.name or ""), f"photo {photo_id}")
        signatures = list(found.signatures.all()) if found else []
        for n in range(wrote.get("signatures", 0)):
            check.expect(n < len(signatures), f"signature {n + 1} of {pk}")
        if wrote.get("submitted"):
            complete = bool(found and found.status == InspectionStatus.SUBMITTED)
            complete = complete and any(s.role == SignerRole.REPRESENTATIVE for s in signatures)
            check.expect(complete, f"submit of {pk}")
    return check


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def read_stats(path: Path) -> list[Row]:
    """Locust's ``--csv`` per-request table (``*_stats.csv``), the
    Aggregated row last."""
    rows = []
    with path.open(encoding="utf-8") as source:
        for line in csv.DictReader(source):
            rows.append(
                Row(
                    name=line["Name"],
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    rps=float(line["Requests/s"]),
                    p50=float(line["50%"] if line["50%"] != "N/A" else 0),
                    p95=float(line["95%"] if line["95%"] != "N/A" else 0),
                    p99=float(line["99%"] if line["99%"] != "N/A" else 0),
                )
            )
    return rows


@dataclass
class Run:
    """One load run, as the section of docs/bench.md tells it."""

    rows: list[Row]
    writes: WriteCheck
    users: int
    target_rps: float
    duration: str
    workers: int
    cpus: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    load_peak: float
    when: str
    inspections: int
    submitted: int
    errors: list[str] = field(default_factory=list)
    servers: int = 1

    @property
    def total(self) -> Row:
        return self.rows[-1]

    def verdicts(self) -> dict[str, bool]:
        return {
            "errors": self.total.failures == 0,
            "p95": self.total.p95 <= 500,
            "writes": self.writes.confirmed == self.writes.made and self.writes.made > 0,
        }


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def render_section(run: Run) -> str:
    yes = {True: "yes", False: "**no**"}
    ok = run.verdicts()
    load = ", ".join(f"{x:.1f}" for x in run.load_before)
    after = ", ".join(f"{x:.1f}" for x in run.load_after)
    lines = [
        SECTION_START,
        "## Under load: the production shape (issue 19 item 5)",
        "",
        f"Measured {run.when} by `make load` (`manage.py load_test`) on the cluster of `make cluster`: "
        f"{run.servers} gunicorn server{'s' if run.servers > 1 else ''} with {run.workers} workers each, "
        "one PostgreSQL, Redis as the cache, the photos in one SeaweedFS object store, the task worker "
        "(`db_worker`), DEBUG off, on the generated province of 300,000 units above. Locust (headless) "
        "spreads its people over the servers and drives "
        f"{run.users} people — co-managers of 12 townships in two counties (two per township, so that "
        "each record has its two inspectors), county supervisors, county leaders, two city and two "
        "province users — each signing in on the page and taking a token as the field app does, then "
        f"one request a turn, paced by `constant_throughput` to {run.target_rps:g} requests/s in all, "
        f"for {run.duration}. Co-managers browse and file inspections through the API with their own "
        "UUIDs (create, answers, two 1280 px JPEG photos, three signatures, submit); the county reads "
        "its month overview, the city and province theirs.",
        "",
        "| request | requests | failures | rps | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in run.rows:
        name = "**all requests**" if row.name == "Aggregated" else row.name
        lines.append(
            f"| {name} | {row.requests:,} | {row.failures} | {row.rps:.1f} | "
            f"{_ms(row.p50)} | {_ms(row.p95)} | {_ms(row.p99)} |"
        )
    lines += [
        "",
        "| criterion | measured | met? |",
        "|---|---|---|",
        f"| 0 errors | {run.total.failures} failed of {run.total.requests:,} | {yes[ok['errors']]} |",
        f"| p95 ≤ 500 ms (all requests) | {_ms(run.total.p95)} | {yes[ok['p95']]} |",
        f"| no lost write (read back from the database after the run) | {run.writes.confirmed:,}/"
        f"{run.writes.made:,} writes confirmed | {yes[ok['writes']]} |",
        "",
        f"- Achieved {run.total.rps:.1f} requests/s of the {run.target_rps:g} asked; "
        f"{run.inspections} inspections started, {run.submitted} submitted with their photos "
        "(a record still in progress when the run stopped stays a draft, and its writes are checked too).",
        f"- Machine: {run.cpus} CPUs; load average (1, 5, 15 min) before {load}, after {after}, "
        f"highest 1-min value during the run {run.load_peak:.1f}. The machine is shared: a load above "
        "the CPU count means other work ran beside the server, Locust and the database, and the "
        "times are slower than a server of its own would give.",
    ]
    if run.writes.missing:
        lines.append(f"- Not found again: {', '.join(run.writes.missing[:20])}")
    for error in run.errors[:10]:
        lines.append(f"- Failure: {error}")
    lines += ["", SECTION_END]
    return "\n".join(lines) + "\n"


def replace_section(document: str, section: str) -> str:
    """``document`` with its load section replaced by ``section`` (added at
    the end when it has none)."""
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _m: section, document, count=1)
    return document.rstrip("\n") + "\n\n" + section
