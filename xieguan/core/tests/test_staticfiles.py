"""Production's static storage fingerprints our ES modules' imports, so the
field app's service worker (which keeps the fingerprinted names) has every
module a page asks for, and leaves third-party scripts as they are."""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import FileSystemStorage

from xieguan.core.staticfiles import StaticFilesStorage

FILES = {
    "field/main.js": 'import { a } from "./outbox.js";\nimport { b } from "../core/geo.js";\na(b);\n',
    "field/outbox.js": "export const a = (x) => x;\n",
    "core/geo.js": "export const b = 1;\n",
    # A third-party file importing a bare package name, as django-htmx's
    # extensions do: not ours, not rewritten (it would fail the collection).
    "vendor/ext.js": 'import htmx from "../htmx";\n',
}


def _collect(tmp_path: Path) -> StaticFilesStorage:
    source = FileSystemStorage(location=tmp_path / "src")
    for name, text in FILES.items():
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    storage = StaticFilesStorage(location=tmp_path / "out", base_url="/static/")
    for name in FILES:
        with source.open(name) as f:
            storage.save(name, f)
    for _name, _hashed, processed in storage.post_process({name: (source, name) for name in FILES}):
        assert not isinstance(processed, Exception), processed
    return storage


def test_module_imports_point_at_the_fingerprinted_files(tmp_path):
    storage = _collect(tmp_path)
    main = (tmp_path / "out" / storage.stored_name("field/main.js")).read_text()
    outbox = storage.stored_name("field/outbox.js").rsplit("/", 1)[1]
    geo = storage.stored_name("core/geo.js").rsplit("/", 1)[1]
    assert outbox != "outbox.js" and geo != "geo.js"
    assert f'import {{ a }} from "./{outbox}";' in main
    assert f'import {{ b }} from "../core/{geo}";' in main


def test_a_third_party_script_is_left_as_it_is(tmp_path):
    storage = _collect(tmp_path)
    assert (tmp_path / "out" / storage.stored_name("vendor/ext.js")).read_text() == FILES["vendor/ext.js"]
