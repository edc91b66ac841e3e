"""Writes of the risk app: scores (by the worker, nightly and after each new
record) and the county's weights."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.permissions import CONFIGURE_RISK, require
from xieguan.risk.history import batched, histories
from xieguan.risk.models import RiskSettings, UnitRisk
from xieguan.risk.score import Weights, score_history
from xieguan.units.models import Unit, UnitStatus

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


def recompute(units: Iterable[Unit] | Any, *, now: datetime.datetime | None = None) -> int:
    """Score ``units`` (a queryset, read in batches of 500, or a list) as of
    ``now``; returns how many. Per batch: the histories (nine queries), one
    upsert, and the units' own grade where the county wants it there."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    batches = batched(units) if hasattr(units, "filter") else [list(units)]
    count = 0
    settings_cache: dict[Any, RiskSettings] = {}
    for batch in batches:
        found = histories(batch, as_of=now)
        rows = []
        grades: dict[str, list[Any]] = {}
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
            if settings.sync_unit_grade and unit.risk_grade != scored.grade:
                grades.setdefault(scored.grade, []).append(unit.pk)
        with transaction.atomic():
            UnitRisk.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["unit"],
                update_fields=["score", "grade", "reasons", "computed_at", "updated_at"],
            )
            # The registry's own risk grade follows the score: the draws' per-grade ratios read it.
            for grade, ids in grades.items():
                Unit.objects.filter(pk__in=ids).update(risk_grade=GRADE_TO_UNIT[grade])
        count += len(rows)
    return count


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
        transaction.on_commit(lambda: recompute(scorable_units().filter(county=county)))
    return found
