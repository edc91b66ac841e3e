"""Every write to the area tree: validated, permitted, scoped, audited."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.areas.codes import (
    check_code_format,
    level_of_code,
    normalise_code,
    parent_code_of,
    validate_area_code,
)
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audit_record, audited
from xieguan.core.display import join_list
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_once, existing_for_retry
from xieguan.core.permissions import MANAGE_AREAS, require
from xieguan.core.registry import registry
from xieguan.core.scope import is_within

if TYPE_CHECKING:
    # Areas sit below accounts: any Django user; accounts.User is one.
    from django.contrib.auth.models import AbstractUser as User


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the area's name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("The name is longer than 100 characters.")})
    return name


def _clean_code(code: str | None, *, level: int, parent: Area | None, exclude: Area | None = None) -> str | None:
    code = normalise_code(code) or None
    if code is None:
        return None
    try:
        validate_area_code(code, level=level, parent_code=parent.code if parent else None)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from None
    clash = Area.objects.filter(code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"code": _("Another area already has the code %(code)s.") % {"code": code}})
    return code


def area_create(
    *,
    actor: User,
    parent: Area,
    name: str,
    code: str | None = None,
    id: uuid.UUID | None = None,
) -> Area:
    """A new area below ``parent`` (one level down), inside the actor's scope."""
    require(actor, MANAGE_AREAS, parent.path)
    if parent.level >= Level.VILLAGE:
        raise ValidationError({"parent": _("A village cannot have areas below it.")})
    if not parent.is_active:
        raise ValidationError({"parent": _("The parent area has been retired.")})
    level = parent.level + 1
    name = _clean_name(name)
    clean_code = _clean_code(code, level=level, parent=parent)

    def make() -> Area:
        with audited(actor, "area.create") as audit:
            area = audit.obj = Area(id=id or uuid.uuid4(), parent=parent, name=name, level=level, code=clean_code)
            area.save()
        return area

    with transaction.atomic():
        area, _created = create_once(Area, id, actor, make)
    return area


def area_update(*, actor: User, area: Area, name: str, code: str | None) -> Area:
    """Rename or recode an area; the old name stays in its history."""
    require(actor, MANAGE_AREAS, area.path)
    clean_name = _clean_name(name)
    clean_code = _clean_code(code, level=area.level, parent=area.parent, exclude=area)
    with transaction.atomic(), audited(actor, "area.update", area):
        area.name, area.code = clean_name, clean_code
        area.save()
    return area


def _area_bound_models() -> list[type[models.Model]]:
    """Every model whose records belong to an area through a field ``area``."""
    found = []
    for model in apps.get_models():
        if model is Area or model._meta.abstract:
            continue
        f = next((f for f in model._meta.concrete_fields if f.name == "area"), None)
        if f is not None and getattr(f, "related_model", None) is Area and not model.__name__.startswith("Historical"):
            found.append(model)
    return found


def _move_subtree(area: Area, new_parent: Area) -> None:
    old_path = area.path
    new_path = new_parent.path + area.segment()
    Area.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )
    Area.objects.filter(pk=area.pk).update(parent=new_parent)
    area.refresh_from_db()


def area_move(*, actor: User, area: Area, new_parent: Area) -> Area:
    """Put an area (and everything below it) under another parent of the
    level above it, e.g. a village into the township it was merged into."""
    require(actor, MANAGE_AREAS, area.path)
    require(actor, MANAGE_AREAS, new_parent.path)
    if new_parent.level != area.level - 1:
        raise ValidationError({"parent": _("The new parent must be one level above the area.")})
    if new_parent.path.startswith(area.path):
        raise ValidationError({"parent": _("An area cannot be moved below itself.")})
    with transaction.atomic(), audited(actor, "area.move", area):
        _move_subtree(area, new_parent)
    return area


@dataclass
class RetireResult:
    area: Area
    moved_children: int = 0
    moved_records: dict[str, int] = field(default_factory=dict)
    closed_institutions: int = 0


def area_retire(*, actor: User, area: Area, successor: Area, on: datetime.date | None = None) -> RetireResult:
    """Retire an area (撤乡并镇): the areas below it and every record that
    belongs to it move to ``successor`` (same level); its institutions close;
    the area itself stays, with its name, for the history of old records."""
    require(actor, MANAGE_AREAS, area.path)
    require(actor, MANAGE_AREAS, successor.path)
    if not area.is_active:
        raise StateConflict(_("This area is already retired."))  # the area's state: 409 in the API
    if successor.pk == area.pk or successor.level != area.level or not successor.is_active:
        raise ValidationError({"successor": _("Choose an active area of the same level to merge into.")})
    on = on or timezone.localdate()
    result = RetireResult(area=area)
    with transaction.atomic(), audited(actor, "area.retire", area, fields=["retired_on", "successor"]) as audit:
        for child in list(area.children.all()):
            _move_subtree(child, successor)
            result.moved_children += 1
        for model in _area_bound_models():
            if model._meta.label_lower == "accounts.institution":
                continue
            try:
                with transaction.atomic():
                    moved = model._default_manager.filter(area=area).update(area=successor)
            except IntegrityError:
                # A record kept once per area (a year's population served)
                # that both areas hold: moving it would make two. Found by
                # the fuzzing as a 500; the areas' records decide, so 409.
                raise StateConflict(
                    {
                        "successor": _(
                            "Both areas hold %(records)s for the same period; correct them before retiring this area."
                        )
                        % {"records": model._meta.verbose_name_plural}
                    }
                ) from None
            if moved:
                result.moved_records[str(model._meta.verbose_name_plural)] = moved
        result.closed_institutions = area.institutions.filter(closed_on__isnull=True).update(closed_on=on)
        area.retired_on = on
        area.successor = successor
        area.save(update_fields=["retired_on", "successor", "updated_at"])
        audit.note = _(
            "%(children)d areas below moved, %(institutions)d institutions closed, records moved: %(records)s"
        ) % {
            "children": result.moved_children,
            "institutions": result.closed_institutions,
            "records": ", ".join(f"{k} {v}" for k, v in result.moved_records.items()) or "0",
        }
    return result


@dataclass
class SplitResult:
    area: Area
    created: bool = True
    moved_children: list[Area] = field(default_factory=list)
    moved_records: dict[str, int] = field(default_factory=dict)


def _move_open_work(area: Area, new_area: Area, moved: list[Area]) -> dict[str, int]:
    """Move the open work of ``area`` (registered ``OpenWork``) whose place
    lies in one of the ``moved`` areas to ``new_area``; by kind, how many."""
    counts: dict[str, int] = {}
    for entry in registry.open_work:
        where = Q()
        for place in entry.places:
            for child in moved:
                where |= Q(**{f"{place}__path__startswith": child.path})
        records = entry.model._default_manager.filter(**{entry.area_field: area}).filter(entry.is_open).filter(where)
        count = records.update(**{entry.area_field: new_area})
        if count:
            label = str(entry.model._meta.verbose_name_plural)
            counts[label] = counts.get(label, 0) + count
    return counts


def _split_errors(area: Area, chosen: list[Area]) -> dict[str, str]:
    """What is wrong with splitting ``chosen`` off ``area``, by field."""
    if area.level >= Level.VILLAGE:
        return {"villages": _("A village has no areas below it; it cannot be split.")}
    children = list(area.children.filter(retired_on__isnull=True))
    if not children:
        return {"villages": _("%(name)s has no areas below it to split off.") % {"name": area.name}}
    if not chosen:
        return {"villages": _("Choose the areas below %(name)s that go to the new area.") % {"name": area.name}}
    own = {child.pk for child in children}
    strangers = [a.name for a in chosen if a.pk not in own]
    if strangers:
        return {
            "villages": _("%(names)s is not directly below %(name)s.")
            % {"names": join_list(strangers), "name": area.name}
        }
    if own <= {a.pk for a in chosen}:
        return {
            "villages": _("Leave at least one area in %(name)s; to move them all, retire it or rename it instead.")
            % {"name": area.name}
        }
    return {}


def area_split_retry(*, actor: User, new_area: Area) -> SplitResult:
    """What a retried split answers: the area the first send made, the
    areas now below it; nothing moves again."""
    require(actor, MANAGE_AREAS, new_area.path)
    return SplitResult(area=new_area, created=False, moved_children=list(new_area.children.order_by("code", "name")))


def area_split(
    *,
    actor: User,
    area: Area,
    new_name: str,
    new_code: str | None = None,
    villages: Iterable[Area],
    id: uuid.UUID | None = None,
) -> SplitResult:
    """Divide an area in two (a township split, 乡镇拆分): a new area of the
    same level under the same parent takes the chosen areas directly below
    ``area`` with everything under them — their units, institutions and
    records, which lie by the area path — and the open work of ``area``
    itself that lies in them (``OpenWork``: an open complaint about a
    village that moves). Closed records bound to ``area`` stay with it, the
    area that handled them; ``area`` keeps its name, code and the rest.
    Audited: the new area's creation, each moved area's new parent, and the
    split on ``area`` with what moved. Made once per ``id``: a retry answers
    the area already made (``created`` False) and moves nothing."""
    require(actor, MANAGE_AREAS, area.path)
    parent = area.parent
    if parent is None:
        raise ValidationError(_("A province cannot be split here."))
    require(actor, MANAGE_AREAS, parent.path)
    sent_before = existing_for_retry(Area, id, actor)
    if sent_before is not None:
        return area_split_retry(actor=actor, new_area=sent_before)
    if not area.is_active:
        raise ValidationError(_("This area is retired; it cannot be split."))
    chosen = list({a.pk: a for a in villages}.values())
    errors = _split_errors(area, chosen)
    try:
        name = _clean_name(new_name)
    except ValidationError as exc:
        errors["new_name"] = " ".join(exc.messages)
    else:
        if Area.objects.filter(parent=parent, name=name, retired_on__isnull=True).exists():
            errors["new_name"] = _("%(parent)s already has an area named %(name)s.") % {
                "parent": parent.name,
                "name": name,
            }
    try:
        code = _clean_code(new_code, level=area.level, parent=parent)
    except ValidationError as exc:
        errors["new_code"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    chosen.sort(key=lambda a: (a.code or "", a.name))
    with transaction.atomic():
        with audited(actor, "area.create") as audit:
            new_area = audit.obj = Area(id=id or uuid.uuid4(), parent=parent, name=name, level=area.level, code=code)
            new_area.save()
            audit.note = _("Split off %(name)s.") % {"name": area.name}
        result = SplitResult(area=new_area)
        with audited(actor, "area.split", area) as audit:
            for child in chosen:
                with audited(actor, "area.move", child) as moved:
                    _move_subtree(child, new_area)
                    moved.note = _("Split off %(name)s into %(new)s.") % {"name": area.name, "new": new_area.name}
                # The area's own history (simple-history) gets the new parent too.
                child.save(update_fields=["parent", "updated_at"])
                result.moved_children.append(child)
            result.moved_records = _move_open_work(area, new_area, chosen)
            audit.always = True
            audit.note = _("Split: %(children)s moved to the new area %(new)s; open work moved: %(records)s") % {
                "children": join_list(child.name for child in chosen),
                "new": new_area.name,
                "records": ", ".join(f"{k} {v}" for k, v in result.moved_records.items()) or "0",
            }
    return result


# --- Import of an area list (code, name) -----------------------------------


@dataclass
class RowError:
    row: int
    column: str
    reason: str


class ImportRejected(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


@dataclass
class ImportSummary:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0


def areas_import(*, actor: User, rows: list[tuple[int, Any, Any]]) -> ImportSummary:
    """Build or update the tree from (row number, code, name) rows. Every row
    is checked first; one bad row rejects the whole file (ImportRejected with
    row, column and reason), so nothing is ever half imported."""
    require(actor, MANAGE_AREAS)
    errors: list[RowError] = []
    parsed: list[tuple[int, str, str, int]] = []
    seen: dict[str, int] = {}
    for row_no, raw_code, raw_name in rows:
        code = normalise_code(raw_code)
        name = str(raw_name or "").strip()
        if not code and not name:
            continue
        try:
            check_code_format(code)
            level = level_of_code(code)
        except ValidationError as exc:
            errors.append(RowError(row_no, _("code"), " ".join(exc.messages)))
            continue
        if not name:
            errors.append(RowError(row_no, _("name"), _("The name is empty.")))
            continue
        if len(name) > 100:
            errors.append(RowError(row_no, _("name"), _("The name is longer than 100 characters.")))
            continue
        if code in seen:
            errors.append(
                RowError(
                    row_no,
                    _("code"),
                    _("The code %(code)s is also on row %(other)d.") % {"code": code, "other": seen[code]},
                )
            )
            continue
        seen[code] = row_no
        parsed.append((row_no, code, name, level))
    if not parsed and not errors:
        errors.append(RowError(0, "", _("The file has no rows with a code and a name.")))

    existing = {a.code: a for a in Area.objects.filter(code__in=[p[1] for p in parsed])}
    file_codes = {p[1] for p in parsed}
    parent_codes = {parent_code_of(p[1], p[3]) for p in parsed} - {None} - file_codes
    existing.update({a.code: a for a in Area.objects.filter(code__in=parent_codes)})

    plan: list[tuple[int, str, str, int, Area | None]] = []
    for row_no, code, name, level in sorted(parsed, key=lambda p: p[3]):
        current = existing.get(code)
        pcode = parent_code_of(code, level)
        if current is not None:
            if current.name != name and not is_within(actor, current.path):
                errors.append(
                    RowError(row_no, _("code"), _("The area %(code)s lies outside your area.") % {"code": code})
                )
            plan.append((row_no, code, name, level, current))
            continue
        if pcode is None:
            if not actor.is_superuser:
                errors.append(RowError(row_no, _("code"), _("Only a system administrator can add a province.")))
            plan.append((row_no, code, name, level, None))
            continue
        parent = existing.get(pcode)
        if parent is None and pcode not in file_codes:
            errors.append(
                RowError(
                    row_no,
                    _("code"),
                    _("The parent area %(parent)s is neither in the file nor in the system.") % {"parent": pcode},
                )
            )
        elif parent is not None and not is_within(actor, parent.path):
            errors.append(RowError(row_no, _("code"), _("The area %(code)s lies outside your area.") % {"code": code}))
        plan.append((row_no, code, name, level, None))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))

    summary = ImportSummary()
    with transaction.atomic():
        by_code = dict(existing)
        for _row, code, name, level, current in plan:
            if current is not None:
                if current.name == name:
                    summary.unchanged += 1
                else:
                    area_update(actor=actor, area=current, name=name, code=code)
                    summary.renamed += 1
                continue
            pcode = parent_code_of(code, level)
            parent = by_code[pcode] if pcode else None
            area = Area(parent=parent, name=name, level=level, code=code)
            area.save()
            by_code[code] = area
            summary.created += 1
        audit_record(
            actor=actor,
            action="area.import",
            note=_("Area list imported: %(created)d created, %(renamed)d renamed, %(unchanged)d unchanged.")
            % {"created": summary.created, "renamed": summary.renamed, "unchanged": summary.unchanged},
        )
    return summary


_CODE_HEADERS = {"代码", "区划代码", "统计用区划代码", "code", "编码"}  # i18n: data — headings of uploaded sheets
_NAME_HEADERS = {"名称", "区划名称", "name", "单位名称"}  # i18n: data — headings of uploaded sheets


def code_name_rows(table: list[tuple[int, list]]) -> list[tuple[int, object, object]]:
    """Find the header row (a title row above it is skipped) and read the code
    and name columns; without a header, the first two columns."""
    code_col, name_col, start = 0, 1, 0
    for index, (_row, values) in enumerate(table[:10]):
        cells = [str(v or "").strip().lower() for v in values]
        codes = [i for i, c in enumerate(cells) if c in _CODE_HEADERS]
        names = [i for i, c in enumerate(cells) if c in _NAME_HEADERS]
        if codes and names:
            code_col, name_col, start = codes[0], names[0], index + 1
            break
    result = []
    for row_no, values in table[start:]:
        code = values[code_col] if code_col < len(values) else None
        name = values[name_col] if name_col < len(values) else None
        result.append((row_no, code, name))
    return result


def areas_import_file(*, actor: User, upload: Any) -> ImportSummary:
    """Import an uploaded sheet (Excel or CSV) of codes and names: the page
    and POST /api/areas/import. A file that is no readable sheet raises
    ValidationError on ``file``; bad rows raise ImportRejected."""
    from xieguan.core.tabular import BadFile, read_rows

    require(actor, MANAGE_AREAS)
    try:
        table = read_rows(upload, name=str(getattr(upload, "name", "") or ""))
    except BadFile as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return areas_import(actor=actor, rows=code_name_rows(table))
