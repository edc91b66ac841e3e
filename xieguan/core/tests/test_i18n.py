"""Every user-facing string has a zh-hans translation, and the compiled
catalogues say what the sources say."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[3]


def _catalogues(root: Path) -> list[Path]:
    return sorted(root.glob("xieguan/**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is installed by `make test`")
def test_every_string_in_the_code_has_a_zh_hans_translation(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "xieguan", copy / "xieguan", ignore=shutil.ignore_patterns("__pycache__", "vendor", "*.mo"))
    shutil.copytree(ROOT / "config", copy / "config", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "XIEGUAN_VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(copy),
        },
    )
    assert result.returncode == 0, result.stderr
    missing = []
    for po_path in _catalogues(copy):
        for entry in polib.pofile(str(po_path)):
            translated = entry.msgstr or any(entry.msgstr_plural.values())
            if not translated or "fuzzy" in entry.flags:
                missing.append(f"{po_path.relative_to(copy)}: {entry.msgid!r}")
    assert not missing, "untranslated strings (run `make messages` and fill them in):\n" + "\n".join(missing)


def test_compiled_catalogues_match_the_sources():
    for po_path in _catalogues(ROOT):
        po = polib.pofile(str(po_path))
        mo = polib.mofile(str(po_path.with_suffix(".mo")))
        compiled = {e.msgid: e.msgstr or e.msgstr_plural.get(0, "") for e in mo}
        for entry in po.translated_entries():
            expected = entry.msgstr or entry.msgstr_plural.get(0)
            assert compiled.get(entry.msgid) == expected, (
                f"{po_path}: {entry.msgid!r} (run scripts/compile_messages.py)"
            )
