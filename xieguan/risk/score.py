"""The score itself: a pure function of what was known about a unit on a
day (``History``) and the county's weights. Nothing here reads the
database, so the nightly run, the recomputation after a new record and the
backtest (which builds histories as of a past cut-off) share one formula."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

YEAR = datetime.timedelta(days=365)
EXPIRING_DAYS = 30
INTERVAL_DAYS = {"month": 30, "quarter": 90}
MAX_OVERDUE_INTERVALS = 3
MAX_CERTIFICATE_PEOPLE = 5


@dataclass(frozen=True)
class Weights:
    violation: int = 10
    serious: int = 10
    open_rectification: int = 8
    complaint: int = 6
    report: int = 6
    overdue: int = 5
    key_unit: int = 5
    licence_expired: int = 10
    licence_expiring: int = 3
    certificate_expired: int = 2
    hygiene_b: int = 4
    hygiene_c: int = 10
    high_from: int = 30
    medium_from: int = 12
    category_points: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    id: Any
    day: datetime.date
    violation: bool
    serious: bool


@dataclass(frozen=True)
class Record:
    """An opinion, a complaint, a report, a licence or a certificate: its
    id, the day that counts and a label to link it by."""

    id: Any
    day: datetime.date | None
    label: str = ""
    closed: bool = False  # an opinion rectified by then


@dataclass
class History:
    unit_id: Any
    category_code: str = ""
    is_key_unit: bool = False
    frequency: str = "quarter"
    hygiene_grade: str = ""
    visits: list[Visit] = field(default_factory=list)
    opinions: list[Record] = field(default_factory=list)
    complaints: list[Record] = field(default_factory=list)
    reports: list[Record] = field(default_factory=list)
    licences: list[Record] = field(default_factory=list)
    health_certificates: list[Record] = field(default_factory=list)
    training_certificates: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any]
    points: int
    links: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params, "points": self.points, "links": self.links}


@dataclass(frozen=True)
class Scored:
    score: int
    grade: str
    reasons: list[Reason]


def _link(kind: str, record: Any, label: str = "") -> dict[str, Any]:
    return {"kind": kind, "id": str(record.id), "label": label}


def _unit_link(history: History, label: str) -> dict[str, Any]:
    """Licences and certificates are listed on the unit's own page."""
    return {"kind": "unit", "id": str(history.unit_id), "label": label}


def grade_of(score: int, weights: Weights) -> str:
    if score >= weights.high_from:
        return "high"
    if score >= weights.medium_from:
        return "medium"
    return "low"


def score_history(history: History, *, on: datetime.date, weights: Weights) -> Scored:
    """The score of a unit on the day ``on`` from ``history``: only what
    happened on or before that day counts (a history built as of a cut-off
    holds nothing later; this function drops it anyway)."""
    reasons: list[Reason] = []
    since = on - YEAR

    visits = [v for v in history.visits if v.day <= on]
    bad = sorted((v for v in visits if v.violation and v.day > since), key=lambda v: v.day, reverse=True)
    if bad and weights.violation:
        links = [_link("inspection", v, v.day.isoformat()) for v in bad]
        reasons.append(Reason("violations", {"n": len(bad)}, weights.violation * len(bad), links))
    serious = [v for v in bad if v.serious]
    if serious and weights.serious:
        links = [_link("inspection", v, v.day.isoformat()) for v in serious]
        reasons.append(Reason("serious", {"n": len(serious)}, weights.serious * len(serious), links))

    open_ops = [o for o in history.opinions if o.day is not None and o.day <= on and not o.closed]
    if open_ops and weights.open_rectification:
        links = [_link("opinion", o, o.label) for o in open_ops]
        reasons.append(
            Reason("open_rectifications", {"n": len(open_ops)}, weights.open_rectification * len(open_ops), links)
        )

    complaints = [c for c in history.complaints if c.day is not None and since < c.day <= on]
    if complaints and weights.complaint:
        links = [_link("complaint", c, c.label) for c in complaints]
        reasons.append(Reason("complaints", {"n": len(complaints)}, weights.complaint * len(complaints), links))
    reports = [r for r in history.reports if r.day is not None and since < r.day <= on]
    if reports and weights.report:
        links = [_link("report", r, r.label) for r in reports]
        reasons.append(Reason("reports", {"n": len(reports)}, weights.report * len(reports), links))

    interval = INTERVAL_DAYS.get(history.frequency, 90)
    last = max(visits, key=lambda v: v.day, default=None)
    if weights.overdue:
        if last is None:
            reasons.append(Reason("never_inspected", {"rule": interval}, weights.overdue * 2, []))
        else:
            days = (on - last.day).days
            if days > interval:
                intervals = min(MAX_OVERDUE_INTERVALS, -(-(days - interval) // interval))
                reasons.append(
                    Reason(
                        "overdue",
                        {"days": days, "rule": interval},
                        weights.overdue * intervals,
                        [_link("inspection", last, last.day.isoformat())],
                    )
                )

    base = weights.category_points.get(history.category_code, 0)
    if base:
        reasons.append(Reason("category", {"category": history.category_code}, base, []))
    if history.is_key_unit and weights.key_unit:
        reasons.append(Reason("key_unit", {}, weights.key_unit, []))

    expired = [lic for lic in history.licences if lic.day is not None and lic.day < on]
    if expired and weights.licence_expired:
        links = [_unit_link(history, lic.label) for lic in expired]
        reasons.append(Reason("licences_expired", {"n": len(expired)}, weights.licence_expired * len(expired), links))
    soon = on + datetime.timedelta(days=EXPIRING_DAYS)
    expiring = [lic for lic in history.licences if lic.day is not None and on <= lic.day <= soon]
    if expiring and weights.licence_expiring:
        links = [_unit_link(history, lic.label) for lic in expiring]
        reasons.append(
            Reason("licences_expiring", {"n": len(expiring)}, weights.licence_expiring * len(expiring), links)
        )
    for code, certificates in (
        ("health_expired", history.health_certificates),
        ("training_expired", history.training_certificates),
    ):
        latest: dict[str, datetime.date] = {}
        for c in certificates:  # a person counts once, by their newest certificate of the kind
            if c.day is not None and (c.label not in latest or c.day > latest[c.label]):
                latest[c.label] = c.day
        people = {person for person, day in latest.items() if day < on}
        if people and weights.certificate_expired:
            points = weights.certificate_expired * min(len(people), MAX_CERTIFICATE_PEOPLE)
            reasons.append(Reason(code, {"n": len(people)}, points, [_unit_link(history, "")]))

    if history.hygiene_grade == "C" and weights.hygiene_c:
        reasons.append(Reason("hygiene", {"grade": "C"}, weights.hygiene_c, []))
    elif history.hygiene_grade == "B" and weights.hygiene_b:
        reasons.append(Reason("hygiene", {"grade": "B"}, weights.hygiene_b, []))

    reasons.sort(key=lambda r: -r.points)
    total = sum(r.points for r in reasons)
    return Scored(total, grade_of(total, weights), reasons)
