"""manage.py migrate_media (issue 26 item 6): copy the files of an
installation that started on one machine's disk into the object store the
settings now name (MEDIA_S3_*), under the same names, so the records keep
pointing at them.

Each file is streamed (bounded memory whatever its size), its SHA-256 taken
on the way and kept with the object; the copy is then read back from the
store and its SHA-256 compared. Idempotent and resumable: a file already in
the store with the same size and SHA-256 is left alone (recognised from
the recorded hash without reading it again, or by reading it when the
store has none), so a run cut short is simply run again. A file in the
store under the same name with other bytes is reported and left alone
unless --replace. Says what it did; exits 1 when any file failed or
differs. Partial uploads (uploads-partial/) are skipped: they are
re-sent by the phones."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from xieguan.core.storage import READ_BYTES, save_stream, stored_sha256, stream_sha256

SKIPPED_FOLDERS = ("uploads-partial",)


def local_sha256(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while piece := handle.read(READ_BYTES):
            digest.update(piece)
            size += len(piece)
    return size, digest.hexdigest()


def local_files(root: Path) -> list[tuple[str, Path]]:
    """(storage name, path) of every file under ``root``, in name order."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        name = path.relative_to(root).as_posix()
        if name.split("/", 1)[0] in SKIPPED_FOLDERS or name.startswith("."):
            continue
        found.append((name, path))
    return sorted(found)


class Command(BaseCommand):
    help = "Copy the local media files into the configured object store, checking each SHA-256."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="source", default="", help="the local folder (default MEDIA_ROOT)")
        parser.add_argument("--replace", action="store_true", help="overwrite a stored file whose bytes differ")
        parser.add_argument("--limit", type=int, default=0, help="stop after copying this many files (0: all)")

    def handle(self, *args: Any, **o: Any) -> None:
        root = Path(o["source"] or settings.MEDIA_ROOT).resolve()
        if not root.is_dir():
            raise CommandError(f"没有这个文件夹：{root}")
        location = getattr(default_storage, "location", None)
        if location is not None and Path(location).resolve() == root:
            raise CommandError("文件存储仍是本机的这个文件夹：先设置 MEDIA_S3_ENDPOINT 等四项，再运行本命令。")
        counts = {"copied": 0, "present": 0, "differs": 0, "failed": 0}
        copied_bytes = 0
        started = time.monotonic()
        files = local_files(root)
        self.stdout.write(f"本机文件 {len(files)} 个，来自 {root}")
        for name, path in files:
            if o["limit"] and counts["copied"] >= o["limit"]:
                self.stdout.write(f"已达 --limit {o['limit']}，停止；再次运行即从这里继续。")
                break
            size, sha = local_sha256(path)
            held = stored_sha256(name)
            if held is None and default_storage.exists(name):
                held = stream_sha256(name)
            if held == (size, sha):
                counts["present"] += 1
                continue
            if held is not None and not o["replace"]:
                counts["differs"] += 1
                self.stderr.write(f"存储中已有同名文件但内容不同，未覆盖：{name}")
                continue
            try:
                with path.open("rb") as handle:
                    stored = save_stream(name, handle, exact=True, sha256=sha)
                check = stream_sha256(name)
            except Exception as exc:  # a network error on one file: report it, go on with the rest
                counts["failed"] += 1
                self.stderr.write(f"复制失败：{name}（{exc}）")
                continue
            if (stored.size, stored.sha256) != (size, sha) or check != (size, sha):
                counts["failed"] += 1
                default_storage.delete(name)
                self.stderr.write(f"复制后校验不符，已删除存储中的副本：{name}")
                continue
            counts["copied"] += 1
            copied_bytes += size
        seconds = time.monotonic() - started
        self.stdout.write(
            f"复制 {counts['copied']} 个（{copied_bytes / 1024 / 1024:.1f} MB），"
            f"已在存储中且校验一致 {counts['present']} 个，"
            f"同名但内容不同 {counts['differs']} 个，失败 {counts['failed']} 个；用时 {seconds:.1f} 秒。"
        )
        if counts["failed"] or counts["differs"]:
            raise CommandError("有文件未能复制或内容不同，见上；处理后再次运行。")
