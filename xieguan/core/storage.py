"""Where uploaded files live, in one place (issue 26).

Every file the app keeps goes through Django's ``default_storage``: the
local disk under ``MEDIA_ROOT`` (the embedded default) or, with the
``MEDIA_S3_*`` settings, a private bucket of an S3-compatible object store
through django-storages. Nothing outside this module asks which one is in
use; what differs between them is here:

- ``save_stream``: write a file of any size (an iterator of bytes or a file
  object) under a new name, in bounded memory: a multipart upload of
  ``PART_BYTES`` parts into the bucket, chunk by chunk onto the disk.
  Returns the name, size and SHA-256. The year archive packages (issue 25)
  and the resumable uploads use it.
- ``put_exact``: write small bytes under exactly this name, replacing what
  was there (the resumable uploads' chunk objects).
- ``open_stream``: read a stored file as a stream (never the whole object
  in memory, never a temporary copy), with its size; a missing file is
  ``FileNotFoundError`` from either.
- ``read_bytes`` / ``delete_prefix`` / ``names_under``: the few other things
  callers need.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

# A multipart upload's part: S3 wants at least 5 MiB (but the last); 8 MiB
# keeps a 500 MB package at 63 parts and the process's memory near 8 MiB.
PART_BYTES = 8 * 1024 * 1024
READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Stored:
    """What ``save_stream`` wrote."""

    name: str
    size: int
    sha256: str


def _s3(storage: Storage) -> Any | None:
    """The django-storages S3 backend behind ``storage``, or None."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is in requirements.txt
        return None
    from django.utils.functional import empty

    if getattr(storage, "_wrapped", None) is empty:  # default_storage not yet made
        storage._setup()  # type: ignore[attr-defined]
    target = getattr(storage, "_wrapped", storage)
    return target if isinstance(target, S3Storage) else None


def _key(s3: Any, name: str) -> str:
    """The object key django-storages uses for a storage name (its prefix added)."""
    from storages.utils import clean_name

    return str(s3._normalize_name(clean_name(name)))


def _pieces(source: Iterable[bytes] | BinaryIO, size: int) -> Iterator[bytes]:
    """``source`` as pieces of at most ``size`` bytes (a file object is read
    ``size`` at a time; an iterator's items are cut up)."""
    if hasattr(source, "read"):
        reader: Any = source
        while piece := reader.read(size):
            yield piece
        return
    for item in source:  # type: ignore[union-attr]
        for start in range(0, len(item), size):
            yield item[start : start + size]


class Reader(io.RawIOBase):
    """A read-only file whose subclass answers ``read``."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _IterReader(Reader):
    """A read-only, unseekable file over pieces of bytes that hashes what it
    hands out, so the disk backend can copy it in its own chunks."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._left = b""
        self.size = 0
        self.digest = hashlib.sha256()

    def read(self, n: int | None = -1) -> bytes:
        want = READ_BYTES if n is None or n < 0 else n
        while len(self._left) < want:
            try:
                self._left += next(self._pieces)
            except StopIteration:
                break
        out, self._left = self._left[:want], self._left[want:]
        self.size += len(out)
        self.digest.update(out)
        return out


def save_stream(
    name: str,
    source: Iterable[bytes] | BinaryIO,
    *,
    content_type: str = "application/octet-stream",
    storage: Storage = default_storage,
    exact: bool = False,
    sha256: str = "",
) -> Stored:
    """Write ``source`` (an iterator of bytes or a file object opened for
    reading) under a new name made from ``name`` (the storage adds a suffix
    when the name is taken) — or, with ``exact``, under ``name`` itself,
    replacing what is there — never holding more than one part in memory.
    ``sha256``, when known beforehand, is kept with the object (S3 metadata)
    for ``stored_sha256``. On failure nothing is left behind (the multipart
    upload is aborted; on the disk Django removes its half-written file)."""
    s3 = _s3(storage)
    if s3 is None:
        if exact and storage.exists(name):
            storage.delete(name)
        reader = _IterReader(_pieces(source, READ_BYTES))
        wrapped = File(reader, name=posixpath.basename(name))  # type: ignore[arg-type]
        saved = storage.save(name, wrapped)
        if exact and saved != name:  # pragma: no cover - a writer racing us
            storage.delete(saved)
            raise RuntimeError(f"could not write {name!r}")
        return Stored(saved, reader.size, reader.digest.hexdigest())
    saved = name if exact else s3.get_available_name(name)
    key = _key(s3, saved)
    client = s3.connection.meta.client
    bucket = s3.bucket_name
    extra = {"Metadata": {"sha256": sha256}} if sha256 else {}
    started = client.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type, **extra)
    upload_id = started["UploadId"]
    digest, size, parts = hashlib.sha256(), 0, list[dict[str, Any]]()
    pending: list[bytes] = []
    held = 0
    try:

        def send() -> None:
            nonlocal pending, held
            body = b"".join(pending)  # the one copy: the part as sent
            pending, held = [], 0
            number = len(parts) + 1
            answer = client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)
            parts.append({"PartNumber": number, "ETag": answer["ETag"]})

        for piece in _pieces(source, READ_BYTES):
            digest.update(piece)
            size += len(piece)
            pending.append(piece)
            held += len(piece)
            if held >= PART_BYTES:
                send()
        if pending or not parts:
            send()
        client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    except BaseException:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    return Stored(saved, size, digest.hexdigest())


def put_exact(name: str, content: bytes, *, storage: Storage = default_storage) -> None:
    """Write ``content`` under exactly ``name``, replacing any file there."""
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # pragma: no cover - two writers of one upload are serialised by its row lock
        storage.delete(saved)
        raise RuntimeError(f"could not write {name!r}")


class _Body(Reader):
    """An S3 object's body as a read-only file that answers ``size``."""

    def __init__(self, body: Any, size: int) -> None:
        self._body = body
        self.size = size

    def read(self, n: int | None = -1) -> bytes:
        return bytes(self._body.read(None if n is None or n < 0 else n))

    def close(self) -> None:
        self._body.close()
        super().close()


def open_stream(name: str, *, storage: Storage = default_storage) -> Any:
    """A stored file opened for reading as a stream with a ``size``
    attribute; ``FileNotFoundError`` when it is not there."""
    if not name:
        raise FileNotFoundError(name)
    s3 = _s3(storage)
    if s3 is None:
        handle = storage.open(name, "rb")
        return handle
    from botocore.exceptions import ClientError

    key = _key(s3, name)
    try:
        answer = s3.connection.meta.client.get_object(Bucket=s3.bucket_name, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            raise FileNotFoundError(name) from None
        raise
    return _Body(answer["Body"], int(answer["ContentLength"]))


def stored_sha256(name: str, *, storage: Storage = default_storage) -> tuple[int, str] | None:
    """(size, SHA-256) of a stored file as recorded when it was written
    (``save_stream(sha256=...)``: S3 metadata), without reading it; None
    when the store keeps no such record or the file is not there."""
    s3 = _s3(storage)
    if s3 is None:
        return None
    from botocore.exceptions import ClientError

    try:
        head = s3.connection.meta.client.head_object(Bucket=s3.bucket_name, Key=_key(s3, name))
    except ClientError:
        return None
    recorded = (head.get("Metadata") or {}).get("sha256", "")
    return (int(head["ContentLength"]), recorded) if recorded else None


def stream_sha256(name: str, *, storage: Storage = default_storage) -> tuple[int, str]:
    """(size, SHA-256) of a stored file, read through as a stream."""
    digest, size = hashlib.sha256(), 0
    with open_stream(name, storage=storage) as handle:
        while piece := handle.read(READ_BYTES):
            digest.update(piece)
            size += len(piece)
    return size, digest.hexdigest()


def read_bytes(name: str, *, limit: int, storage: Storage = default_storage) -> bytes:
    """A small stored file's bytes (at most ``limit``; ValueError above)."""
    with open_stream(name, storage=storage) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name!r} is larger than {limit} bytes")
    return bytes(data)


def names_under(folder: str, *, storage: Storage = default_storage) -> list[str]:
    """Names of the files directly in ``folder`` (not in its subfolders)."""
    try:
        _folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(posixpath.join(folder, f) for f in files)


def delete_prefix(folder: str, *, storage: Storage = default_storage) -> int:
    """Delete every file directly in ``folder``; returns how many."""
    names = names_under(folder, storage=storage)
    for name in names:
        storage.delete(name)
    return len(names)
