"""Every write to the registry (SPEC §3): validated, permitted, scoped, audited."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.permissions import MANAGE_UNITS, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited, snapshot
from xieguan.core.display import join_list, labelled
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_audited_once, create_once
from xieguan.core.scope import is_within
from xieguan.core.validators import FAR_AHEAD_DAYS, clean_phone, date_error, normalise_credit_code, validate_credit_code
from xieguan.units.models import (
    Category,
    CategoryField,
    CertificateKind,
    FieldKind,
    Grade,
    Licence,
    RiskGrade,
    StaffCertificate,
    Subtype,
    Unit,
    UnitFiling,
    UnitStatus,
    county_id_of,
)
from xieguan.units.selectors import COMMON_REQUIRED, fields_in_force, missing_fields, unit_county_id

if TYPE_CHECKING:
    from xieguan.accounts.models import User

# The fields a page or the API may set on a unit, besides ``extra``.
UNIT_FIELDS = (
    "name",
    "credit_code",
    "legal_representative",
    "phone",
    "address",
    "latitude",
    "longitude",
    "area",
    "category",
    "subtype",
    "status",
    "opened_on",
    "closed_on",
    "is_key_unit",
    "risk_grade",
    "hygiene_grade",
)
OPENED_EARLIEST = datetime.date(1900, 1, 1)
_TEXT_LIMITS = {"name": 200, "legal_representative": 50, "phone": 30, "address": 200}
_COMMON_NAMES = [name for name, _label in COMMON_REQUIRED]
_TRUE = {"1", "true", "yes", "on", "是", "有"}  # i18n: data — answers read from uploads
_FALSE = {"0", "false", "no", "off", "否", "无"}  # i18n: data — answers read from uploads


def county_path(area: Area) -> str:
    """The path of the county an area lies in (the first three levels)."""
    segments = [s for s in area.path.split("/") if s][: Level.COUNTY]
    return "/" + "".join(f"{s}/" for s in segments)


def credit_code_taken(actor: User, *, code: str, name: str, path: str) -> str:
    """The message for a credit code the unit ``name`` at ``path`` already
    holds in the county. Only a unit the actor may see is named: a township
    must not learn its neighbours' units, nor test codes against their
    registry, so beyond its area it hears only that the code is registered
    elsewhere and who can move or merge the unit (the county)."""
    if is_within(actor, path):
        return _("The unit %(name)s in this county already has the credit code %(code)s.") % {
            "name": name,
            "code": code,
        }
    return _(
        "The credit code %(code)s is already registered elsewhere in this county. If it is the same unit, "
        "ask the county health bureau to transfer it to your area or to merge the two records."
    ) % {"code": code}


def _credit_code_clash(actor: User, code: str, area: Area, unit: Unit | None) -> dict[str, list[str]]:
    """The error for a credit code another unit of the area's county holds,
    or {} when it is free. The database holds the same rule
    (unit_credit_code_unique_in_county); this check gives the message."""
    clash = Unit.objects.filter(credit_code=code, county_id=county_id_of(area))
    if unit is not None:
        clash = clash.exclude(pk=unit.pk)
    other = clash.values("name", "area__path").first()
    if other is None:
        return {}
    return {"credit_code": [credit_code_taken(actor, code=code, name=other["name"], path=other["area__path"])]}


def record_filing(units: Iterable[Unit], *, on: datetime.date | None = None) -> None:
    """Record in the filing history (``UnitFiling``) each unit's
    ``is_complete`` as it now stands, from ``on`` (today if not given). Every
    writer of ``is_complete`` calls it — for a new unit, and whenever the
    value changes — so a past period's filing rate is judged as the file
    stood then. One bulk insert whatever the number of units; a second
    change of a unit on the same day overwrites that day's row."""
    day = on or timezone.localdate()
    rows = {unit.pk: UnitFiling(unit_id=unit.pk, since=day, complete=unit.is_complete) for unit in units}
    if rows:
        UnitFiling.objects.bulk_create(
            list(rows.values()),
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["unit", "since"],
            update_fields=["complete"],
        )


def record_filing_baseline(units: QuerySet[Unit]) -> int:
    """Give each of ``units`` that has no filing history yet one row: its
    file as it is now, since the day it opened (else the day it was
    registered) — for registries written in bulk without their past (the
    demo county, the benchmark province), as migration 0013 did for the
    registry that was there. One INSERT … SELECT: no unit passes through
    Python. Returns how many rows it wrote."""
    chosen = (
        units.order_by()
        .exclude(Exists(UnitFiling.objects.filter(unit=OuterRef("pk"))))
        .annotate(start=Coalesce("opened_on", TruncDate("created_at")))
        .values_list("id", "start", "is_complete")
    )
    connection = connections[chosen.db]
    sql, params = chosen.query.get_compiler(using=chosen.db).as_sql()
    table = connection.ops.quote_name(UnitFiling._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (unit_id, since, complete) {sql}", params)
        return cursor.rowcount


def _save_unit(actor: User, unit: Unit, *, creating: bool) -> None:
    """Save, turning the database's refusal of a credit code taken meanwhile
    (two people registering the same unit at once) into the same message
    as the check before it. Another IntegrityError (a retried id) goes on."""
    try:
        with transaction.atomic():
            unit.save(force_insert=creating)
    except IntegrityError:
        if unit.credit_code:
            errors = _credit_code_clash(actor, unit.credit_code, unit.area, unit)
            if errors:
                raise ValidationError(errors) from None
        raise


def clean_extra(
    fields: list[CategoryField], raw: dict[str, Any] | None, *, kept: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Category-field values in their stored form (JSON: numbers, booleans,
    ISO dates, strings); empty values are left out. ``fields`` are those in
    force for the unit (its category in its county). A value of a field no
    longer in force (one its county switched off) passes unchanged when it
    is the unit's stored value (``kept``): switching a field off keeps what
    was filled in. Errors are keyed ``extra.<key>`` and name the field."""
    raw = raw or {}
    kept = kept or {}
    unknown = set(raw) - {f.key for f in fields}
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key in sorted(unknown):
        if key in kept and raw[key] == kept[key]:
            values[key] = raw[key]
        else:
            errors[f"extra.{key}"] = [_("This category has no field %(key)s.") % {"key": key}]
    for field in fields:
        value = raw.get(field.key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        try:
            values[field.key] = _clean_value(field, value)
        except ValueError as exc:
            errors[f"extra.{field.key}"] = [labelled(field.label, exc)]
    if errors:
        raise ValidationError(errors)
    return values


def _clean_value(field: CategoryField, value: Any) -> Any:
    kind = field.kind
    if kind == FieldKind.BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("answer yes or no"))
    if kind == FieldKind.INT:
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueError(_("must be a whole number")) from None
        if number != number.to_integral_value() or number < 0:
            raise ValueError(_("must be a whole number"))
        return int(number)
    if kind == FieldKind.DECIMAL:
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueError(_("must be a number")) from None
        if not number.is_finite() or number < 0:
            raise ValueError(_("must be a number"))
        return str(number)
    if kind == FieldKind.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(_("must be a date such as 2026-05-06")) from None
    if kind == FieldKind.CHOICE:
        if str(value) not in (field.choices or []):
            raise ValueError(_("choose one of: %(choices)s") % {"choices": join_list(field.choices or [])})
        return str(value)
    text = str(value)
    if len(text) > 200:
        raise ValueError(_("is longer than 200 characters"))
    return text


def clean_unit_data(
    actor: User,
    data: dict[str, Any],
    *,
    unit: Unit | None,
    fields: list[CategoryField] | None = None,
    check_code_clash: bool = True,
    area_permitted: bool = False,
) -> dict[str, Any]:
    """The rules every way into the registry shares (form, API, Excel import,
    merge): the cleaned values, or one ValidationError keyed by field with
    every problem, so a form can show them all at once.

    The import checks thousands of rows with these same rules; it passes the
    category's ``fields`` once, has already checked the actor may manage
    every area it offers (``area_permitted``), and checks credit codes
    against the county in one query (``check_code_clash=False``)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, limit in _TEXT_LIMITS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = [_("Use at most %(limit)d characters.") % {"limit": limit}]
        clean[name] = value
    if not clean["name"]:
        errors["name"] = [_("Enter the unit's name.")]
    # A number kept from before the check (an old record, an older import)
    # stays until someone changes it; a new or changed one is checked.
    if clean["phone"] and "phone" not in errors and (unit is None or clean["phone"] != unit.phone):
        try:
            clean["phone"] = clean_phone(clean["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages

    area = data.get("area")
    if not isinstance(area, Area):
        errors["area"] = [_("Choose the village or township the unit is in.")]
    else:
        if not area_permitted:
            require(actor, MANAGE_UNITS, area.path)
        if area.level not in (Level.TOWNSHIP, Level.VILLAGE):
            errors["area"] = [_("A unit belongs to a village or a township.")]
        elif not area.is_active and (unit is None or unit.area_id != area.pk):
            errors["area"] = [_("This area has been retired.")]
    clean["area"] = area

    category = data.get("category")
    subtype = data.get("subtype")
    # The county whose subtypes and fields the unit takes: where its area is.
    county_id = county_id_of(area) if isinstance(area, Area) else None
    if not isinstance(category, Category):
        errors["category"] = [_("Choose the unit's category.")]
    elif subtype is not None and (not isinstance(subtype, Subtype) or subtype.category_id != category.pk):
        errors["subtype"] = [_("This subtype belongs to another category.")]
    elif subtype is not None and subtype.county_id not in (None, county_id):
        errors["subtype"] = [_("This subtype is not used in the unit's county.")]
    elif subtype is not None and not subtype.is_active and (unit is None or unit.subtype_id != subtype.pk):
        # A unit that has it keeps it; no other unit is given it any more.
        errors["subtype"] = [_("The county no longer uses this subtype.")]
    clean["category"], clean["subtype"] = category, subtype

    code = normalise_credit_code(data.get("credit_code")) or None
    if code is not None:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages
        else:
            if isinstance(area, Area) and check_code_clash:
                errors.update(_credit_code_clash(actor, code, area, unit))
    clean["credit_code"] = code

    status = data.get("status") or UnitStatus.OPEN
    if status not in UnitStatus.values:
        errors["status"] = [_("Choose open, suspended or closed.")]
    clean["status"] = status
    opened_on, closed_on = data.get("opened_on"), data.get("closed_on")
    if status == UnitStatus.CLOSED and closed_on is None:
        closed_on = timezone.localdate()
    if status != UnitStatus.CLOSED and closed_on is not None:
        errors["closed_on"] = [_("Only a closed unit has a closing date.")]
    if opened_on and closed_on and closed_on < opened_on:
        errors["closed_on"] = [_("The closing date is before the opening date.")]
    # A unit may have opened long before the registry began; not tomorrow.
    if problem := date_error(opened_on, earliest=OPENED_EARLIEST):
        errors["opened_on"] = [problem]
    if problem := date_error(closed_on):
        errors["closed_on"] = [problem]
    clean["opened_on"], clean["closed_on"] = opened_on, closed_on

    latitude, longitude = data.get("latitude"), data.get("longitude")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if latitude is not None and not -90 <= decimal.Decimal(str(latitude)) <= 90:
        errors["latitude"] = [_("The latitude lies between -90 and 90.")]
    if longitude is not None and not -180 <= decimal.Decimal(str(longitude)) <= 180:
        errors["longitude"] = [_("The longitude lies between -180 and 180.")]
    clean["latitude"], clean["longitude"] = latitude, longitude

    clean["is_key_unit"] = bool(data.get("is_key_unit"))
    risk, grade = data.get("risk_grade") or "", data.get("hygiene_grade") or ""
    if risk and risk not in RiskGrade.values:
        errors["risk_grade"] = [_("Choose low, medium or high.")]
    if grade and grade not in Grade.values:
        errors["hygiene_grade"] = [_("Choose A, B or C.")]
    clean["risk_grade"], clean["hygiene_grade"] = risk, grade
    # The grade's own date (the public page shows it): kept while the grade stays, today when it changes.
    if unit is None or unit.hygiene_grade != grade:
        clean["hygiene_graded_on"] = timezone.localdate() if grade else None

    if isinstance(category, Category):
        try:
            category_fields = fields if fields is not None else fields_in_force(category, county_id)
            kept = unit.extra if unit is not None and unit.category_id == category.pk else None
            clean["extra"] = clean_extra(category_fields, data.get("extra"), kept=kept)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    """The audited values of a unit, its category fields flattened to
    ``extra.<key>`` so that before → after names the one that changed."""
    values = snapshot(unit)
    values.pop("extra", None)
    values.pop("name_initials", None)
    for key, value in sorted((unit.extra or {}).items()):
        values[f"extra.{key}"] = value
    return values


def unit_create(*, actor: User, id: uuid.UUID | None = None, **data: Any) -> Unit:
    """Register a unit in a village or township inside the actor's area.
    Idempotent on ``id``: the same id sent again returns the unit already made."""
    require(actor, MANAGE_UNITS)
    unknown = set(data) - {*UNIT_FIELDS, "extra"}
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")

    def make() -> Unit:
        clean = clean_unit_data(actor, data, unit=None)
        with audited(actor, "unit.create", snapshot_with=unit_snapshot) as audit:
            unit = audit.obj = Unit(id=id or uuid.uuid4(), **clean)
            unit.is_complete = not missing_fields(unit)
            _save_unit(actor, unit, creating=True)
            record_filing([unit])
        return unit

    with transaction.atomic():
        unit, _created = create_once(Unit, id, actor, make)
    return unit


def _retained_extra(unit: Unit, area: Any) -> dict[str, Any]:
    """The unit's values of fields not in force where it is (a field its
    county switched off): a form or a client sends only the fields in force,
    and what was filled in before stays, to show again if the field is
    switched back on."""
    county_id = county_id_of(area) if isinstance(area, Area) else unit_county_id(unit)
    in_force = {f.key for f in fields_in_force(unit.category, county_id)}
    return {key: value for key, value in (unit.extra or {}).items() if key not in in_force}


def unit_update(*, actor: User, unit: Unit, **data: Any) -> Unit:
    """Change a unit; fields not given keep their values. The audit log
    records before → after of every field that changed."""
    require(actor, MANAGE_UNITS, unit.area.path)
    unknown = set(data) - {*UNIT_FIELDS, "extra"}
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    current = {name: getattr(unit, name) for name in UNIT_FIELDS}
    current["extra"] = dict(unit.extra or {})
    merged = {**current, **data}
    if "category" in data and data["category"] != unit.category and "extra" not in data:
        merged["extra"] = {}
    elif "extra" in data and merged["category"] == unit.category:
        merged["extra"] = {**_retained_extra(unit, merged.get("area")), **(data["extra"] or {})}
    clean = clean_unit_data(actor, merged, unit=unit)
    was_complete = unit.is_complete
    with transaction.atomic(), audited(actor, "unit.update", unit, snapshot_with=unit_snapshot):
        for name, value in clean.items():
            setattr(unit, name, value)
        unit.is_complete = not missing_fields(unit)
        _save_unit(actor, unit, creating=False)
        if unit.is_complete != was_complete:
            record_filing([unit])
    return unit


def licence_add(
    *,
    actor: User,
    unit: Unit,
    kind: str,
    number: str,
    issuer: str = "",
    issued_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    scope: str = "",
    id: uuid.UUID | None = None,
) -> Licence:
    """Record a licence the unit holds (卫生许可证 …)."""
    require(actor, MANAGE_UNITS, unit.area.path)
    errors: dict[str, list[str]] = {}
    kind, number = (kind or "").strip(), (number or "").strip()
    if not kind:
        errors["kind"] = [_("Enter the kind of licence, e.g. 卫生许可证.")]
    if not number:
        errors["number"] = [_("Enter the licence number.")]
    for name, value, ahead in (("issued_on", issued_on, 0), ("expires_on", expires_on, FAR_AHEAD_DAYS)):
        if problem := date_error(value, ahead_days=ahead):
            errors[name] = [problem]
    if issued_on and expires_on and expires_on < issued_on:
        errors["expires_on"] = [_("The expiry date is before the issue date.")]
    if errors:
        raise ValidationError(errors)

    licence, _created = create_audited_once(
        Licence,
        id,
        actor,
        "licence.add",
        unit=unit,
        kind=kind[:50],
        number=number[:60],
        issuer=(issuer or "").strip()[:100],
        issued_on=issued_on,
        expires_on=expires_on,
        scope=(scope or "").strip()[:200],
    )
    return licence


def certificate_add(
    *,
    actor: User,
    unit: Unit,
    person_name: str,
    kind: str,
    number: str = "",
    expires_on: datetime.date | None = None,
    id: uuid.UUID | None = None,
) -> StaffCertificate:
    """Record a certificate of one of the unit's staff (健康证, 培训合格证)."""
    require(actor, MANAGE_UNITS, unit.area.path)
    errors: dict[str, list[str]] = {}
    person_name = (person_name or "").strip()
    if not person_name:
        errors["person_name"] = [_("Enter the person's name.")]
    if kind not in CertificateKind.values:
        errors["kind"] = [_("Choose health certificate or hygiene training certificate.")]
    if problem := date_error(expires_on, ahead_days=FAR_AHEAD_DAYS):
        errors["expires_on"] = [problem]
    if errors:
        raise ValidationError(errors)

    certificate, _created = create_audited_once(
        StaffCertificate,
        id,
        actor,
        "certificate.add",
        unit=unit,
        person_name=person_name[:50],
        kind=kind,
        number=(number or "").strip()[:60],
        expires_on=expires_on,
    )
    return certificate


def units_refresh_completeness(*, category: Category, county: Area | None = None) -> int:
    """Recompute ``is_complete`` for the units of a category (of one county,
    if given) after its required fields changed, each unit by the fields in
    force in its own county; returns how many units changed. Not audited
    per unit: no user data changed (the setting's own event says why)."""
    fields = [f for f in CategoryField.objects.filter(category=category, is_active=True, required=True)]
    required: dict[Any, list[str]] = {}

    def required_in(county_id: Any) -> list[str]:
        if county_id not in required:
            required[county_id] = [f.key for f in fields if f.county_id in (None, county_id)]
        return required[county_id]

    units = Unit.objects.filter(category=category)
    if county is not None:
        units = units.filter(county=county)
    changed = []
    for unit in units.only("id", "is_complete", "extra", "county_id", *_COMMON_NAMES):
        complete = all(getattr(unit, name) not in (None, "") for name in _COMMON_NAMES) and all(
            (unit.extra or {}).get(key) not in (None, "") for key in required_in(unit.county_id)
        )
        if complete != unit.is_complete:
            unit.is_complete = complete
            changed.append(unit)
    with transaction.atomic():
        Unit.objects.bulk_update(changed, ["is_complete"], batch_size=500)
        record_filing(changed)
    return len(changed)


# ---- merging duplicates ----------------------------------------------------

MERGE_FIELDS = tuple(name for name in UNIT_FIELDS if name not in ("category",))


def _move_related(merged: Unit, survivor: Unit) -> dict[str, int]:
    """Point every record that refers to ``merged`` at ``survivor``; generic
    over ``Unit._meta.related_objects`` so a later app's model with a foreign
    key to Unit (inspections, complaints …) moves too. Returns how many
    records moved, by relation. The merged unit's filing history stays its
    own: the survivor's file did not change on the days the other's did."""
    moved: dict[str, int] = {}
    for relation in Unit._meta.related_objects:
        model = relation.related_model
        if model is UnitFiling:
            continue
        name = relation.field.name
        if relation.many_to_many:
            count = 0
            for obj in model._base_manager.filter(**{name: merged}):
                manager = getattr(obj, name)
                manager.remove(merged)
                manager.add(survivor)
                count += 1
        else:
            count = model._base_manager.filter(**{name: merged}).update(**{name: survivor})
        if count:
            moved[str(model._meta.verbose_name_plural)] = count
    return moved


def unit_merge(*, actor: User, survivor: Unit, merged: Unit, take_from_merged: Iterable[str] = ()) -> Unit:
    """Merge ``merged`` (a duplicate) into ``survivor``. The survivor keeps its
    own values except the fields named in ``take_from_merged`` (a unit field
    or ``extra.<key>``), which take the merged unit's value; the result is
    checked with the same rules as any edit. Every record pointing at the
    merged unit moves to the survivor; the merged unit keeps its history,
    points at the survivor (``merged_into``) and drops out of the lists. One
    audit event on the survivor records before → after."""
    require(actor, MANAGE_UNITS, survivor.area.path)
    require(actor, MANAGE_UNITS, merged.area.path)
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": [_("Choose two different units.")]})
    if survivor.merged_into_id or merged.merged_into_id:
        raise StateConflict({"merged": [_("One of these units has already been merged into another.")]})
    if county_path(survivor.area) != county_path(merged.area):
        raise ValidationError({"merged": [_("Units of different counties cannot be merged.")]})
    take = set(take_from_merged)
    in_force = fields_in_force(survivor.category, unit_county_id(survivor))
    allowed = {*MERGE_FIELDS, *(f"extra.{f.key}" for f in in_force)}
    unknown = take - allowed
    if unknown:
        raise ValidationError(
            {"merged": [_("These fields cannot be merged: %(fields)s") % {"fields": ", ".join(sorted(unknown))}]}
        )

    data: dict[str, Any] = {name: getattr(survivor, name) for name in UNIT_FIELDS}
    extra = dict(survivor.extra or {})
    for name in take:
        if name.startswith("extra."):
            key = name.removeprefix("extra.")
            value = (merged.extra or {}).get(key)
            if value in (None, ""):
                extra.pop(key, None)
            else:
                extra[key] = value
        else:
            data[name] = getattr(merged, name)
    data["extra"] = extra

    with transaction.atomic():
        survivor = Unit.objects.select_for_update().select_related("area", "category").get(pk=survivor.pk)
        merged = Unit.objects.select_for_update().select_related("area", "category").get(pk=merged.pk)
        if survivor.merged_into_id or merged.merged_into_id:
            raise StateConflict({"merged": [_("One of these units has already been merged into another.")]})
        with audited(actor, "unit.merge", survivor, snapshot_with=unit_snapshot) as audit:
            merged_code = merged.credit_code
            # The code passes to the survivor (or is dropped): one unit per code.
            if merged_code:
                merged.credit_code = None
                merged.save(update_fields=["credit_code", "updated_at"])
            clean = clean_unit_data(actor, data, unit=survivor)
            for name, value in clean.items():
                setattr(survivor, name, value)
            was_complete = survivor.is_complete
            survivor.is_complete = not missing_fields(survivor)
            survivor.save()
            if survivor.is_complete != was_complete:
                record_filing([survivor])
            moved = _move_related(merged, survivor)
            merged.refresh_from_db(fields=["merged_into"])
            merged.merged_into = survivor
            merged.save(update_fields=["merged_into", "updated_at"])
            audit.changes["merged_units"] = [None, merged.name]
            if merged_code:
                audit.changes["merged_credit_code"] = [merged_code, None]
            audit.note = _("%(merged)s was merged into this unit; moved: %(moved)s") % {
                "merged": merged.name,
                "moved": join_list(f"{name} {count}" for name, count in sorted(moved.items())) or "—",
            }
    return survivor
