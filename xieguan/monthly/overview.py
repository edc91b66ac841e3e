"""The county overview of a month (SPEC §8, issue 9 part 5): each township
of a county — or, for the prefecture, each county — with its key indicators,
each a numerator and a denominator with its formula and a drill-down.

No formula is written here: every column is an indicator its own app
registered (``registrations.py`` of units, inspections, reports, outreach and
monthly, see ``xieguan.core.registry.Indicator``), counted by that app's
selector — 建档率, 巡查覆盖率, 信息报告率 / 及时报告率, 意见书整改完成率,
publicity and training — and last the monthly report's state:
``monthly.selectors.township_months`` (a county) and ``reporting_rates``
(a prefecture's counties).

Each of these reads every township of the user's scope at once, so the
overview costs the same number of queries for 10 townships or 100.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import get_area_for_user, scope_root_for
from xieguan.core.registry import Indicator, Rate, registry, tally_counted_at, tally_rows
from xieguan.monthly.periods import Period, reporting_period
from xieguan.monthly.selectors import (
    APPROVED,
    MISSING,
    NOT_DUE,
    RETURNED,
    SUBMITTED_LATE,
    SUBMITTED_ON_TIME,
    reporting_rates,
    township_months,
)

STATUS_FORMULA = _(
    "Monthly report: submitted ÷ townships expected to report (those with a station in the month); "
    "a returned report counts as not submitted"
)

# Order of the report states when sorting: the worst first.
STATE_ORDER = {None: -1, MISSING: 0, RETURNED: 1, NOT_DUE: 2, SUBMITTED_LATE: 3, SUBMITTED_ON_TIME: 4, APPROVED: 5}


@dataclass
class OverviewRow:
    """One township (or county) of the overview. ``counts`` holds what the
    indicators' tallies counted, by the names they give them; every figure
    is a pair of counts, so the rates can be summed into a total and none
    exceeds 100%."""

    area: Area
    is_total: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    state: str | None = None
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late_or_missing: list[Area] = field(default_factory=list)

    def rate(self, indicator: Indicator) -> Rate:
        """The indicator's figure of this row (its plain count when it has no denominator)."""
        return Rate(self.counts[indicator.numerator], self.counts[indicator.denominator or ""])

    @property
    def publicity_state(self) -> str:
        """A township's quarter as the outreach app judges it: done, due or overdue."""
        if not self.counts["quarter_townships"]:
            return ""
        return "done" if self.counts["quarter_done"] else "overdue" if self.counts["quarter_overdue"] else "due"

    @property
    def submitted_rate(self) -> Rate:
        """上报率 = submitted ÷ expected."""
        return Rate(self.submitted, self.expected)


@dataclass
class Overview:
    area: Area
    year: int
    month: int
    period: Period
    rows: list[OverviewRow]
    total: OverviewRow
    counted_at: datetime.datetime | None = None  # when the figures were counted (None: live)

    @property
    def of_counties(self) -> bool:
        return self.area.level < Level.COUNTY


def has_overview(user: Any) -> bool:
    """Whether the user's area is a county or above (a township user has
    none: their figures are their monthly report's)."""
    root = scope_root_for(user)
    return root is None or root.level <= Level.COUNTY


def overview_area(user: Any, area_id: str | None) -> Area | None:
    """The county or prefecture the user looks at: ``area_id`` if it is one
    in the user's scope (404 otherwise), else the user's own county or
    prefecture; None for a township user (they have their monthly report)."""
    if area_id:
        area = get_area_for_user(user, area_id)
        if area.level not in (Level.PREFECTURE, Level.COUNTY):
            raise Http404
        return area
    root = scope_root_for(user)
    if root is not None and root.level > Level.COUNTY:
        return None
    if root is not None and root.level in (Level.PREFECTURE, Level.COUNTY):
        return root
    # A province or the whole country: the first prefecture below it.
    return Area.objects.visible_to(user).filter(level=Level.PREFECTURE).order_by("code", "path").first()


def _segment(path: str, level: int) -> str | None:
    """The id (hex) of the area of ``level`` that ``path`` lies in."""
    segments = [s for s in path.split("/") if s]
    return segments[level - 1] if len(segments) >= level else None


def month_overview(user: Any, *, area: Area, year: int, month: int, today: datetime.date) -> Overview:
    """The townships of a county (or the counties of a prefecture) with
    their indicators for (year, month) and a total for ``area``. Only what
    the user may see counts. A bounded number of queries, whatever the
    number of townships (one more per county for a prefecture's report
    states)."""
    level = area.level + 1
    period = reporting_period(area, year, month)
    first_day = period.first_day
    children = list(
        Area.objects.visible_to(user)
        .filter(parent=area, level=level)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gte=first_day))
        .order_by("code", "name", "path")
    )
    rows = {c.id.hex: OverviewRow(area=c) for c in children}
    total = OverviewRow(area=area, is_total=True)
    # Each app's figures, from its own selector: indicators sharing a tally are counted by one call of it.
    for tally in dict.fromkeys(indicator.tally for indicator in registry.indicators):
        for path, counts in tally_rows(tally, user, area=area, period=period, today=today):
            if path.startswith(area.path):
                total.counts.update(counts)
                if row := rows.get(_segment(path, level) or ""):
                    row.counts.update(counts)

    if level == Level.TOWNSHIP:
        for township_month in township_months(user, area=area, year=year, month=month, today=today):
            row = rows.get(township_month.township.id.hex)
            submitted, on_time = int(township_month.submitted), int(township_month.on_time)
            if row is not None:
                row.state = township_month.state
                row.expected, row.submitted, row.on_time = 1, submitted, on_time
            total.expected += 1
            total.submitted += submitted
            total.on_time += on_time
    else:
        for rate in reporting_rates(user, year=year, month=month, within=area):
            row = rows.get(rate.area.id.hex)
            if row is None:
                continue
            row.expected, row.submitted, row.on_time = rate.expected, rate.submitted, rate.on_time
            row.late_or_missing = rate.missing
            total.expected += rate.expected
            total.submitted += rate.submitted
            total.on_time += rate.on_time
    return Overview(
        area=area,
        year=year,
        month=month,
        period=period,
        rows=list(rows.values()),
        total=total,
        counted_at=tally_counted_at(area, period, today),
    )


def sort_key(sort: str) -> Callable[[OverviewRow], Any] | None:
    """How the rows sort by one column: a rate by its per cent, a count by
    itself, the monthly report by its state (a county's by its rate)."""
    if sort == "status":
        return lambda r: STATE_ORDER.get(r.state, -1) if r.area.level == Level.TOWNSHIP else r.submitted_rate.percent
    indicator = indicator_of(sort)
    if indicator is None:
        return None
    if indicator.denominator is None:
        return lambda r: r.rate(indicator).numerator
    return lambda r: r.rate(indicator).percent


def sorted_rows(rows: Iterable[OverviewRow], *, sort: str, descending: bool) -> list[OverviewRow]:
    """The rows by one column; a figure with nothing to count ("—") stays
    last whichever the direction, and equal figures keep the area order."""
    ordered = list(rows)
    key = sort_key(sort)
    if key is None:
        return list(reversed(ordered)) if descending else ordered
    counted = [r for r in ordered if key(r) is not None]
    empty = [r for r in ordered if key(r) is None]
    return sorted(counted, key=key, reverse=descending) + empty


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    formula: str | Promise


def indicator_of(code: str) -> Indicator | None:
    return next((i for i in registry.indicators if i.code == code), None)


def columns() -> list[Column]:
    """The indicators the apps registered, in their order, then the monthly report's state."""
    shown = [Column(i.code, i.name, i.formula) for i in registry.indicators]
    return [*shown, Column("status", _("Monthly report"), STATUS_FORMULA)]
