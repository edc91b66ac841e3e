"""The zip of an area's year (年度档案包): a numbered table of contents (PDF)
in the archive's order, then a folder per section holding its register
(PDF) and the original files kept with its records.

Built by the worker (tasks.py), file by file onto disk, so memory holds one
file's chunk at a time whatever the year's size; progress is saved on the
package as it goes. The same data gives the same bytes: entries in a fixed
order with fixed times and modes, PDFs dated by the year (its closing time
when closed), never by the clock."""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import shutil
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from xieguan.archives.models import Document, PackageStatus, YearClose, YearPackage, package_upload_to
from xieguan.archives.sections import archive_sections, record_date, record_label
from xieguan.core.display import date_label
from xieguan.core.documents import _write_pdf, font_urls  # the one PDF writer, with our own date
from xieguan.core.storage import Stored, save_stream

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
PROGRESS_EVERY = 10
# Entries one PDF lays out: WeasyPrint holds a whole document's boxes while it
# writes, so a county's table of contents in one PDF took 1.7 GB. Longer
# lists are bound in volumes (分册) of this many entries.
VOLUME = 500
# The names inside the zip are the archive's filing, like the table of
# contents and registers they name (printed in the archive standard's
# wording): the same bytes whatever language the worker or requester reads.
UNNAMED = "未命名"  # i18n: data — a file name inside the year package (archive filing)
TOC_FILE = "00-目录.pdf"  # i18n: data — the table of contents' file name in the year package (archive filing)
ATTACHMENTS_FOLDER = "附件"  # i18n: data — the attachments' folder in the year package (archive filing)
REGISTER_SUFFIX = "登记"  # i18n: data — a section register's file name in the year package (archive filing)
VOLUME_SUFFIX = "-第{:02d}册"  # i18n: data — a list's volume (分册) in the year package's file names (archive filing)


@dataclass
class Entry:
    number: int
    label: str
    date: Any
    attachments: list[tuple[str, Any]] = field(default_factory=list)  # (name in zip, FieldFile)


@dataclass
class Section:
    number: int
    name: str
    folder: str
    entries: list[Entry] = field(default_factory=list)
    count: int = 0  # the whole section's entries, when this holds one volume's


def _volumes(rows: list[Any]) -> list[list[Any]]:
    return [rows[start : start + VOLUME] for start in range(0, len(rows), VOLUME)] or [[]]


def _volume_name(stem: str, index: int, volumes: int) -> str:
    return f"{stem}.pdf" if volumes == 1 else f"{stem}{VOLUME_SUFFIX.format(index)}.pdf"


def toc_volumes(sections: list[Section]) -> list[list[Section]]:
    """The table of contents in volumes of at most VOLUME entries, in the
    archive's order: each volume the sections it covers (those without
    entries too), holding their entries of that volume."""
    volumes: list[list[Section]] = [[]]
    filled = 0
    for section in sections:
        if not section.entries:
            volumes[-1].append(Section(section.number, section.name, section.folder))
        for entry in section.entries:
            if filled == VOLUME:
                volumes.append([])
                filled = 0
            if not volumes[-1] or volumes[-1][-1].number != section.number:
                volumes[-1].append(Section(section.number, section.name, section.folder, count=len(section.entries)))
            volumes[-1][-1].entries.append(entry)
            filled += 1
    return volumes


def _clean(text: str) -> str:
    bad = '\\/:*?"<>|'
    return "".join(" " if (c in bad or not c.isprintable()) else c for c in text).strip()[:80] or UNNAMED


def made_at(area: Any, year: int) -> datetime.datetime:
    """The date the package's PDFs carry: the year's closing, else its last minute."""
    from xieguan.archives.locks import county_of

    county = county_of(area)
    closed = YearClose.objects.filter(county=county, year=year).first() if county is not None else None
    if closed is not None:
        return timezone.localtime(closed.closed_at).replace(second=0, microsecond=0)
    return timezone.make_aware(datetime.datetime(year, 12, 31, 23, 59))


def collect(package: YearPackage) -> list[Section]:
    """What the package holds, in the archive's order, seen as its maker sees it."""
    user = package.created_by
    sections: list[Section] = []
    number = 0
    for index, entry in enumerate(archive_sections(), start=1):
        qs = entry.records(package.area, package.year)
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(user)
        records = list(qs.order_by("created_at", "pk"))
        section = Section(index, str(entry.name), f"{index:02d}-{_clean(str(entry.name))}")
        docs_by_owner: dict[Any, list[Document]] = {}
        if records:
            ids = [r.pk for r in records]
            for doc in (
                Document.objects.visible_to(user)
                .filter(owner_id__in=ids, current__isnull=False)
                .select_related("current")
                .order_by("created_at", "pk")
            ):
                docs_by_owner.setdefault(doc.owner_id, []).append(doc)
        for record in records:
            number += 1
            item = Entry(number, record_label(record), record_date(record))
            for doc in docs_by_owner.get(record.pk, []):
                version = doc.current
                assert version is not None
                item.attachments.append(
                    (
                        f"{section.folder}/{ATTACHMENTS_FOLDER}/{number:04d}-{_clean(doc.title)}-v{version.number}.{version.kind}",
                        version.file,
                    )
                )
            upper = getattr(record, "document", None)
            if upper is not None and getattr(upper, "file", None) and upper.file.name:
                item.attachments.append(
                    (
                        f"{section.folder}/{ATTACHMENTS_FOLDER}/{number:04d}-{_clean(upper.title)}.{upper.file_kind}",
                        upper.file,
                    )
                )
            section.entries.append(item)
        sections.append(section)
    return sections


def _info(name: str, year: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(max(year, 1980), 12, 31, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template, {**context, "pdf_fonts": font_urls()})
    return _write_pdf(html)


def write_zip(package: YearPackage, sections: list[Section], out: Any, *, progress: Any = None) -> None:
    """Write the package's zip to the open binary file ``out``."""
    at = made_at(package.area, package.year)
    common = {"area": package.area, "year": package.year, "pdf_made_at": at}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        volumes = toc_volumes(sections)
        for index, volume in enumerate(volumes, start=1):
            toc = _pdf("archives/pdf/toc.html", {**common, "sections": volume})
            archive.writestr(_info(_volume_name(TOC_FILE.removesuffix(".pdf"), index, len(volumes)), package.year), toc)
        done = 1
        for section in sections:
            stem = f"{section.folder}/00-{_clean(section.name)}{REGISTER_SUFFIX}"
            parts = _volumes(section.entries)
            for index, entries in enumerate(parts, start=1):
                register = _pdf(
                    "archives/pdf/register.html",
                    {**common, "section": Section(section.number, section.name, section.folder, entries)},
                )
                archive.writestr(_info(_volume_name(stem, index, len(parts)), package.year), register)
            done += 1
            for entry in section.entries:
                for name, stored in entry.attachments:
                    try:
                        source = stored.open("rb")
                    except (FileNotFoundError, OSError):
                        logger.warning("archive package: file missing %s", stored.name)
                        continue
                    with source, archive.open(_info(name, package.year), "w") as target:
                        shutil.copyfileobj(source, target, CHUNK)
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done)


def stream_into_store(name: str, write: Callable[[Any], None]) -> Stored:
    """Store what ``write`` writes to the file it is given, as it is written:
    a pipe joins the writer (here, with its database reads) to
    ``core.storage.save_stream`` (in a thread, storage only), so no more than
    the pipe's buffer and one part are held whatever the size — no temporary
    file, no copy. A failure on either side leaves nothing stored."""
    read_fd, write_fd = os.pipe()
    reader, writer = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")
    outcome: dict[str, Any] = {}

    def consume() -> None:
        try:
            outcome["stored"] = save_stream(name, reader, content_type="application/zip", exact=True)
        except BaseException as exc:  # handed to the writer's side below
            outcome["error"] = exc
        finally:
            reader.close()  # a writer still writing gets BrokenPipeError

    saver = threading.Thread(target=consume, name="archive-package-store", daemon=True)
    saver.start()
    try:
        write(writer)
    except BaseException:
        with contextlib.suppress(OSError):
            writer.close()
        saver.join()
        if "stored" in outcome:  # the reader saw the end of a half-written zip
            default_storage.delete(outcome["stored"].name)
        raise
    writer.close()
    saver.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["stored"]


def build(package: YearPackage) -> YearPackage:
    """Build the package's zip straight into the store (streamed, memory
    bounded), saving progress, then its name, size and SHA-256."""
    YearPackage.objects.filter(pk=package.pk).update(status=PackageStatus.RUNNING, done=0, error="")
    try:
        sections = collect(package)
        total = 1 + sum(1 + len(s.entries) for s in sections)
        YearPackage.objects.filter(pk=package.pk).update(total=total)
        stored = stream_into_store(
            package_upload_to(package, "package.zip"),
            lambda out: write_zip(
                package,
                sections,
                out,
                progress=lambda n: YearPackage.objects.filter(pk=package.pk).update(done=n),
            ),
        )
        package.file.name = stored.name
        package.sha256 = stored.sha256
        package.size = stored.size
        package.status = PackageStatus.DONE
        package.done = package.total = total
        package.finished_at = timezone.now()
        package.save(update_fields=["file", "sha256", "size", "status", "done", "total", "finished_at", "updated_at"])
    except Exception as exc:  # the worker must record a failure, not die on it
        logger.exception("archive package %s failed", package.pk)
        YearPackage.objects.filter(pk=package.pk).update(status=PackageStatus.FAILED, error=str(exc)[:200])
        package.refresh_from_db()
    return package


__all__ = ["build", "collect", "date_label", "write_zip"]
