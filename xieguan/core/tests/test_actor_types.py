"""Services type their actor as the user model (issue 18 item 3): an
``actor`` typed ``Any`` lets a service be called with an id, a name or an
institution and fail far from the mistake, and hides from mypy what every
permission check reads. The walk covers every module of the apps (tests,
migrations and management commands aside, which pass users they made)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]


def _untyped_actors(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        for arg in args:
            if arg.arg != "actor":
                continue
            annotation = ast.unparse(arg.annotation) if arg.annotation else ""
            if not annotation or "Any" in annotation.replace("AnonymousUser", ""):
                found.append(
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}(actor: {annotation or '—'})"
                )
    return found


def _modules() -> list[Path]:
    skipped = {"tests", "migrations", "management"}
    return [p for p in sorted(PACKAGE.rglob("*.py")) if not skipped & set(p.relative_to(PACKAGE).parts)]


def test_the_walk_reads_the_services() -> None:
    names = {str(p.relative_to(PACKAGE)) for p in _modules()}
    assert "units/services.py" in names
    assert "inspections/services/records.py" in names


def test_every_actor_is_typed_as_the_user_model() -> None:
    untyped = [line for path in _modules() for line in _untyped_actors(path)]
    assert not untyped, "actor typed Any or not at all:\n" + "\n".join(untyped)
