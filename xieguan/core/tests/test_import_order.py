"""Imports run one way (STYLE.md, issue 18): an app imports only apps of
lower layers, never one of its own layer or above, and the modules of one
app never import each other in a circle.

Decided here:
- an import under ``if TYPE_CHECKING:`` is a type, never run: it may name
  any app (a service of core typing its actor as the user model);
- imports inside functions count like any other;
- tests (any ``tests`` folder, the journeys, conftest) may import anything:
  they exercise the layers together and load the demo county. ``config/``
  wires the apps together and is not walked.

A new app is one more name in LAYERS."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "xieguan"

# Lowest first; the apps of one layer do not import each other.
LAYERS: list[set[str]] = [
    {"core"},
    {"areas"},
    {"accounts"},
    {"units"},
    {"inspections", "reports", "outreach", "complaints"},
    {"monthly", "campaigns", "reminders", "risk", "assessments", "archives"},
    {"indicators"},
    {"field", "demo"},
]
LAYER_OF = {app: n for n, apps in enumerate(LAYERS) for app in apps}
ORDER = " ← ".join("{" + ", ".join(sorted(apps)) + "}" if len(apps) > 1 else next(iter(apps)) for apps in LAYERS)


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted


def _is_test(path: Path) -> bool:
    return "tests" in path.relative_to(PACKAGE).parts


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_in(path: Path, source: str | None = None) -> Iterator[Import]:
    """Every import of an xieguan module in a file (or in ``source``), at any
    depth, except those only made for type checking."""
    text = source if source is not None else path.read_text(encoding="utf-8")
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def walk(node: ast.AST) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    yield from walk(other)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("xieguan."):
                        yield Import(path, child.lineno, module, alias.name)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                if base == "xieguan" or base.startswith("xieguan."):
                    for alias in child.names:
                        submodule = f"{base}.{alias.name}"
                        is_module = (ROOT / Path(*submodule.split("."))).with_suffix(".py").exists() or (
                            ROOT / Path(*submodule.split(".")) / "__init__.py"
                        ).exists()
                        yield Import(path, child.lineno, module, submodule if is_module else base)
            yield from walk(child)

    yield from walk(ast.parse(text, filename=str(path)))


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYER_OF) else None


def against_the_order(found: Import) -> str | None:
    """Why an import breaks the layers, or None when it keeps them."""
    source, target = _app_of(found.source), _app_of(found.target)
    if source is None or target is None or source == target:
        return None
    where = f"{found.path.relative_to(ROOT)}:{found.line}: {found.source} imports {found.target}"
    if LAYER_OF[target] > LAYER_OF[source]:
        return f"{where} — {target} stands above {source}; imports run one way: {ORDER}"
    if LAYER_OF[target] == LAYER_OF[source]:
        return f"{where} — {source} and {target} are apps of one layer; reach it through a registry or a lower layer"
    return None


def production_files() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if not _is_test(p) and _app_of(_module_of(p)) is not None]


def circles(edges: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_every_app_has_a_layer():
    apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
    assert apps - set(LAYER_OF) == set(), f"add the new app to LAYERS in {Path(__file__).name}"


def test_imports_run_one_way():
    problems = list(
        dict.fromkeys(
            why for path in production_files() for found in imports_in(path) if (why := against_the_order(found))
        )
    )
    assert not problems, "imports against the order:\n" + "\n".join(problems)


def test_no_circle_between_modules_of_one_app():
    edges: dict[str, dict[str, Import]] = {}
    for path in production_files():
        for found in imports_in(path):
            if _app_of(found.source) == _app_of(found.target) and found.source != found.target:
                edges.setdefault(found.source, {}).setdefault(found.target, found)
    problems = []
    for group in circles(edges):
        ties = [
            f"  {edges[a][b].path.relative_to(ROOT)}:{edges[a][b].line}: {a} imports {b}"
            for a in group
            for b in group
            if b in edges.get(a, {})
        ]
        problems.append("a circle of imports: " + ", ".join(group) + "\n" + "\n".join(ties))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("path", "source", "rule"),
    [
        ("xieguan/areas/views.py", "from xieguan.accounts.models import User", "stands above"),
        ("xieguan/inspections/services/records.py", "def f():\n    from xieguan.monthly import locks", "stands above"),
        ("xieguan/reports/services.py", "from ..outreach.selectors import publicity_due", "one layer"),
        ("xieguan/core/views.py", "import xieguan.units.models", "stands above"),
    ],
)
def test_an_import_against_the_order_is_named_with_its_file_line_and_rule(path, source, rule):
    found = list(imports_in(ROOT / path, source))
    problems = [why for f in found if (why := against_the_order(f))]
    assert len(problems) == 1 and rule in problems[0] and f"{path}:" in problems[0], problems


def test_type_checking_imports_and_lower_layers_pass():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from xieguan.accounts.models import User\n"
    source += "from xieguan.core.scope import is_within\n"
    assert [why for f in imports_in(ROOT / "xieguan/areas/models.py", source) if (why := against_the_order(f))] == []


def test_a_circle_is_found():
    a, b = Import(Path("a.py"), 1, "x.a", "x.b"), Import(Path("b.py"), 1, "x.b", "x.a")
    assert circles({"x.a": {"x.b": a}, "x.b": {"x.a": b}, "x.c": {}}) == [["x.a", "x.b"]]
