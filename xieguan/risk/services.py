"""Writes of the risk app: scores (by the worker, nightly and after each new
record) and the county's weights."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.areas.models import Area, Level
from xieguan.core.audit import BulkChange, audit_record, audited, audited_bulk_update
from xieguan.core.permissions import CONFIGURE_RISK, require
from xieguan.risk.history import batched, histories
from xieguan.risk.models import RiskSettings, UnitRisk
from xieguan.risk.score import Weights, score_history
from xieguan.units.models import RiskGrade, Unit, UnitStatus

if TYPE_CHECKING:
    from xieguan.accounts.models import User

WEIGHT_FIELDS = [f.name for f in RiskSettings._meta.get_fields() if f.name in Weights.__dataclass_fields__]
GRADE_TO_UNIT = {"high": "high", "medium": "medium", "low": "low"}


def settings_for(county_id: Any) -> RiskSettings:
    """The county's settings, or the defaults (unsaved) without a row."""
    found = RiskSettings.objects.filter(county_id=county_id).first()
    return found if found is not None else RiskSettings(county_id=county_id)


def weights_of(settings: RiskSettings) -> Weights:
    values = {name: getattr(settings, name) for name in WEIGHT_FIELDS if name != "category_points"}
    points = {str(k): int(v) for k, v in (settings.category_points or {}).items() if str(v).lstrip("-").isdigit()}
    return Weights(**values, category_points=points)


def scorable_units() -> Any:
    return Unit.objects.filter(merged_into__isnull=True).exclude(status=UnitStatus.CLOSED)


def recompute(units: Iterable[Unit] | Any, *, now: datetime.datetime | None = None, actor: User | None = None) -> int:
    """Score ``units`` (a queryset, read in batches of 500, or a list) as of
    ``now``; returns how many. Per batch: the histories (nine queries) and
    one upsert; then the units' own grade where the county wants it there
    (``unit_grades_sync``, audited as ``actor``'s, the system's when None)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    batches: Any = batched(units) if isinstance(units, QuerySet) else [list(units)]
    count = 0
    settings_cache: dict[Any, RiskSettings] = {}
    for batch in batches:
        found = histories(batch, as_of=now)
        rows = []
        for unit in batch:
            settings = settings_cache.get(unit.county_id)
            if settings is None:
                settings = settings_cache[unit.county_id] = settings_for(unit.county_id)
            scored = score_history(found[unit.pk], on=today, weights=weights_of(settings))
            rows.append(
                UnitRisk(
                    unit=unit,
                    score=scored.score,
                    grade=scored.grade,
                    reasons=[r.as_json() for r in scored.reasons],
                    computed_at=now,
                )
            )
        UnitRisk.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["unit"],
            update_fields=["score", "grade", "reasons", "computed_at", "updated_at"],
        )
        count += len(rows)
    # The registry's own risk grade follows the score (the draws' per-grade
    # ratios read it): synced from the scores just written, audited.
    scope = units.values("pk") if isinstance(units, QuerySet) else [u.pk for u in batches[0]]
    unit_grades_sync(actor=actor, units=scope)
    return count


@dataclass(frozen=True)
class GradeSync:
    """What one ``unit_grades_sync`` run changed: how many units, and how
    many went from one grade to another (``("low", "high"): 3``)."""

    changed: int
    transitions: dict[tuple[str, str], int]


def _grade_label(value: str) -> str | None:
    return str(RiskGrade(value).label) if value in RiskGrade.values else (value or None)


def unit_grades_sync(*, actor: User | None, units: Any, batch_size: int = 1000) -> GradeSync:
    """Write each unit's computed grade (``UnitRisk.grade``) into the
    registry's ``Unit.risk_grade`` where they differ and the unit's county
    syncs them (``RiskSettings.sync_unit_grade``, on by default). ``units``
    is the scope: a queryset of unit ids, or a list of them.

    Scales to a province: only the units whose grade differs are read,
    ``batch_size`` at a time by unit id (keyset), each batch updated with
    one ``update()`` per grade and audited in its own transaction with one
    bulk insert. The audit is what an auditor asks of a grade: each changed
    unit gets its event ``unit.risk_grade_sync`` (before → after, on the
    unit's own history), and each county touched one summary event
    ``unit_risk_grade.sync`` (how many changed, from which grade to which).
    A run that changes nothing records nothing."""
    skipped = RiskSettings.objects.filter(sync_unit_grade=False).values("county_id")
    pending = (
        UnitRisk.objects.filter(unit_id__in=units)
        .exclude(unit__risk_grade=F("grade"))
        .exclude(unit__county_id__in=skipped)
        .order_by("unit_id")
        .values_list("unit_id", "unit__name", "unit__area__path", "unit__county__path", "unit__risk_grade", "grade")
    )
    by_county: dict[str, Counter[tuple[str, str]]] = {}
    last = None
    while True:
        batch = list((pending.filter(unit_id__gt=last) if last is not None else pending)[:batch_size])
        if not batch:
            break
        last = batch[-1][0]
        targets: dict[str, list[Any]] = {}
        for unit_id, _name, _path, county_path, before, after in batch:
            targets.setdefault(after, []).append(unit_id)
            by_county.setdefault(county_path, Counter())[(before, after)] += 1
        with transaction.atomic():
            for grade, ids in targets.items():
                Unit.objects.filter(pk__in=ids).update(risk_grade=GRADE_TO_UNIT[grade])
            audited_bulk_update(
                actor,
                "unit.risk_grade_sync",
                Unit,
                (
                    BulkChange(
                        object_id=str(unit_id),
                        object_repr=name,
                        area_path=path,
                        changes={"risk_grade": [_grade_label(before), _grade_label(after)]},
                    )
                    for unit_id, name, path, _county, before, after in batch
                ),
                note=_("Follows the computed risk score"),
            )
    transitions: Counter[tuple[str, str]] = Counter()
    with transaction.atomic():
        for county_path, counted in sorted(by_county.items()):
            transitions.update(counted)
            audit_record(
                actor=actor,
                action="unit_risk_grade.sync",
                area_path=county_path,
                changes={
                    "grades_changed": [None, sum(counted.values())],
                    "grade_transitions": [
                        None,
                        {
                            _("%(before)s → %(after)s")
                            % {"before": _grade_label(b) or "—", "after": _grade_label(a)}: n
                            for (b, a), n in sorted(counted.items())
                        },
                    ],
                },
            )
    return GradeSync(changed=sum(transitions.values()), transitions=dict(transitions))


def recompute_all(*, now: datetime.datetime | None = None) -> int:
    """Every open unit's score (the nightly run)."""
    return recompute(scorable_units(), now=now)


def recompute_unit_ids(ids: Iterable[Any]) -> int:
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return 0
    return recompute(list(scorable_units().filter(pk__in=wanted).select_related("area", "category")))


def settings_save(*, actor: User, county: Area, **values: Any) -> RiskSettings:
    """Save the county's weights and rescore its units with them."""
    require(actor, CONFIGURE_RISK, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Only a county sets risk weights.")})
    high, medium = values.get("high_from"), values.get("medium_from")
    if high is not None and medium is not None and medium >= high:
        raise ValidationError({"medium_from": _("Medium risk must start below high risk.")})
    found = settings_for(county.pk)
    with transaction.atomic(), audited(actor, "risk_settings.save", found if found.pk else None) as audit:
        for name, value in values.items():
            setattr(found, name, value)
        found.full_clean(exclude=["county"])
        found.save()
        audit.obj = found
        transaction.on_commit(lambda: recompute(scorable_units().filter(county=county), actor=actor))
    return found
