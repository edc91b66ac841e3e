"""Every user-facing string has a zh-hans translation, and the compiled
catalogues say what the sources say."""

import ast
import re
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
        # Keyed by context too: pgettext("list separator", ", ") and
        # pgettext("phrase separator", ", ") are two entries of one catalogue.
        compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in mo}
        for entry in po.translated_entries():
            expected = entry.msgstr or entry.msgstr_plural.get(0)
            assert compiled.get((entry.msgctxt, entry.msgid)) == expected, (
                f"{po_path}: {entry.msgid!r} (run scripts/compile_messages.py)"
            )


# --- No Chinese written past gettext -------------------------------------
# The default language is Chinese, so a literal "请选择" looks right on every
# page and is still a defect: English shows it untranslated, and the catalogue
# no longer holds the product's words. These two tests read the source: every
# string literal or template text holding Chinese must go through gettext
# ({% translate %}, {% blocktranslate %}, _()), unless it is data rather than
# interface, said where it is written:
# - a whole module of data, listed in DATA_MODULES with its reason;
# - one line, marked with a comment holding "i18n: data" and why.
# Docstrings and comments are not read (nobody sees them).

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
GETTEXT_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
DATA_MODULES = {
    "xieguan/inspections/defaults.py": "the national checklists seeded into the database; their wording is the regulation's",
    "xieguan/reports/defaults.py": "the report kinds of the national form, seeded into the database",
    "xieguan/units/imports.py": "the column headings county spreadsheets really use, matched when importing",
    "xieguan/units/duplicates.py": "company-name suffixes stripped when comparing names",
    "xieguan/core/tabular.py": "date and yes/no spellings read from uploaded spreadsheets",
    "xieguan/core/backup.py": "the console report of `manage.py backup/restore`, read by the county's operator in Chinese",
    "xieguan/core/management/commands/backup.py": "console help and output for the operator",
    "xieguan/core/management/commands/restore.py": "console help and output for the operator",
    "xieguan/core/management/commands/cluster.py": "console output of `make cluster` for the operator",
    "xieguan/core/management/commands/migrate_media.py": "console output of `manage.py migrate_media` for the operator",
}
SKIPPED_PARTS = {"tests", "migrations", "demo", "locale", "static", "vendor"}


def _gettext_args(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in GETTEXT_CALLS:
                inside.update(id(child) for child in ast.walk(node))
    return inside


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def chinese_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal holding Chinese outside gettext."""
    tree = ast.parse(source)
    lines = source.splitlines()
    skip = _gettext_args(tree) | _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)):
            continue
        if id(node) in skip:
            continue
        span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        if any("i18n: data" in line for line in span):
            continue
        hits.append((node.lineno, node.value[:30]))
    return sorted(hits)


TEMPLATE_EXEMPT = re.compile(
    r"\{#.*?#\}"
    r"|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"|\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}"
    r"|\{%\s*(?:trans|translate)\s.*?%\}",
    re.S,
)


def chinese_template_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of Chinese in a template outside translate tags and
    comments. A template that is a printed national form keeps its wording:
    it says so with a comment "{# i18n: data ... #}" on its first line; a
    single line says so with that comment on the line."""
    if source.lstrip().startswith("{# i18n: data"):
        return []
    original = source.splitlines()
    kept = TEMPLATE_EXEMPT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    hits = []
    for number, line in enumerate(kept.splitlines(), start=1):
        if CJK.search(line) and "i18n: data" not in original[number - 1]:
            hits.append((number, line.strip()[:40]))
    return hits


def test_the_scanners_find_what_they_should():
    code = (
        '"""模块说明"""\nfrom django.utils.translation import gettext as _\n'
        'A = _("Save")\nB = "保存"\nC = f"共 {n} 户"\nD = "户"  # i18n: data, a unit of count\n'
    )
    assert sorted({line for line, _text in chinese_literals(code)}) == [4, 5]
    template = (
        '{% load i18n %}{# 注释 #}\n<h1>{% translate "Units" %}</h1>\n<p>监督对象</p>\n'
        "{% blocktranslate %}共 {{ n }} 户{% endblocktranslate %}\n<td>（盖章）</td>{# i18n: data, the form's own words #}"
    )
    assert [line for line, _text in chinese_template_text(template)] == [3]
    assert chinese_template_text("{# i18n: data: the national form #}\n<h1>巡查登记表</h1>") == []


def test_no_chinese_is_written_past_gettext():
    found = []
    for path in sorted((ROOT / "xieguan").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_PARTS.intersection(relative.parts) or str(relative) in DATA_MODULES:
            continue
        found += [f"{relative}:{line}: {text!r}" for line, text in chinese_literals(path.read_text())]
    for path in sorted((ROOT / "xieguan").rglob("templates/**/*.html")) + sorted(
        (ROOT / "xieguan").rglob("templates/**/*.txt")
    ):
        relative = path.relative_to(ROOT)
        found += [f"{relative}:{line}: {text!r}" for line, text in chinese_template_text(path.read_text())]
    assert not found, f"{len(found)} Chinese strings outside gettext (translate them, or mark data):\n" + "\n".join(
        found
    )


def test_data_modules_exist():
    assert [name for name in DATA_MODULES if not (ROOT / name).exists()] == []
