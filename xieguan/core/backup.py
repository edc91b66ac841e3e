"""Backup and restore of an installation (SPEC §12 "backups that restore",
issue 19 item 3): the database and every file the storage holds, in one
folder with a manifest that says what is in it.

An archive is a folder ``xieguan-YYYYMMDD-HHMMSS`` under the folder the
operator names on the command line (never a value from a request):

- ``manifest.json``: when, which version (``pyproject.toml`` version, git
  commit when known, the migrations applied), the database vendor, the rows
  of every table, and the size and SHA-256 of the database file and of each
  stored file;
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or
  ``database.sqlite3`` (SQLite, its online backup API);
- ``media/``: each stored file under its storage name, copied in chunks.

It is written into a hidden ``.xieguan-….partial`` folder beside it and
renamed only when complete, so a crash never leaves something that looks
like a backup. On PostgreSQL the row counts and ``pg_dump`` read one exported
snapshot, so they agree even while the county keeps working.

A restore first checks the whole archive against its manifest (sizes,
hashes, the database vendor, migrations this code knows, nothing extra) and
changes nothing when anything differs; it refuses a database that already
holds people unless forced; then replaces the database in one step
(PostgreSQL: the schema emptied and the dump applied in a single
transaction; SQLite: the backup API writes the whole file under one lock),
writes the files back, and checks the result against the manifest again."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "xieguan-backup/1"
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ARCHIVE_NAME = re.compile(r"^xieguan-\d{8}-\d{6}(-\d+)?$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


# Reading what there is --------------------------------------------------


def sha256_of(path: Path) -> tuple[int, str]:
    """(size, hex SHA-256) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def stored_names(storage: Storage = default_storage, folder: str = "") -> Iterator[str]:
    """Every file the storage holds, by storage name, sorted, walked through
    the storage's own listing (so an object store would do as well)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, sub) if folder else sub)


def stored_file_digest(name: str, storage: Storage = default_storage) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def stored_files(storage: Storage = default_storage) -> list[dict[str, Any]]:
    """Name, size and SHA-256 of every file in the storage now."""
    out = []
    for name in stored_names(storage):
        size, digest = stored_file_digest(name, storage)
        out.append({"name": name, "size": size, "sha256": digest})
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_row_counts(path: Path) -> dict[str, int]:
    """Rows of every table of a SQLite file (SQLite's own tables aside)."""
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                "ORDER BY name"
            )
        ]
        counts = {table: db.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0] for table in tables}  # noqa: S608
    db.close()
    return counts


def postgresql_row_counts(conn: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows of every table in the connection's schema, read in its current
    transaction (the backup's snapshot)."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def row_counts(conn: BaseDatabaseWrapper = connection) -> dict[str, int]:
    """Rows of every table of the live database."""
    if conn.vendor == "postgresql":
        return postgresql_row_counts(conn)
    conn.close()  # read the file as it is on disk
    return sqlite_row_counts(Path(conn.settings_dict["NAME"]))


def applied_migrations(conn: BaseDatabaseWrapper = connection) -> list[str]:
    recorder = MigrationRecorder(conn)
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def app_version() -> dict[str, str]:
    """The code's version: pyproject's, and the git commit when the
    installation is a checkout."""
    base = Path(settings.BASE_DIR)
    version = {"version": "", "commit": ""}
    try:
        version["version"] = tomllib.loads((base / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    git = shutil.which("git")
    if git:
        try:
            done = subprocess.run(  # noqa: S603
                [git, "-C", str(base), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
            )
            version["commit"] = done.stdout.strip() if done.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            pass
    return version


def migration_heads(applied: list[str]) -> dict[str, str]:
    """The last applied migration of each app (names sort in order)."""
    heads: dict[str, str] = {}
    for label in applied:
        app, name = label.split(".", 1)
        heads[app] = max(heads.get(app, name), name)
    return dict(sorted(heads.items()))


# PostgreSQL tools -------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（make system-deps 会安装 postgresql-client）。")
    return found


def _pg_major(tool: str) -> int:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def _pg_env(conn: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's variables for the connection Django uses (the password never
    on a command line, where `ps` would show it)."""
    params = conn.settings_dict
    env = dict(os.environ)
    for key, var in (("NAME", "PGDATABASE"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST")):
        if params.get(key):
            env[var] = str(params[key])
    if params.get("PORT"):
        env["PGPORT"] = str(params["PORT"])
    options = params.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    env["PGAPPNAME"] = "xieguan-backup"
    return env


def _check_pg_client(tool: str, conn: BaseDatabaseWrapper) -> str:
    major = _pg_major(tool)
    server = (conn.pg_version or 0) // 10000  # type: ignore[attr-defined]
    if major < server:
        raise BackupError(
            f"{tool} 的版本（{major}）低于数据库服务器（{server}）：请安装 {server} 或更新版本的 PostgreSQL 客户端。"
        )
    return subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603


# Backup -----------------------------------------------------------------


@dataclass
class Archive:
    path: Path
    manifest: dict[str, Any]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _dump_postgresql(target: Path) -> tuple[dict[str, int], list[str], dict[str, str]]:
    """pg_dump in custom format, reading the same exported snapshot the row
    counts read."""
    pg_dump = _pg_tool("pg_dump")
    connection.ensure_connection()
    tool = _check_pg_client(pg_dump, connection)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        done = subprocess.run(  # noqa: S603
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            env=_pg_env(connection),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()}")
        counts = postgresql_row_counts(connection)
        applied = applied_migrations(connection)
    return counts, applied, {"server_version": server_version, "tool": tool}


def _dump_sqlite(target: Path) -> tuple[dict[str, int], list[str], dict[str, str]]:
    """SQLite's online backup API: a consistent copy while the app runs."""
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        copy.commit()
    finally:
        copy.close()
        source.close()
    counts = sqlite_row_counts(target)
    with sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True) as db:
        has_table = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone()
        applied = (
            sorted(f"{a}.{n}" for a, n in db.execute("SELECT app, name FROM django_migrations")) if has_table else []
        )
    db.close()
    return counts, applied, {"server_version": sqlite3.sqlite_version, "tool": "sqlite3 backup API"}


def _copy_media(folder: Path, storage: Storage, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """Each stored file into ``folder`` under its storage name, streamed, with
    its size and SHA-256. A file deleted while we copy (a prune job) is
    skipped: the database copy was taken first, so no record it holds can
    have lost a file that way unless the record went too."""
    files = []
    for name in stored_names(storage):
        destination = folder.joinpath(*name.split("/"))
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            with storage.open(name, "rb") as source, destination.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except FileNotFoundError:
            destination.unlink(missing_ok=True)
            log(f"文件在复制时已被删除，跳过：{name}")
            continue
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return files


def _archive_name(parent: Path) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name, n = f"xieguan-{stamp}", 1
    while (parent / name).exists():
        n += 1
        name = f"xieguan-{stamp}-{n}"
    return name


def backup_create(*, to: Path, storage: Storage = default_storage, log: Callable[[str], None] = print) -> Archive:
    """Write a complete archive of the database and the stored files under
    ``to`` (the operator's folder) and return it."""
    vendor = connection.vendor
    if vendor not in DATABASE_FILE:
        raise BackupError(f"不支持备份 {vendor} 数据库。")
    to = Path(to)
    to.mkdir(parents=True, exist_ok=True)
    name = _archive_name(to)
    partial = to / f".{name}.partial"
    partial.mkdir()
    try:
        database = partial / DATABASE_FILE[vendor]
        counts, applied, tool = _dump_postgresql(database) if vendor == "postgresql" else _dump_sqlite(database)
        size, digest = sha256_of(database)
        log(f"数据库：{len(counts)} 个表，{sum(counts.values())} 行，{size} 字节")
        files = _copy_media(partial / MEDIA, storage, log)
        log(f"文件：{len(files)} 个，{sum(f['size'] for f in files)} 字节")
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime().isoformat(),
            "app": app_version(),
            "migrations": applied,
            "migration_heads": migration_heads(applied),
            "database": {"vendor": vendor, "file": database.name, "size": size, "sha256": digest, **tool},
            "tables": dict(sorted(counts.items())),
            "files": files,
        }
        with (partial / MANIFEST).open("w", encoding="utf-8") as out:
            json.dump(manifest, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        _fsync_dir(partial)
        final = to / name
        partial.rename(final)
        _fsync_dir(to)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Archive(final, manifest)


def backups_prune(*, folder: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest complete archives in ``folder``
    (only folders named and shaped as our archives)."""
    archives = sorted(
        p for p in Path(folder).iterdir() if p.is_dir() and ARCHIVE_NAME.match(p.name) and (p / MANIFEST).is_file()
    )
    removed = archives[: max(len(archives) - keep, 0)]
    for path in removed:
        shutil.rmtree(path)
    return removed


# Restore ----------------------------------------------------------------


def safe_storage_name(name: Any) -> TypeGuard[str]:
    """A storage name as we write them: relative, forward slashes, no '..',
    nothing hidden in it."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts) and posixpath.normpath(name) == name


def _archive_files(folder: Path) -> Iterator[str]:
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            yield "!" + path.relative_to(folder).as_posix()
        elif path.is_file():
            yield path.relative_to(folder).as_posix()


def archive_verify(path: Path, conn: BaseDatabaseWrapper = connection) -> dict[str, Any]:
    """Check an archive against its manifest before anything is touched;
    the manifest when all is well, else BackupError listing what differs."""
    path = Path(path)
    if not (path / MANIFEST).is_file():
        raise BackupError(f"{path} 不是备份：其中没有 {MANIFEST}。")
    try:
        manifest = json.loads((path / MANIFEST).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError(f"备份清单 {MANIFEST} 已损坏，无法读取。")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"备份清单的格式不是 {FORMAT}，无法恢复。")
    problems: list[str] = []
    database = manifest.get("database") or {}
    vendor = database.get("vendor")
    if vendor != conn.vendor:
        raise BackupError(f"备份来自 {vendor} 数据库，当前数据库是 {conn.vendor}：不能恢复到不同种类的数据库。")
    dump = path / DATABASE_FILE[conn.vendor]
    if not dump.is_file():
        problems.append(f"缺少数据库文件 {dump.name}")
    else:
        size, digest = sha256_of(dump)
        if (size, digest) != (database.get("size"), database.get("sha256")):
            problems.append(f"数据库文件 {dump.name} 与清单不符（大小或 SHA-256 不同）")
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = [m for m in manifest.get("migrations") or [] if m not in known]
    if unknown:
        problems.append(f"备份含有本版本程序不认识的迁移（{'、'.join(unknown[:5])}）：它来自更新的版本，请先升级程序")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise BackupError("备份清单中没有文件列表。")
    listed = set()
    media = path / MEDIA
    for entry in files:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not safe_storage_name(name):
            problems.append(f"清单中的文件名不安全：{name!r}")
            continue
        listed.add(name)
        stored = media.joinpath(*name.split("/"))
        if stored.is_symlink() or not stored.is_file() or not stored.resolve().is_relative_to(media.resolve()):
            problems.append(f"缺少文件 {name}")
            continue
        size, digest = sha256_of(stored)
        if (size, digest) != (entry.get("size"), entry.get("sha256")):
            problems.append(f"文件 {name} 与清单不符（大小或 SHA-256 不同）")
    if media.exists():
        extra = [name for name in _archive_files(media) if name not in listed]
        if extra:
            problems.append(f"备份中有 {len(extra)} 个清单未列出的文件（如 {extra[0].lstrip('!')}）")
    if not isinstance(manifest.get("tables"), dict):
        problems.append("备份清单中没有各表行数")
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  ……共 {len(problems)} 处" if len(problems) > 10 else ""
        raise BackupError(f"备份 {path} 未通过校验，未做任何改动：\n  {shown}{more}")
    return manifest


def people_in_database(conn: BaseDatabaseWrapper = connection) -> int:
    """How many accounts the live database holds (0 for one just migrated or
    not yet created): what makes a database worth refusing to overwrite."""
    table = get_user_model()._meta.db_table
    with conn.cursor() as cursor:
        if table not in conn.introspection.table_names(cursor):
            return 0
        cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


def _restore_postgresql(dump: Path) -> None:
    """Empty the schema and apply the dump in one transaction: either the
    whole backup is in place or nothing changed. Other sessions must be
    stopped (the web, the workers); a lock held by one stops us after 30 s."""
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    connection.ensure_connection()
    _check_pg_client(pg_restore, connection)
    env = _pg_env(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    connection.close()
    prelude = (
        f"SET lock_timeout = '30s';\nDROP SCHEMA IF EXISTS {_quote(schema)} CASCADE;\nCREATE SCHEMA {_quote(schema)};\n"
    ).encode()
    applier = subprocess.Popen(  # noqa: S603
        [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--file=-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    reader = subprocess.Popen(  # noqa: S603
        [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert applier.stdin is not None and reader.stdout is not None
    try:
        applier.stdin.write(prelude)
        shutil.copyfileobj(reader.stdout, applier.stdin, CHUNK)
    except BrokenPipeError:
        pass
    finally:
        applier.stdin.close()
    reader_err = reader.stderr.read().decode(errors="replace") if reader.stderr else ""
    applier_err = applier.stderr.read().decode(errors="replace") if applier.stderr else ""
    if reader.wait() != 0:
        applier.kill()
        applier.wait()
        raise BackupError(f"pg_restore 读取备份失败，数据库未改动：{reader_err.strip()}")
    if applier.wait() != 0:
        raise BackupError(f"恢复数据库失败，已整体撤销，数据库未改动：{applier_err.strip()}")


def _restore_sqlite(copy: Path) -> None:
    """SQLite's backup API from the archive's file into the live one: one
    write lock, the whole file replaced at once."""
    connection.close()
    source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_media(manifest: dict[str, Any], media: Path, storage: Storage) -> None:
    for entry in manifest["files"]:
        name = entry["name"]
        if storage.exists(name):
            storage.delete(name)
        with media.joinpath(*name.split("/")).open("rb") as handle:
            saved = storage.save(name, File(handle, name=posixpath.basename(name)))
        if saved != name:
            raise BackupError(f"文件 {name} 被存储改名为 {saved}，恢复中止。")


def restore_differences(manifest: dict[str, Any], storage: Storage = default_storage) -> list[str]:
    """How the live database and storage differ from an archive's manifest:
    rows of each table, and each listed file's size and SHA-256."""
    differences = []
    live = row_counts(connection)
    for table, rows in sorted(manifest["tables"].items()):
        if live.get(table) != rows:
            differences.append(f"表 {table}：备份 {rows} 行，现有 {live.get(table, '无此表')}")
    for table in sorted(set(live) - set(manifest["tables"])):
        differences.append(f"表 {table} 不在备份中")
    for entry in manifest["files"]:
        if not storage.exists(entry["name"]):
            differences.append(f"文件 {entry['name']} 不在存储中")
        elif stored_file_digest(entry["name"], storage) != (entry["size"], entry["sha256"]):
            differences.append(f"文件 {entry['name']} 与备份不符")
    return differences


def backup_restore(
    *, source: Path, force: bool = False, storage: Storage = default_storage, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Restore an archive into the configured database and storage; the
    archive's manifest when the result matches it."""
    source = Path(source)
    manifest = archive_verify(source)
    log(f"备份校验通过：{source}（{manifest.get('created_at')}）")
    people = people_in_database()
    present = next(stored_names(storage), None)
    if (people or present) and not force:
        held = []
        if people:
            held.append(f"数据库中已有 {people} 个账号")
        if present:
            held.append("文件存储中已有文件")
        raise BackupError(
            "，".join(held)
            + "：恢复会覆盖现有数据，未做任何改动。确需用备份覆盖时，请加 --force 再运行（先停止网站和后台任务）。"
        )
    vendor = manifest["database"]["vendor"]
    dump = source / DATABASE_FILE[vendor]
    if vendor == "postgresql":
        _restore_postgresql(dump)
    else:
        _restore_sqlite(dump)
    log("数据库已恢复。")
    listed = {entry["name"] for entry in manifest["files"]}
    _restore_media(manifest, source / MEDIA, storage)
    kept = [name for name in stored_names(storage) if name not in listed]
    log(f"文件已恢复：{len(listed)} 个。" + (f"存储中另有 {len(kept)} 个备份之外的文件，已保留。" if kept else ""))
    differences = restore_differences(manifest, storage)
    if differences:
        shown = "\n  ".join(differences[:10])
        raise BackupError(f"恢复后的数据与备份清单不符：\n  {shown}")
    log("恢复后复核通过：各表行数与每个文件的 SHA-256 均与备份清单一致。")
    return manifest
