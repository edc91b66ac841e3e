"""``audited``: one event before → after a service's block; event codes and
their Chinese names."""

import ast
import pathlib
import re

import pytest
from django.db import transaction
from django.utils import translation

from xieguan.areas.models import Area, Level
from xieguan.core.audit import (
    audit_record,
    audited,
    event_choices,
    event_label,
    event_types,
    register_events,
    snapshot,
)
from xieguan.core.models import AuditEvent

ROOT = pathlib.Path(__file__).resolve().parents[2]
AUDIT_CALLS = {
    "audited": 1,
    "audit_record": None,
    "audited_bulk_create": 1,
    "audited_bulk_update": 1,
    "create_audited_once": 3,
}  # name → position of the code


def _code_argument(node: ast.AST) -> ast.expr | None:
    """The event code argument of an audit call (``None``: not an audit call,
    or one without its code)."""
    if not isinstance(node, ast.Call):
        return None
    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
    if name not in AUDIT_CALLS:
        return None
    argument = next((k.value for k in node.keywords if k.arg == "action"), None)
    position = AUDIT_CALLS[name]
    if argument is None and position is not None and len(node.args) > position:
        argument = node.args[position]
    return argument


def _passed_on(tree: ast.Module) -> set[ast.AST]:
    """The audit calls inside a function of AUDIT_CALLS whose code is that
    function's own code parameter, passed on: its callers' literals are read."""
    found: set[ast.AST] = set()
    for function in ast.walk(tree):
        position = AUDIT_CALLS.get(getattr(function, "name", ""))
        if isinstance(function, ast.FunctionDef) and position is not None:
            parameter = function.args.args[position].arg
            for node in ast.walk(function):
                argument = _code_argument(node)
                if isinstance(argument, ast.Name) and argument.id == parameter:
                    found.add(node)
    return found


def test_an_update_records_before_and_after_once(demo, county_admin, township):
    with transaction.atomic(), audited(county_admin, "area.update", township) as audit:
        township.name = "城关街道"
        township.save()
    event = AuditEvent.objects.get()
    assert audit.event == event
    assert (event.action, event.changes, event.actor) == ("area.update", {"name": ["城关镇", "城关街道"]}, county_admin)
    assert (event.object_type, event.object_id, event.area_path) == ("areas.area", str(township.pk), township.path)


def test_an_update_that_changes_nothing_records_nothing(demo, county_admin, township):
    with transaction.atomic(), audited(county_admin, "area.update", township, note="saved unchanged") as audit:
        township.save()
    assert audit.event is None and not AuditEvent.objects.exists()


def test_an_update_the_snapshot_cannot_show_is_recorded_when_the_block_says_so(demo, county_admin, township):
    with transaction.atomic(), audited(county_admin, "area.update", township) as audit:
        audit.always = True
    assert AuditEvent.objects.get().changes == {}


def test_a_record_made_in_the_block_is_recorded_field_by_field(demo, county_admin, township):
    with transaction.atomic(), audited(county_admin, "area.create") as audit:
        village = audit.obj = Area(parent=township, name="新村", level=Level.VILLAGE)
        village.save()
    event = AuditEvent.objects.get()
    assert (event.object_id, event.area_path) == (str(village.pk), village.path)
    assert event.changes["name"] == [None, "新村"] and event.changes["parent"] == [None, str(township)]


def test_a_deleted_record_is_recorded_under_the_id_it_had(demo, county_admin, township):
    village = Area.objects.create(parent=township, name="错建村", level=Level.VILLAGE)
    pk, path = str(village.pk), village.path
    with transaction.atomic(), audited(county_admin, "area.delete", village):
        village.delete()
    event = AuditEvent.objects.get()
    assert (event.object_id, event.object_repr, event.area_path) == (pk, "错建村", path)
    assert event.changes["name"] == ["错建村", None]
    assert not Area.objects.filter(pk=pk).exists()


def test_the_block_adds_changes_and_a_note(demo, county_admin, township):
    with transaction.atomic(), audited(county_admin, "area.retire", township, note="first") as audit:
        audit.changes["moved_records"] = [None, 3]
        audit.note = "3 records moved"
    event = AuditEvent.objects.get()
    assert (event.changes, event.note) == ({"moved_records": [None, 3]}, "3 records moved")


def test_related_records_are_compared_through_snapshot_with(demo, county_admin, township):
    def with_children(area: Area) -> dict:
        return {**snapshot(area, ["name"]), "villages": sorted(a.name for a in area.children.all())}

    before = sorted(a.name for a in township.children.all())
    with transaction.atomic(), audited(county_admin, "area.update", township, snapshot_with=with_children):
        Area.objects.create(parent=township, name="新村", level=Level.VILLAGE)
    assert AuditEvent.objects.get().changes == {"villages": [before, sorted([*before, "新村"])]}


def test_nothing_is_recorded_when_the_block_raises(demo, county_admin, township):
    with pytest.raises(ValueError), transaction.atomic(), audited(county_admin, "area.update", township):
        township.name = "城关街道"
        township.save()
        raise ValueError("refused half way")
    township.refresh_from_db()
    assert township.name == "城关镇" and not AuditEvent.objects.exists()


def test_an_event_about_no_record_belongs_to_the_actors_area(demo, county_admin):
    with transaction.atomic(), audited(county_admin, "area.import", note="12 created"):
        pass
    event = AuditEvent.objects.get()
    assert (event.object_type, event.area_path, event.note) == ("", demo.county.path, "12 created")


@pytest.mark.django_db(transaction=True)
def test_audited_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"), audited(None, "area.update"):
        pass
    assert not AuditEvent.objects.exists()


def test_an_event_code_is_thing_dot_verb_and_named_once():
    with pytest.raises(ValueError):
        register_events("x", {"update": "changed"})
    with pytest.raises(ValueError):
        register_events("x", {"unit.merge": "another name"})
    assert event_types()["unit.merge"].code == "unit.merge"


def test_events_written_before_codes_are_still_named(demo):
    with translation.override("zh-hans"):
        assert (event_label("update"), event_label("login_failed")) == ("修改", "登录失败")
        assert event_label("no.such_code") == "no.such_code"
        assert AuditEvent(action="unit.merge").label == "合并重复监督对象"


def test_the_filter_offers_the_codes_grouped_by_app():
    with translation.override("zh-hans"):
        groups = dict(event_choices())
    assert ("unit.merge", "合并重复监督对象") in groups["监督对象"]
    assert ("month.unlock", "解锁月份") in groups["月报表"]
    assert ("update", "修改") in groups["早期记录"]


def _codes_in(node: ast.expr, constants: dict[str, ast.expr]) -> set[str] | None:
    """The codes an argument can be: a literal, either side of ``a if c else b``,
    or a value of a module-level dict of literals (``STEP_EVENTS[kind]``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _codes_in(node.body, constants), _codes_in(node.orelse, constants)
        return body | orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = constants.get(node.value.id)
        if isinstance(table, ast.Dict):
            found: set[str] = set()
            for value in table.values:
                codes = _codes_in(value, constants)
                if codes is None:
                    return None
                found |= codes
            return found
    return None


def _recorded_codes() -> tuple[dict[str, list[str]], list[str]]:
    """Every event code the code base records, with where; and the calls
    whose code cannot be read from the source."""
    used: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants: dict[str, ast.expr] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name):
                    constants[target.id] = statement.value
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
                constants[statement.target.id] = statement.value
        passed_on = _passed_on(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or node in passed_on:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in AUDIT_CALLS:
                continue
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            argument = _code_argument(node)
            codes = _codes_in(argument, constants) if argument is not None else None
            if codes is None:
                unreadable.append(where)
                continue
            for code in codes:
                used.setdefault(code, []).append(where)
    return used, unreadable


def test_every_event_code_the_code_records_is_named_in_chinese():
    used, unreadable = _recorded_codes()
    assert not unreadable, f"pass the event code as a literal: {unreadable}"
    assert len(used) > 80  # the walk found the services' calls
    known = event_types()
    unnamed = {code: where for code, where in used.items() if code not in known}
    assert not unnamed, f"register these codes with a Chinese name (register_events): {unnamed}"
    with translation.override("zh-hans"):
        untranslated = [code for code in used if not re.search(r"[\u4e00-\u9fff]", str(known[code].label))]
    assert not untranslated, f"these event names have no Chinese: {untranslated}"
    assert set(known) <= set(used), f"registered but never recorded: {sorted(set(known) - set(used))}"


def test_audit_record_keeps_events_without_a_record_to_compare(demo, county_admin):
    event = audit_record(actor=None, action="session.login_failed", username="nobody", area_path="")
    assert (event.actor, event.actor_username, event.changes) == (None, "nobody", {})


def _recorded_change_keys() -> dict[str, list[str]]:
    """Every key the code puts in an event's changes by hand: the literal
    keys of ``changes={...}`` in an audit call and of ``audit.changes["…"]``."""
    keys: dict[str, list[str]] = {}
    for path in sorted(ROOT.glob("*/**/*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found: list[ast.expr] = []
            if isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in (
                AUDIT_CALLS
            ):
                found += [
                    k
                    for kw in node.keywords
                    if kw.arg == "changes" and isinstance(kw.value, ast.Dict)
                    for k in kw.value.keys
                    if k is not None
                ]
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "changes"
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id == "audit"
            ):
                found.append(node.slice)
            for key in found:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.setdefault(key.value, []).append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return keys


def test_every_change_the_code_records_by_hand_is_named_in_chinese():
    """Issue 20 item 4: the audit log and the unit file name each change in
    Chinese — a key that is no field of any model (``signature``) is named
    with ``register_change_labels``."""
    from django.apps import apps

    from xieguan.core.event_names import change_labels

    keys = _recorded_change_keys()
    assert {"signature", "merged_units", "version"} <= set(keys)  # the walk found them
    with translation.override("zh-hans"):
        fields = {
            f.name: str(f.verbose_name)
            for model in apps.get_models()
            if model.__module__.startswith("xieguan.")
            for f in model._meta.get_fields()
            if hasattr(f, "verbose_name")
        }
        named = {key: str(change_labels().get(key) or fields.get(key, "")) for key in keys}
    unnamed = {key: keys[key] for key, label in named.items() if not re.search(r"[\u4e00-\u9fff]", label)}
    assert not unnamed, f"name these changes in Chinese (register_change_labels): {unnamed}"


def test_the_log_shows_changes_as_people_read_them(demo, county_admin, township):
    """是/否 for a flag, local time for a moment (kept as ISO in UTC), the
    registered name of a key that is no field, ``—`` for nothing."""
    import datetime

    from django.utils import timezone

    from xieguan.core.audit import change_rows

    moment = datetime.datetime(2026, 12, 5, 18, 14, 41, tzinfo=datetime.UTC)
    event = audit_record(
        actor=county_admin,
        action="area.update",
        obj=township,
        changes={"code": [None, True], "name": [moment, None], "merged_units": ["甲", False]},
    )
    event.refresh_from_db()
    assert event.changes["name"] == [moment.isoformat(), None]
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        rows = change_rows(event)
    assert rows == [
        ("统计用区划代码", "—", "是"),
        ("名称", "2026-12-06 02:14", "—"),
        ("被合并的单位", "甲", "否"),
    ]
