"""Every write of assessments and funds: permitted, scoped, audited (SPEC §9)."""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.permissions import (
    APPEAL_ASSESSMENT,
    MANAGE_ASSESSMENTS,
    RECORD_STATION_VISIT,
    SCORE_ASSESSMENTS,
    can,
    require,
)
from xieguan.areas.models import Area, Level
from xieguan.assessments import rules
from xieguan.assessments.models import (
    Appeal,
    AssessedArea,
    Assessment,
    AssessmentItem,
    AssessmentScheme,
    AssessmentStatus,
    AwardMode,
    BudgetMode,
    Deduction,
    DeductionKind,
    FundAllocation,
    FundFormula,
    ItemKind,
    ItemRule,
    ItemScore,
    PeriodKind,
    Population,
    SchemeStatus,
    StationVisit,
    VisitKind,
)
from xieguan.assessments.periods import Span, day_text
from xieguan.assessments.selectors import visit_level
from xieguan.core.audit import audit_record, audited
from xieguan.core.display import join_list
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_audited_once, create_once
from xieguan.core.registry import registry
from xieguan.core.scope import is_within
from xieguan.core.validators import clean_text

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from xieguan.accounts.models import User

EVIDENCE_TYPES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _decimal(value: Any, *, field: str, low: Decimal | None = None, high: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Please enter a number.")}) from None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        raise ValidationError(
            {
                field: _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}
                if high is not None
                else _("Must not be less than %(low)s.") % {"low": low}
            }
        )
    return number


def indicator_codes() -> dict[str, Any]:
    """The registered indicators by code (read at call time: codes another app adds later count too)."""
    return {i.code: i for i in registry.indicators}


# ---------------------------------------------------------------- population


def population_save(
    *, actor: User, area: Area, year: int, population: int, source: str = "", id: uuid.UUID | None = None
) -> Population:
    """Set an area's 服务人口 for a year (one figure per area and year; saving again updates it)."""
    require(actor, MANAGE_ASSESSMENTS, area.path)
    if area.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError({"area": _("Population served is recorded for townships and villages only.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("That year is not right.")})
    if population < 0 or population > 10_000_000:
        raise ValidationError({"population": _("Population served must be between 0 and 10000000.")})
    clean_source = clean_text(source, field="source", limit=100)
    found = Population.objects.filter(area=area, year=year).first()
    with transaction.atomic():
        if found is None:
            with audited(actor, "population.save") as audit:
                found = audit.obj = Population.objects.create(
                    id=id or uuid.uuid4(), area=area, year=year, population=population, source=clean_source
                )
        else:
            with audited(actor, "population.save", found):
                found.population = population
                found.source = clean_source
                found.save(update_fields=["population", "source", "updated_at"])
    return found


def population_import(*, actor: User, parent: Area, year: int, upload: Any, source: str = "") -> int:
    """Read 服务人口 from a workbook: first column the area's name (a township
    or village inside ``parent``), second its population; a header row is
    skipped. Any bad row refuses the whole file, naming the row."""
    require(actor, MANAGE_ASSESSMENTS, parent.path)
    from openpyxl import load_workbook

    data = upload.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationError({"file": _("The file must not be larger than 5 MB.")})
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": _("Please upload an Excel file (.xlsx).")}) from None
    areas = {
        a.name: a
        for a in Area.objects.active().filter(path__startswith=parent.path, level__in=[Level.TOWNSHIP, Level.VILLAGE])
    }
    rows: list[tuple[Area, int]] = []
    errors: list[str] = []
    for number, row in enumerate(book.active.iter_rows(values_only=True), start=1):
        name = str(row[0]).strip() if row and row[0] is not None else ""
        value = row[1] if len(row) > 1 else None
        if not name:
            continue
        if number == 1 and not isinstance(value, int | float):
            continue  # the header
        area = areas.get(name)
        if area is None:
            errors.append(
                _("Row %(row)d: there is no township or village named “%(name)s”.") % {"row": number, "name": name}
            )
            continue
        try:
            count = int(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            errors.append(_("Row %(row)d: the population served must be a whole number.") % {"row": number})
            continue
        if count < 0 or count > 10_000_000:
            errors.append(_("Row %(row)d: the population served must be between 0 and 10000000.") % {"row": number})
            continue
        rows.append((area, count))
    if errors:
        raise ValidationError({"file": errors[:20]})
    if not rows:
        raise ValidationError({"file": _("The file holds no population figures.")})
    clean_source = clean_text(source, field="source", limit=100) or _("Excel import")
    with transaction.atomic():
        for area, count in rows:
            Population.objects.update_or_create(
                area=area, year=year, defaults={"population": count, "source": clean_source}
            )
        audit_record(actor=actor, action="population.import", obj=parent, changes={"rows": [None, len(rows)]})
    return len(rows)


# ---------------------------------------------------------------- schemes


def _check_tiers(award_mode: str, award_tiers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    clean = []
    for tier in award_tiers:
        name = clean_text(tier.get("name"), field="award_tiers", limit=20, required=True)
        entry: dict[str, Any] = {
            "name": name,
            "coefficient": str(
                _decimal(tier.get("coefficient", "1"), field="award_tiers", low=Decimal(0), high=Decimal(10))
            ),
        }
        if award_mode == AwardMode.RANKS:
            try:
                entry["count"] = int(tier.get("count") or "")
            except (TypeError, ValueError):
                raise ValidationError(
                    {"award_tiers": _("When awarding by rank, give the number of places of every award.")}
                ) from None
            if not 0 <= entry["count"] <= 1000:
                raise ValidationError({"award_tiers": _("The number of places must be between 0 and 1000.")})
        else:
            entry["min_score"] = str(
                _decimal(tier.get("min_score"), field="award_tiers", low=Decimal(0), high=Decimal(1000))
            )
        clean.append(entry)
    return clean


def scheme_create(
    *,
    actor: User,
    area: Area,
    name: str,
    period_kind: str = PeriodKind.HALF,
    award_mode: str = AwardMode.RANKS,
    award_tiers: Sequence[dict[str, Any]] = (),
    fund_formula: str = FundFormula.SHARE,
    appeal_days: int = 5,
    id: uuid.UUID | None = None,
) -> AssessmentScheme:
    """A draft scheme of the county (for its townships) or of a township (for its villages)."""
    require(actor, MANAGE_ASSESSMENTS, area.path)
    if area.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise ValidationError({"area": _("Only a county or a township can make an assessment scheme.")})
    _check_scheme_choices(period_kind, award_mode, fund_formula, appeal_days)
    clean_name = clean_text(name, field="name", limit=100, required=True)
    tiers = _check_tiers(award_mode, award_tiers)

    scheme, _created = create_audited_once(
        AssessmentScheme,
        id,
        actor,
        "scheme.create",
        area=area,
        name=clean_name,
        period_kind=period_kind,
        award_mode=award_mode,
        award_tiers=tiers,
        fund_formula=fund_formula,
        appeal_days=appeal_days,
        created_by=actor,
    )
    return scheme


SCHEME_FIELDS = ("name", "period_kind", "award_mode", "award_tiers", "fund_formula", "appeal_days")


def _check_scheme_choices(period_kind: str, award_mode: str, fund_formula: str, appeal_days: int) -> None:
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("The assessment period is not valid.")})
    if award_mode not in AwardMode.values:
        raise ValidationError({"award_mode": _("The award mode is not valid.")})
    if fund_formula not in FundFormula.values:
        raise ValidationError({"fund_formula": _("The funds formula is not valid.")})
    if not 1 <= appeal_days <= 60:
        raise ValidationError({"appeal_days": _("The appeal period must be between 1 and 60 days.")})


def scheme_update(*, actor: User, scheme: AssessmentScheme, changes: dict[str, Any]) -> AssessmentScheme:
    """Edit a draft scheme (name, period, awards, funds formula, appeal days):
    ``changes`` names the fields to change, checked as when the scheme is
    made. A scheme in use is refused: it is revised as a new version."""
    require(actor, MANAGE_ASSESSMENTS, scheme.area.path)
    _draft(scheme)
    unknown = set(changes) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": join_list(sorted(unknown))})
    merged = {f: changes.get(f, getattr(scheme, f)) for f in SCHEME_FIELDS}
    _check_scheme_choices(merged["period_kind"], merged["award_mode"], merged["fund_formula"], merged["appeal_days"])
    clean_name = clean_text(merged["name"], field="name", limit=100, required=True)
    tiers = _check_tiers(merged["award_mode"], merged["award_tiers"])
    with transaction.atomic(), audited(actor, "scheme.update", scheme):
        scheme.name = clean_name
        scheme.period_kind = merged["period_kind"]
        scheme.award_mode = merged["award_mode"]
        scheme.award_tiers = tiers
        scheme.fund_formula = merged["fund_formula"]
        scheme.appeal_days = merged["appeal_days"]
        scheme.save()
    return scheme


def _draft(scheme: AssessmentScheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise StateConflict(_("The scheme is in use and can no longer be changed; to adjust it, create a new version."))


def _clean_item(
    *,
    name: str,
    max_score: Any,
    kind: str,
    indicator_code: str,
    rule: str,
    target: Any,
    floor: Any,
    tiers: Sequence[Sequence[Any]],
    guidance: str,
) -> dict[str, Any]:
    """An item's fields checked as the service stores them (adding and editing share it)."""
    clean_name = clean_text(name, field="name", limit=100, required=True)
    top = _decimal(max_score, field="max_score", low=Decimal("0.01"), high=Decimal(1000))
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("The scoring method is not valid.")})
    if rule not in ItemRule.values:
        raise ValidationError({"rule": _("The scoring rule is not valid.")})
    clean_target = clean_floor = None
    clean_tiers: list[list[str]] = []
    if kind == ItemKind.AUTO:
        if indicator_code not in indicator_codes():
            raise ValidationError({"indicator_code": _("Please choose a registered indicator.")})
        if rule == ItemRule.THRESHOLD:
            clean_target = _decimal(
                100 if target in (None, "") else target, field="target", low=Decimal(0), high=Decimal(100)
            )
            if floor not in (None, ""):
                clean_floor = _decimal(floor, field="floor", low=Decimal(0), high=Decimal(100))
                if clean_floor > clean_target:
                    raise ValidationError({"floor": _("The floor cannot be higher than the target.")})
        else:
            for tier in tiers:
                if len(tier) != 2:
                    raise ValidationError(
                        {"tiers": _("Each band needs its lowest percentage and its share of the score.")}
                    )
                clean_tiers.append(
                    [
                        str(_decimal(tier[0], field="tiers", low=Decimal(0), high=Decimal(100))),
                        str(_decimal(tier[1], field="tiers", low=Decimal(0), high=Decimal(100))),
                    ]
                )
            if not clean_tiers:
                raise ValidationError({"tiers": _("Please fill in at least one band.")})
    else:
        indicator_code = ""
    return {
        "name": clean_name,
        "guidance": clean_text(guidance, field="guidance", limit=2000),
        "max_score": top,
        "kind": kind,
        "indicator_code": indicator_code,
        "rule": rule,
        "target": clean_target,
        "floor": clean_floor,
        "tiers": clean_tiers,
    }


def scheme_item_add(
    *,
    actor: User,
    scheme: AssessmentScheme,
    name: str,
    max_score: Any,
    kind: str = ItemKind.MANUAL,
    indicator_code: str = "",
    rule: str = ItemRule.THRESHOLD,
    target: Any = None,
    floor: Any = None,
    tiers: Sequence[Sequence[Any]] = (),
    guidance: str = "",
    order: int | None = None,
    id: uuid.UUID | None = None,
) -> AssessmentItem:
    """Add an item to a draft scheme. An automatic item names a registered indicator by its code."""
    require(actor, MANAGE_ASSESSMENTS, scheme.area.path)
    _draft(scheme)
    fields = _clean_item(
        name=name,
        max_score=max_score,
        kind=kind,
        indicator_code=indicator_code,
        rule=rule,
        target=target,
        floor=floor,
        tiers=tiers,
        guidance=guidance,
    )
    if order is None:
        order = scheme.items.count() + 1

    item, _created = create_audited_once(
        AssessmentItem, id, actor, "scheme_item.create", scheme=scheme, order=order, **fields
    )
    return item


ITEM_FIELDS = ("name", "guidance", "max_score", "kind", "indicator_code", "rule", "target", "floor", "tiers")


def scheme_item_update(*, actor: User, item: AssessmentItem, changes: dict[str, Any]) -> AssessmentItem:
    """Edit an item of a draft scheme: ``changes`` names the fields to change
    (the others keep their values), checked as when the item is added; a scheme
    in use is refused (it is revised as a new version)."""
    require(actor, MANAGE_ASSESSMENTS, item.scheme.area.path)
    _draft(item.scheme)
    unknown = set(changes) - set(ITEM_FIELDS) - {"order"}
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": join_list(sorted(unknown))})
    merged = {f: changes.get(f, getattr(item, f)) for f in ITEM_FIELDS}
    fields = _clean_item(**merged)
    order = changes.get("order")
    if order is not None and not 1 <= int(order) <= 1000:
        raise ValidationError({"order": _("The item's number must be between 1 and 1000.")})
    with transaction.atomic(), audited(actor, "scheme_item.update", item):
        for name, value in fields.items():
            setattr(item, name, value)
        if order is not None:
            item.order = int(order)
        item.save()
    return item


def scheme_item_delete(*, actor: User, item: AssessmentItem) -> None:
    require(actor, MANAGE_ASSESSMENTS, item.scheme.area.path)
    _draft(item.scheme)
    with transaction.atomic(), audited(actor, "scheme_item.delete", item):
        item.delete()


def scheme_publish(*, actor: User, scheme: AssessmentScheme) -> AssessmentScheme:
    """Put a draft in use: its items are frozen; the version it replaces is retired."""
    require(actor, MANAGE_ASSESSMENTS, scheme.area.path)
    _draft(scheme)
    items = list(scheme.items.all())
    if not items:
        raise StateConflict(_("The scheme has no assessment items yet."))
    if scheme.award_mode == AwardMode.RANKS and not scheme.award_tiers:
        pass  # a scheme may award nothing
    with transaction.atomic():
        if scheme.previous_id:
            AssessmentScheme.objects.filter(pk=scheme.previous_id, status=SchemeStatus.IN_USE).update(
                status=SchemeStatus.RETIRED
            )
        with audited(actor, "scheme.publish", scheme):
            scheme.status = SchemeStatus.IN_USE
            scheme.published_at = timezone.now()
            scheme.save(update_fields=["status", "published_at", "updated_at"])
    return scheme


def scheme_revise(*, actor: User, scheme: AssessmentScheme) -> AssessmentScheme:
    """A new draft version copied from a scheme in use, to edit; the old one stays in use until the new is."""
    require(actor, MANAGE_ASSESSMENTS, scheme.area.path)
    if scheme.status == SchemeStatus.DRAFT:
        raise StateConflict(_("A draft can be edited directly."))
    with transaction.atomic(), audited(actor, "scheme.revise") as audit:
        copy = AssessmentScheme.objects.create(
            area=scheme.area,
            name=scheme.name,
            period_kind=scheme.period_kind,
            version=scheme.version + 1,
            previous=scheme,
            award_mode=scheme.award_mode,
            award_tiers=scheme.award_tiers,
            fund_formula=scheme.fund_formula,
            appeal_days=scheme.appeal_days,
            created_by=actor,
        )
        for item in scheme.items.all():
            item.pk = uuid.uuid4()
            item.scheme = copy
            item._state.adding = True
            item.save()
        audit.obj = copy
    return copy


# ---------------------------------------------------------------- assessments


def _manage(actor: User, assessment: Assessment) -> None:
    require(actor, MANAGE_ASSESSMENTS, assessment.area.path)


def assessment_create(
    *,
    actor: User,
    scheme: AssessmentScheme,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    areas: Sequence[Area],
    budget_mode: str = BudgetMode.PER_CAPITA,
    budget: Any = None,
    per_capita: Any = rules.DEFAULT_PER_CAPITA,
    id: uuid.UUID | None = None,
) -> Assessment:
    """Start an assessment of ``areas`` (the level below the scheme's area) under a scheme in use."""
    require(actor, MANAGE_ASSESSMENTS, scheme.area.path)
    if scheme.status != SchemeStatus.IN_USE:
        raise ValidationError({"scheme": _("Please choose an assessment scheme in use.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    areas = list(areas)
    if not areas:
        raise ValidationError({"areas": _("Please choose the areas to assess.")})
    for area in areas:
        if (
            area.level != scheme.area.level + 1
            or not area.path.startswith(scheme.area.path)
            or area.path == scheme.area.path
        ):
            raise ValidationError(
                {
                    "areas": _("%(area)s is not directly below %(parent)s.")
                    % {"area": area.name, "parent": scheme.area.name}
                }
            )
    if budget_mode not in BudgetMode.values:
        raise ValidationError({"budget_mode": _("The way the total funds are set is not valid.")})
    clean_budget = None
    if budget_mode == BudgetMode.ENTERED:
        if budget in (None, ""):
            raise ValidationError({"budget": _("Please enter the total funds.")})
        clean_budget = _decimal(budget, field="budget", low=Decimal(0), high=Decimal("999999999999"))
    clean_rate = _decimal(per_capita, field="per_capita", low=Decimal(0), high=Decimal(1000))
    clean_name = clean_text(name, field="name", limit=100, required=True)
    items = list(scheme.items.all())

    def make() -> Assessment:
        with audited(actor, "assessment.create") as audit:
            assessment = Assessment.objects.create(
                id=id or uuid.uuid4(),
                scheme=scheme,
                area=scheme.area,
                name=clean_name,
                period_kind=scheme.period_kind,
                starts_on=starts_on,
                ends_on=ends_on,
                budget_mode=budget_mode,
                budget=clean_budget,
                per_capita=clean_rate,
                created_by=actor,
            )
            AssessedArea.objects.bulk_create([AssessedArea(assessment=assessment, area=a) for a in areas])
            ItemScore.objects.bulk_create(
                [ItemScore(assessment=assessment, area=a, item=i) for a in areas for i in items]
            )
            audit.obj = assessment
            audit.changes["areas"] = [None, [a.name for a in areas]]
        return assessment

    with transaction.atomic():
        assessment, _created = create_once(Assessment, id, actor, make)
    return assessment


def reviewer_assign(*, actor: User, assessment: Assessment, item: AssessmentItem, reviewer: User) -> int:
    """Give a manual item (for every area of the assessment) to one reviewer; answers how many scores."""
    _manage(actor, assessment)
    if item.scheme_id != assessment.scheme_id or item.kind != ItemKind.MANUAL:
        raise ValidationError({"item": _("Scorers can only be assigned to manual items of this assessment.")})
    if assessment.status not in (AssessmentStatus.DRAFT, AssessmentStatus.SCORING):
        raise StateConflict(_("The results have been released; scorers can no longer be assigned."))
    if not (is_within(reviewer, assessment.area.path) and can(reviewer, SCORE_ASSESSMENTS)) or not reviewer.is_active:
        raise ValidationError({"reviewer": _("The scorer must be someone of the assessing area allowed to score.")})
    with transaction.atomic(), audited(actor, "item_score.assign", item) as audit:
        count = ItemScore.objects.filter(assessment=assessment, item=item).update(reviewer=reviewer)
        audit.changes["reviewers"] = [
            None,
            _("%(item)s: %(person)s") % {"item": item.name, "person": reviewer.full_name or reviewer.username},
        ]
    return count


def _figures(
    actor: User, assessment: Assessment, area: Area, item: AssessmentItem, today: datetime.date
) -> dict[str, Any]:
    indicator = indicator_codes().get(item.indicator_code)
    if indicator is None:
        return {"missing": item.indicator_code}
    rate = indicator.value(actor, area=area, period=Span(assessment.starts_on, assessment.ends_on), today=today)
    return {
        "code": indicator.code,
        "name": str(indicator.name),
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "percent": str(rate.percent) if rate.percent is not None else None,
    }


def _auto_score(item: AssessmentItem, figures: dict[str, Any]) -> Decimal:
    percent = Decimal(figures["percent"]) if figures.get("percent") is not None else None
    if (
        not indicator_has_denominator(item.indicator_code)
        and figures.get("numerator") is not None
        and "percent" in figures
    ):
        percent = Decimal(figures["numerator"])  # a plain count: compared with the target as a number
    return rules.item_score(
        percent=percent,
        max_score=item.max_score,
        rule=item.rule,
        target=item.target,
        floor=item.floor,
        tiers=[(Decimal(a), Decimal(b)) for a, b in item.tiers],
    )


def indicator_has_denominator(code: str) -> bool:
    indicator = indicator_codes().get(code)
    return indicator is None or indicator.denominator is not None


def assessment_compute(*, actor: User, assessment: Assessment, today: datetime.date | None = None) -> int:
    """Score the automatic items from the indicators, keeping the figures used; not after final."""
    _manage(actor, assessment)
    if assessment.status == AssessmentStatus.FINAL:
        raise StateConflict(_("The assessment is final; the automatic items' scores are frozen."))
    today = today or timezone.localdate()
    scores = list(
        ItemScore.objects.filter(assessment=assessment, item__kind=ItemKind.AUTO).select_related("item", "area")
    )
    now = timezone.now()
    with transaction.atomic():
        for score in scores:
            score.figures = _figures(actor, assessment, score.area, score.item, today)
            score.score = _auto_score(score.item, score.figures)
            score.scored_at = now
        ItemScore.objects.bulk_update(scores, ["figures", "score", "scored_at"])
        audit_record(actor=actor, action="assessment.compute", obj=assessment, changes={"rows": [None, len(scores)]})
    return len(scores)


def assessment_start(*, actor: User, assessment: Assessment, today: datetime.date | None = None) -> Assessment:
    """Open scoring: the automatic items are computed and the reviewers score the rest."""
    _manage(actor, assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise StateConflict(_("The assessment has already started."))
    with transaction.atomic():
        with audited(actor, "assessment.start", assessment):
            assessment.status = AssessmentStatus.SCORING
            assessment.save(update_fields=["status", "updated_at"])
        assessment_compute(actor=actor, assessment=assessment, today=today)
    return assessment


def _check_evidence(upload: UploadedFile | None) -> None:
    if upload is None:
        return
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationError({"evidence": _("Supporting evidence can only be a PDF, an image, Word or Excel.")})
    if upload.size and upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": _("Supporting evidence must not be larger than 20 MB.")})


def item_score_set(
    *, actor: User, score: ItemScore, value: Any, notes: str = "", evidence: UploadedFile | None = None
) -> ItemScore:
    """A reviewer's score of a manual item (its reviewer, or whoever runs the assessment)."""
    assessment = score.assessment
    require(actor, SCORE_ASSESSMENTS, assessment.area.path)
    if score.item.kind != ItemKind.MANUAL:
        raise ValidationError(_("An automatic item is computed from its indicator and cannot be scored by hand."))
    if assessment.status != AssessmentStatus.SCORING:
        raise StateConflict(_("Only an assessment being scored can be scored."))
    if score.reviewer_id and score.reviewer_id != actor.pk and not can(actor, MANAGE_ASSESSMENTS):
        raise ValidationError(_("This item has been given to another scorer."))
    number = _decimal(value, field="score", low=Decimal(0), high=score.item.max_score)
    _check_evidence(evidence)
    with transaction.atomic(), audited(actor, "item_score.score", score):
        score.score = number
        score.notes = clean_text(notes, field="notes", limit=2000)
        score.scored_at = timezone.now()
        score.scored_by = actor
        if evidence is not None:
            score.evidence_name = clean_text(evidence.name, field="evidence", limit=200)
            ext = (evidence.name or "").rsplit(".", 1)[-1].lower()
            score.evidence.save(f"evidence.{ext}", evidence, save=False)
        score.save()
    return score


def deduction_add(
    *,
    actor: User,
    assessment: Assessment,
    area: Area,
    kind: str,
    reason: str,
    points: Any = 0,
    id: uuid.UUID | None = None,
) -> Deduction:
    """A deduction of points, or a one-vote veto (一票否决) that makes the area's total zero, with its reason."""
    require(actor, SCORE_ASSESSMENTS, assessment.area.path)
    if assessment.status != AssessmentStatus.SCORING:
        raise StateConflict(_("Deductions and vetoes can only be recorded while the assessment is being scored."))
    if not AssessedArea.objects.filter(assessment=assessment, area=area).exists():
        raise ValidationError({"area": _("This area is not in this assessment.")})
    if kind not in DeductionKind.values:
        raise ValidationError({"kind": _("The type is not valid.")})
    clean_reason = clean_text(reason, field="reason", limit=300, required=True)
    clean_points = (
        Decimal(0)
        if kind == DeductionKind.VETO
        else _decimal(points, field="points", low=Decimal("0.01"), high=Decimal(1000))
    )

    found, _created = create_audited_once(
        Deduction,
        id,
        actor,
        "deduction.create",
        assessment=assessment,
        area=area,
        kind=kind,
        points=clean_points,
        reason=clean_reason,
        created_by=actor,
    )
    return found


def _tiers_of(scheme: AssessmentScheme) -> list[tuple[str, Any]]:
    if scheme.award_mode == AwardMode.THRESHOLDS:
        return [(t["name"], Decimal(t["min_score"])) for t in scheme.award_tiers]
    return [(t["name"], int(t["count"])) for t in scheme.award_tiers]


def totals_compute(assessment: Assessment) -> list[AssessedArea]:
    """Totals, ranks and award tiers from the scores and deductions (no audit: a derived figure)."""
    rows = list(AssessedArea.objects.filter(assessment=assessment).select_related("area"))
    scores: dict[Any, list[Decimal]] = {}
    for area_id, value in ItemScore.objects.filter(assessment=assessment).values_list("area_id", "score"):
        scores.setdefault(area_id, []).append(value or Decimal(0))
    deductions: dict[Any, list[Decimal]] = {}
    vetoed: set[Any] = set()
    for area_id, kind, points in Deduction.objects.filter(assessment=assessment).values_list(
        "area_id", "kind", "points"
    ):
        if kind == DeductionKind.VETO:
            vetoed.add(area_id)
        deductions.setdefault(area_id, []).append(points)
    totals = [
        (
            r.area_id,
            rules.total_score(scores.get(r.area_id, []), deductions.get(r.area_id, []), vetoed=r.area_id in vetoed),
        )
        for r in rows
    ]
    ranked = {
        r.key: r
        for r in rules.rank_and_tier(
            totals, mode=assessment.scheme.award_mode, tiers=_tiers_of(assessment.scheme), vetoed=frozenset(vetoed)
        )
    }
    for row in rows:
        found = ranked[row.area_id]
        row.total, row.rank, row.tier, row.vetoed = found.total, found.rank, found.tier, row.area_id in vetoed
    AssessedArea.objects.bulk_update(rows, ["total", "rank", "tier", "vetoed"])
    return rows


def assessment_release(*, actor: User, assessment: Assessment, today: datetime.date | None = None) -> Assessment:
    """Publish the scores to the assessed areas; the appeal window opens for the scheme's days."""
    _manage(actor, assessment)
    if assessment.status != AssessmentStatus.SCORING:
        raise StateConflict(_("Only an assessment being scored can be released."))
    left = ItemScore.objects.filter(assessment=assessment, score__isnull=True).select_related("item", "area")
    if left.exists():
        names = sorted({f"{s.area.name}·{s.item.name}" for s in left[:5]})
        raise StateConflict(_("Items not scored yet: %(items)s.") % {"items": join_list(names)})
    today = today or timezone.localdate()
    with transaction.atomic():
        assessment_compute(actor=actor, assessment=assessment, today=today)
        with audited(actor, "assessment.release", assessment):
            assessment.status = AssessmentStatus.RELEASED
            assessment.released_at = timezone.now()
            assessment.appeal_until = today + datetime.timedelta(days=assessment.scheme.appeal_days)
            assessment.save(update_fields=["status", "released_at", "appeal_until", "updated_at"])
        totals_compute(assessment)
    return assessment


def appeal_create(
    *,
    actor: User,
    assessment: Assessment,
    area: Area,
    reason: str,
    item: AssessmentItem | None = None,
    today: datetime.date | None = None,
    id: uuid.UUID | None = None,
) -> Appeal:
    """An assessed area's appeal against its scores, within the window."""
    require(actor, APPEAL_ASSESSMENT, area.path)
    today = today or timezone.localdate()
    if assessment.status != AssessmentStatus.RELEASED:
        raise StateConflict(_("Appeals can only be made against an assessment that is released and not yet final."))
    if assessment.appeal_until and today > assessment.appeal_until:
        raise StateConflict(_("The appeal period closed on %(date)s.") % {"date": day_text(assessment.appeal_until)})
    if not AssessedArea.objects.filter(assessment=assessment, area=area).exists():
        raise ValidationError({"area": _("This area is not in this assessment.")})
    if item is not None and item.scheme_id != assessment.scheme_id:
        raise ValidationError({"item": _("This item is not part of this assessment.")})
    clean_reason = clean_text(reason, field="reason", limit=2000, required=True)

    appeal, _created = create_audited_once(
        Appeal,
        id,
        actor,
        "appeal.create",
        assessment=assessment,
        area=area,
        item=item,
        reason=clean_reason,
        created_by=actor,
    )
    return appeal


def appeal_answer(*, actor: User, appeal: Appeal, answer: str, new_score: Any = None) -> Appeal:
    """The assessor's answer; a new score for the appealed item changes the totals."""
    assessment = appeal.assessment
    _manage(actor, assessment)
    if assessment.status != AssessmentStatus.RELEASED:
        raise StateConflict(_("The assessment is final; appeals can no longer be answered."))
    if appeal.answered_at is not None:
        raise StateConflict(_("This appeal has already been answered."))
    clean_answer = clean_text(answer, field="answer", limit=2000, required=True)
    number = None
    score = None
    if new_score not in (None, ""):
        if appeal.item is None:
            raise ValidationError({"new_score": _("The appeal names no item, so no score can be adjusted.")})
        score = ItemScore.objects.get(assessment=assessment, area=appeal.area, item=appeal.item)
        number = _decimal(new_score, field="new_score", low=Decimal(0), high=appeal.item.max_score)
    with transaction.atomic():
        with audited(actor, "appeal.answer", appeal):
            appeal.answer = clean_answer
            appeal.new_score = number
            appeal.answered_at = timezone.now()
            appeal.answered_by = actor
            appeal.save()
        if score is not None and number is not None:
            with audited(actor, "item_score.score", score, note=_("adjusted after an appeal")):
                score.score = number
                adjusted = _("Adjusted after an appeal: %(answer)s") % {"answer": clean_answer}
                score.notes = (score.notes + "\n" + adjusted).strip()[:2000]
                if score.item.kind == ItemKind.AUTO:
                    score.figures = {**score.figures, "adjusted": True}
                score.save()
            totals_compute(assessment)
    return appeal


def assessment_finalise(*, actor: User, assessment: Assessment, today: datetime.date | None = None) -> Assessment:
    """Final: every appeal answered; the scores with their figures are frozen and the funds allocated."""
    _manage(actor, assessment)
    if assessment.status != AssessmentStatus.RELEASED:
        raise StateConflict(_("Only a released assessment can be finalised."))
    if assessment.appeals.filter(answered_at__isnull=True).exists():
        raise StateConflict(_("Some appeals are still unanswered."))
    with transaction.atomic():
        totals_compute(assessment)
        with audited(actor, "assessment.finalise", assessment):
            assessment.status = AssessmentStatus.FINAL
            assessment.finalised_at = timezone.now()
            assessment.save(update_fields=["status", "finalised_at", "updated_at"])
        allocation_compute(actor=actor, assessment=assessment)
    return assessment


def allocation_compute(*, actor: User, assessment: Assessment) -> list[FundAllocation]:
    """Split the budget among the assessed areas: population × score coefficient,
    rounded to the fen by largest remainder so it sums to the budget exactly.
    The budget is the one entered, or the per-capita rate × the areas' population."""
    _manage(actor, assessment)
    if not assessment.is_released:
        raise StateConflict(_("Funds can only be allocated once the results are released."))
    rows = list(AssessedArea.objects.filter(assessment=assessment).select_related("area"))
    year = assessment.starts_on.year
    populations = dict(
        Population.objects.filter(area__in=[r.area_id for r in rows], year=year).values_list("area_id", "population")
    )
    missing = [r.area.name for r in rows if r.area_id not in populations]
    if missing:
        raise ValidationError(
            _("Population served for %(year)s is not recorded for: %(areas)s.")
            % {"year": year, "areas": join_list(missing)}
        )
    if assessment.budget_mode == BudgetMode.PER_CAPITA:
        budget = (assessment.per_capita * sum(populations.values())).quantize(rules.FEN)
    else:
        budget = assessment.budget or Decimal(0)
    full = assessment.scheme.full_marks or Decimal(100)
    tier_table = {t["name"]: Decimal(t.get("coefficient", "1")) for t in assessment.scheme.award_tiers}
    inputs = [
        (
            r,
            populations[r.area_id],
            r.total or Decimal(0),
            rules.coefficient_of(
                r.total or Decimal(0),
                formula=assessment.scheme.fund_formula,
                tier=r.tier,
                tier_coefficients=tier_table,
                full_marks=Decimal(full),
            )
            if not r.vetoed
            else Decimal(0),
        )
        for r in rows
    ]
    amounts = rules.allocate(budget, [(p, c) for _r, p, _s, c in inputs])
    with transaction.atomic(), audited(actor, "assessment.allocate", assessment) as audit:
        FundAllocation.objects.filter(assessment=assessment).delete()
        made = FundAllocation.objects.bulk_create(
            [
                FundAllocation(assessment=assessment, area=r.area, population=p, score=s, coefficient=c, amount=a)
                for (r, p, s, c), a in zip(inputs, amounts, strict=True)
            ]
        )
        assessment.budget = budget
        assessment.save(update_fields=["budget", "updated_at"])
        audit.always = True
        audit.changes["rows"] = [None, len(made)]
    return made


def bulletin_save(*, actor: User, assessment: Assessment, text: str) -> Assessment:
    """The bulletin's text as the user edited it (drafted from the data)."""
    _manage(actor, assessment)
    if not assessment.is_released:
        raise StateConflict(_("A bulletin can only be drafted once the results are released."))
    with transaction.atomic(), audited(actor, "assessment.bulletin", assessment):
        assessment.bulletin = clean_text(text, field="bulletin", limit=20000, required=True)
        assessment.save(update_fields=["bulletin", "updated_at"])
    return assessment


def bulletin_publish(*, actor: User, assessment: Assessment) -> Assessment:
    """Issue the bulletin to the assessed areas' home pages."""
    _manage(actor, assessment)
    if not assessment.bulletin.strip():
        raise StateConflict(_("Please save the bulletin first."))
    if assessment.status != AssessmentStatus.FINAL:
        raise StateConflict(_("The bulletin can only be issued once the assessment is final."))
    with transaction.atomic(), audited(actor, "assessment.bulletin_publish", assessment):
        assessment.bulletin_published_at = timezone.now()
        assessment.save(update_fields=["bulletin_published_at", "updated_at"])
    return assessment


# ---------------------------------------------------------------- station visits


def station_visit_create(
    *,
    actor: User,
    area: Area,
    visited_on: datetime.date,
    supervisors: str,
    kind: str = VisitKind.MONTHLY,
    items: str = "",
    findings: str = "",
    score: Any = None,
    id: uuid.UUID | None = None,
) -> StationVisit:
    """Record a 督导 or 抽查 of a station: the institute's of a township's,
    a township's co-managers' of a village's."""
    require(actor, RECORD_STATION_VISIT, area.path)
    level = visit_level(actor)
    if area.level != level:
        if level == Level.VILLAGE:
            raise ValidationError({"area": _("A township visits the stations of its villages.")})
        raise ValidationError({"area": _("A station visit must be to a township station.")})
    if kind not in VisitKind.values:
        raise ValidationError({"kind": _("The type is not valid.")})
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The date of the visit cannot be after today.")})
    clean_score = None if score in (None, "") else _decimal(score, field="score", low=Decimal(0), high=Decimal(100))
    values = {
        "supervisors": clean_text(supervisors, field="supervisors", limit=200, required=True),
        "items": clean_text(items, field="items", limit=4000),
        "findings": clean_text(findings, field="findings", limit=4000),
    }

    visit, _created = create_audited_once(
        StationVisit,
        id,
        actor,
        "station_visit.create",
        area=area,
        kind=kind,
        visited_on=visited_on,
        score=clean_score,
        created_by=actor,
        **values,
    )
    return visit
