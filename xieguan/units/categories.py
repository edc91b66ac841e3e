"""A county's own subtypes and category fields (SPEC §3, §15: categories are
county settings, not code): every write, permitted, scoped to the county,
audited. The national rows (no county) are shared by every county and stay
as they are; a county adds its own, which apply to its units only, and
switches them off and on again. Nothing is deleted: a unit keeps a subtype
its county switched off, and the values filled in for a field switched off
stay in the unit's ``extra``.

Reads (which subtypes and fields a unit of a county has) are in
``xieguan.units.selectors``: ``fields_in_force``, ``subtypes_in_force``,
``category_settings_for``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from xieguan.accounts.permissions import CONFIGURE_UNIT_CATEGORIES, can, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.tabular import header_key
from xieguan.units.models import Category, CategoryField, FieldKind, Subtype
from xieguan.units.selectors import county_id_for_user
from xieguan.units.services import units_refresh_completeness

if TYPE_CHECKING:
    from xieguan.accounts.models import User

NAME_LIMIT = 50
CHOICES_MAX = 50
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def require_county_settings(actor: User, county: Area) -> None:
    """403 without the role (in the county the actor works in, whose
    settings they read: a co-manager of one of its townships), 404 for
    another county, and a county it must be."""
    if county_id_for_user(actor) == county.pk and not can(actor, CONFIGURE_UNIT_CATEGORIES):
        raise PermissionDenied(_("Your role does not allow this."))
    require(actor, CONFIGURE_UNIT_CATEGORIES, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": [_("Subtypes and fields are set per county.")]})


def _folded(text: str) -> str:
    """A name as two names are compared: full-width folded, no spaces, lower case."""
    return header_key(text) or str(text).strip().lower()


def _next_sort(rows: Any) -> int:
    return int(rows.aggregate(top=Max("sort"))["top"] or 0) + 1


# ---- subtypes ------------------------------------------------------------------


def subtype_add(*, actor: User, county: Area, category: Category, name: str) -> tuple[Subtype, bool]:
    """Add a subtype of ``category`` that units of ``county`` may be given.
    A name the category already has in the county (a national subtype or
    one of the county's, even switched off) is refused, except the county's
    own in use with exactly this name: that is a retry, answered with the
    subtype already made (``created`` False)."""
    require_county_settings(actor, county)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the subtype's name.")]})
    if len(name) > NAME_LIMIT:
        raise ValidationError({"name": [_("Use at most %(limit)d characters.") % {"limit": NAME_LIMIT}]})
    same = Subtype.objects.filter(category=category).for_county(county.pk)
    for other in same:
        if _folded(other.name) != _folded(name):
            continue
        if other.county_id == county.pk and other.is_active and other.name == name:
            return other, False
        raise ValidationError({"name": [_name_taken(other, county)]})

    try:
        with transaction.atomic(), audited(actor, "subtype.add", area_path=county.path) as audit:
            subtype = audit.obj = Subtype.objects.create(
                category=category, county=county, name=name, sort=_next_sort(same)
            )
    except IntegrityError:
        # The same name sent twice at once: the second meets the first.
        existing = Subtype.objects.filter(category=category, county=county, name=name, is_active=True).first()
        if existing is None:
            raise
        return existing, False
    return subtype, True


def _name_taken(other: Subtype, county: Area) -> str:
    if other.county_id is None:
        return _("%(name)s is already a national subtype of this category.") % {"name": other.name}
    if not other.is_active:
        return _("The county already has the subtype %(name)s, switched off; switch it back on instead.") % {
            "name": other.name
        }
    return _("The county already has the subtype %(name)s.") % {"name": other.name}


def subtype_deactivate(*, actor: User, subtype: Subtype) -> Subtype:
    """Switch off a subtype of the actor's county: no unit is given it any
    more; the units that have it keep it. The national ones cannot be."""
    county = _switchable(actor, subtype, active=False)
    with transaction.atomic(), audited(actor, "subtype.deactivate", subtype, area_path=county.path) as audit:
        _switch(audit, subtype, county, active=False)
    return subtype


def subtype_reactivate(*, actor: User, subtype: Subtype) -> Subtype:
    """Switch a subtype the county switched off back on."""
    county = _switchable(actor, subtype, active=True)
    with transaction.atomic(), audited(actor, "subtype.reactivate", subtype, area_path=county.path) as audit:
        _switch(audit, subtype, county, active=True)
    return subtype


# ---- fields --------------------------------------------------------------------


def _key_from(label: str) -> str:
    """A key for a field from its label's pinyin: 座位数 → zuo_wei_shu."""
    words = lazy_pinyin(label, style=Style.NORMAL, errors="default")
    parts = ["".join(ch for ch in word.lower() if ch.isascii() and ch.isalnum()) for word in words]
    key = "_".join(p for p in parts if p)[:40].strip("_")
    if not key or not key[0].isalpha():
        key = f"f_{key}"[:40].strip("_")
    return key


def _reserved_labels(category: Category) -> set[str]:
    """The names the import already reads as a common column (名称, 地址, 电话 …):
    a field under one of them could not be told apart in a sheet."""
    from xieguan.units.imports import columns_for

    names: set[str] = set()
    for column in columns_for(category, []):
        if not column.key.startswith("extra."):
            names.update(_folded(n) for n in (str(column.label), *column.aliases))
    return names


def _clean_choices(kind: str, choices: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(the choices as stored, the problems found)."""
    values = [str(c).strip() for c in (choices or []) if str(c).strip()]
    if kind != FieldKind.CHOICE:
        return [], ([_("Only a field of the kind “choice” has choices.")] if values else [])
    problems = []
    if len(values) < 2:
        problems.append(_("Give at least two choices, one per line."))
    if len(values) > CHOICES_MAX:
        problems.append(_("Give at most %(max)d choices.") % {"max": CHOICES_MAX})
    if any(len(v) > NAME_LIMIT for v in values):
        problems.append(_("A choice has at most %(limit)d characters.") % {"limit": NAME_LIMIT})
    if len({_folded(v) for v in values}) != len(values):
        problems.append(_("A choice is given twice."))
    return values, problems


def category_field_add(
    *,
    actor: User,
    county: Area,
    category: Category,
    label: str,
    kind: str = FieldKind.TEXT,
    choices: Iterable[str] | None = None,
    required: bool = False,
    key: str = "",
) -> tuple[CategoryField, bool]:
    """Add a field that units of ``category`` in ``county`` carry besides the
    national ones; a required one counts for a complete file (建档完整), so
    the county's units of the category are checked again. ``key`` (the name
    in the API's ``extra`` and the import) is made from the label's pinyin
    when not given. The county's own field in use with the same label (or
    key) and the same kind, choices and requirement is a retry, answered
    with the field already made (``created`` False); any other clash with a
    national field or one of the county's is refused."""
    require_county_settings(actor, county)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = [_("Enter the field's name, as the form shows it.")]
    elif len(label) > NAME_LIMIT:
        errors["label"] = [_("Use at most %(limit)d characters.") % {"limit": NAME_LIMIT}]
    elif _folded(label) in _reserved_labels(category):
        errors["label"] = [_("Every unit already has a field called %(label)s.") % {"label": label}]
    if kind not in FieldKind.values:
        errors["kind"] = [_("Choose the kind of field from the list.")]
    clean_choices, problems = _clean_choices(kind, choices)
    if problems:
        errors["choices"] = problems
    key = (key or "").strip()
    if key and not _KEY.match(key):
        errors["key"] = [_("A key is lower-case letters, digits and _ (at most 40), starting with a letter.")]
    if errors:
        raise ValidationError(errors)

    same = CategoryField.objects.filter(category=category).for_county(county.pk)
    wanted = {"kind": kind, "choices": clean_choices, "required": bool(required)}
    for other in same:
        if _folded(other.label) != _folded(label) and other.key != key:
            continue
        if (
            other.county_id == county.pk
            and other.is_active
            and other.label == label
            and (not key or other.key == key)
            and all(getattr(other, name) == value for name, value in wanted.items())
        ):
            return other, False
        raise ValidationError(_field_taken(other, label, key))

    taken = {f.key for f in same}
    if not key:
        base = key = _key_from(label)
        n = 2
        while key in taken:
            suffix = f"_{n}"
            key = f"{base[: 40 - len(suffix)]}{suffix}"
            n += 1

    try:
        with transaction.atomic(), audited(actor, "category_field.add", area_path=county.path) as audit:
            field = audit.obj = CategoryField.objects.create(
                category=category, county=county, key=key, label=label, sort=_next_sort(same), **wanted
            )
            if field.required:
                _refresh(audit, category, county)
    except IntegrityError:
        existing = CategoryField.objects.filter(category=category, county=county, key=key, is_active=True).first()
        if existing is None or existing.label != label:
            raise
        return existing, False
    return field, True


def _field_taken(other: CategoryField, label: str, key: str) -> dict[str, list[str]]:
    where = "key" if key and other.key == key and _folded(other.label) != _folded(label) else "label"
    shown = {"label": other.label, "key": other.key}
    if other.county_id is None:
        message = _("The category already has the national field %(label)s (%(key)s).") % shown
    elif not other.is_active:
        message = (
            _("The county already has the field %(label)s (%(key)s), switched off; switch it back on instead.") % shown
        )
    else:
        message = _("The county already has the field %(label)s (%(key)s), of another kind or requirement.") % shown
    return {where: [message]}


def category_field_deactivate(*, actor: User, field: CategoryField) -> CategoryField:
    """Switch off a field of the actor's county: the unit form, the file, the
    import and the completeness check no longer have it; the values filled in
    stay in the units, to show again if it is switched back on. Not deleted,
    whether or not units filled it in. The national ones cannot be."""
    county = _switchable(actor, field, active=False)
    with transaction.atomic(), audited(actor, "category_field.deactivate", field, area_path=county.path) as audit:
        _switch(audit, field, county, active=False)
    return field


def category_field_reactivate(*, actor: User, field: CategoryField) -> CategoryField:
    """Switch a field the county switched off back on, with the values kept."""
    county = _switchable(actor, field, active=True)
    with transaction.atomic(), audited(actor, "category_field.reactivate", field, area_path=county.path) as audit:
        _switch(audit, field, county, active=True)
    return field


# ---- switching off and on --------------------------------------------------------


def _switchable(actor: User, row: Subtype | CategoryField, *, active: bool) -> Area:
    """The county of a row its actor may switch off or on: only a county's
    own, by that county; back on only while nothing in use took its name."""
    county = row.county
    if county is None:
        require(actor, CONFIGURE_UNIT_CATEGORIES)
        raise ValidationError(_("The national subtypes and fields are the same in every county; they stay in use."))
    require_county_settings(actor, county)
    if active and not row.is_active:
        _check_clash_on(row, county)
    return county


def _switch(audit: Any, row: Subtype | CategoryField, county: Area, *, active: bool) -> None:
    """Inside the audited block: a required field changes which files are
    complete, so the county's units are checked again."""
    row.is_active = active
    row.save(update_fields=["is_active"])
    if isinstance(row, CategoryField) and row.required:
        _refresh(audit, row.category, county)


def _check_clash_on(row: Subtype | CategoryField, county: Area) -> None:
    """Back on only while nothing in use meanwhile took its name."""
    if isinstance(row, Subtype):
        others = Subtype.objects.filter(category_id=row.category_id).in_force(county.pk).exclude(pk=row.pk)
        if any(_folded(o.name) == _folded(row.name) for o in others):
            raise ValidationError({"name": [_("Another subtype in use has this name.")]})
        return
    fields = CategoryField.objects.filter(category_id=row.category_id).in_force(county.pk).exclude(pk=row.pk)
    if any(_folded(o.label) == _folded(row.label) for o in fields):
        raise ValidationError({"label": [_("Another field in use has this name.")]})


def _refresh(audit: Any, category: Category, county: Area) -> None:
    changed = units_refresh_completeness(category=category, county=county)
    if changed:
        audit.note = _("The file of %(count)d units changed between complete and incomplete.") % {"count": changed}
