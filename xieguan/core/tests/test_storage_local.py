"""The storage helpers on the local disk (the embedded default): the same
calls the object store answers (test_object_storage.py)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from xieguan.core.storage import names_under, open_stream, put_exact, read_bytes, save_stream


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_save_stream_writes_an_iterator_or_a_file_and_names_it_anew(media):
    pieces = [b"a" * 3_000_000, b"b" * 10]
    stored = save_stream("archives/2026/p.zip", iter(pieces))
    assert stored.size == 3_000_010 and stored.sha256 == hashlib.sha256(b"".join(pieces)).hexdigest()
    assert (media / stored.name).read_bytes() == b"".join(pieces)
    with open(media / stored.name, "rb") as handle:
        again = save_stream("archives/2026/p.zip", handle)
    assert again.name != stored.name and again.sha256 == stored.sha256
    with open_stream(again.name) as handle:
        assert handle.size == 3_000_010


def test_put_exact_replaces_and_missing_files_are_file_not_found(media):
    put_exact("uploads-partial/x/000000000000.part", b"one")
    put_exact("uploads-partial/x/000000000000.part", b"two")
    assert names_under("uploads-partial/x") == ["uploads-partial/x/000000000000.part"]
    assert read_bytes("uploads-partial/x/000000000000.part", limit=10) == b"two"
    with pytest.raises(ValueError):
        read_bytes("uploads-partial/x/000000000000.part", limit=2)
    with pytest.raises(FileNotFoundError):
        open_stream("nowhere.jpg")
    assert names_under("nowhere") == [] and default_storage.exists("nowhere.jpg") is False
