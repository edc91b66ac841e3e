"""The rollup of the indicator tallies (issue 22 §5): each tally's counts
for a period, per township, over a whole province, counted by the worker
so that a county's, a prefecture's and the province's pages read a few
hundred numbers instead of counting 300,000 units and millions of patrols
on every request.

- **What is kept.** For each province, every registered tally over the
  periods the pages ask for most (``kept_periods``): the current reporting
  month and quarter every few minutes; the twelve months before, the
  quarters, halves and years of this year and the last every hour. Paths
  below a township are added up to their township; records kept on a
  county or above stay on their own area. One row a county (a county's
  page reads its own, never the province's), and one for the province,
  which also says the tally was counted (a county with nothing to count
  has no row).
- **Who reads it.** ``read`` is the ``tally_reader`` of the registry, so
  the month overview, the dashboards, the ranking, the trend and the
  assessments all ask here. An area from the county up reads the rollup
  when a fresh row for its period and day exists; a township (cheap to
  count, and watched by the person who just filed the record) always
  counts live, and so does anything the rollup does not hold.
- **Freshness.** A row is read until ``fresh_until`` (three intervals of
  the job that wrote it), so a stopped worker makes the pages count live
  again instead of showing old figures. A settled period (ended more than
  ``SETTLED_AFTER`` ago: its figures no longer move with the day) is
  counted again once a day. The pages say when the figures
  were counted (``counted_at``).
- **Equality.** The rollup is the live tally summed by township: the tests
  compare the two for a county, a prefecture and a province."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xieguan.accounts.models import User
from xieguan.areas.models import Area, Level
from xieguan.core.registry import Period, Tally, months_of, registry
from xieguan.core.request_memo import once_per_request
from xieguan.indicators.models import TallyRollup
from xieguan.indicators.spans import Span, last_months, parse_span

# A period's figures stop changing with the day some time after it ends
# (a month's report is judged once it was due): from then on the rollup is
# kept under that day, whatever today is.
SETTLED_AFTER = datetime.timedelta(days=92)


def tally_name(tally: Callable[..., Tally]) -> str:
    return f"{tally.__module__}.{tally.__qualname__}"


def period_key(period: Period) -> str:
    """What identifies a period to the rollup: its days and its reporting
    months (a month of the monthly app and a span of the same month match)."""
    months = ",".join(f"{y}-{m:02d}" for y, m in months_of(period))
    return f"{period.first_day}~{period.last_day}:{months}"


def as_of(period: Period, today: datetime.date) -> datetime.date:
    """The day the figures of ``period`` are judged on: today until the period has settled."""
    return min(today, period.last_day + SETTLED_AFTER)


def _cut(path: str, level: int) -> str:
    """``path`` cut at the area of ``level`` it lies in (unchanged above that level)."""
    segments = [s for s in path.split("/") if s][:level]
    return "/" + "".join(f"{s}/" for s in segments) if segments else ""


def _everyone() -> User:
    """Who the worker counts as: a user who sees the whole tree (never saved)."""
    return User(username="rollup", is_superuser=True, is_active=True)


def counted_at(area: Area, period: Period, today: datetime.date) -> datetime.datetime | None:
    """When the figures ``area``'s pages read for ``period`` were counted:
    None when they are counted live."""
    if not _reads_rollup(area):
        return None
    kept = _kept(period, today, area)
    return min((at for _counts, at in kept.values()), default=None)


def _kept(period: Period, today: datetime.date, area: Any) -> dict[str, tuple[dict[str, Any], datetime.datetime]]:
    """The fresh rollup of ``period`` for ``area``: tally → (counts by path,
    when counted), for the tallies the worker counted (its province's row
    says so). One query, reading the rows of the counties inside ``area``
    only (a county's page reads its own, never the province's)."""
    province = _cut(area.path, Level.PROVINCE)
    key = (period_key(period), as_of(period, today), area.path)
    # A page reads every tally of a period: one query a request
    # (core.request_memo); outside a request every read asks the database.
    return once_per_request(("rollup", *key), lambda: _kept_rows(province, key))


def _kept_rows(
    province: str, key: tuple[str, datetime.date, str]
) -> dict[str, tuple[dict[str, Any], datetime.datetime]]:
    rows = TallyRollup.objects.filter(
        Q(root=province) | Q(root__startswith=key[2]), period=key[0], as_of=key[1], fresh_until__gte=timezone.now()
    ).values_list("tally", "root", "counts", "computed_at")
    counted = {name for name, root, _counts, _at in rows if root == province}
    found: dict[str, tuple[dict[str, Any], datetime.datetime]] = {}
    for name, _root_path, counts, at in rows:
        if name not in counted:
            continue
        merged, oldest = found.get(name, ({}, at))
        merged.update(counts)
        found[name] = (merged, min(oldest, at))
    return found


def _reads_rollup(area: Any) -> bool:
    return bool(getattr(settings, "INDICATOR_ROLLUP", True)) and getattr(area, "level", Level.VILLAGE) <= Level.COUNTY


def read(
    tally: Callable[..., Tally], user: Any, *, area: Any, period: Period, today: datetime.date
) -> Iterable[tuple[str, dict[str, int]]]:
    """The rows of ``tally`` for ``area``: the rollup's (one query) for a
    county or above when a fresh one holds the period, the live tally's
    otherwise. The user's scope needs no filter of its own: the pages only
    ask for an area inside it, and every row lies under its area's path."""
    if _reads_rollup(area):
        kept = _kept(period, today, area).get(tally_name(tally))
        if kept is not None:
            return [(path, figures) for path, figures in kept[0].items() if path.startswith(area.path)]
    return tally(user, area=area, period=period, today=today)


def count(tally: Callable[..., Tally], root: Area, period: Period, today: datetime.date) -> dict[str, dict[str, int]]:
    """The live tally of ``root`` for ``period``, added up by township."""
    by_path: dict[str, Counter[str]] = {}
    for path, figures in tally(_everyone(), area=root, period=period, today=today):
        if path.startswith(root.path):
            by_path.setdefault(_cut(path, Level.TOWNSHIP), Counter()).update(figures)
    return {path: dict(figures) for path, figures in by_path.items()}


# A settled period (one whose figures no longer depend on the day) changes
# only when an old record is corrected: it is counted again once a day.
SETTLED_EVERY = datetime.timedelta(days=1)


def refresh(
    root: Area,
    periods: Iterable[Period],
    *,
    today: datetime.date,
    every: datetime.timedelta,
) -> int:
    """Count every registered tally of ``root`` over ``periods`` and keep
    them, read until three times ``every`` from now; a settled period is
    counted only when its rows are older than ``SETTLED_EVERY`` (and read
    for three of those). Returns the rows counted."""
    tallies = list(dict.fromkeys(indicator.tally for indicator in registry.indicators))
    kept = 0
    for period in periods:
        key, day = period_key(period), as_of(period, today)
        settled = day < today
        if settled:
            recent = TallyRollup.objects.filter(
                period=key, as_of=day, root=root.path, computed_at__gte=timezone.now() - SETTLED_EVERY
            ).count()  # the province's rows: one a tally
            if recent >= len(tallies):
                continue
        lasts = 3 * (SETTLED_EVERY if settled else every)
        for tally in tallies:
            started = timezone.now()
            groups: dict[str, dict[str, dict[str, int]]] = {root.path: {}}  # the province's row marks it counted
            for path, figures in count(tally, root, period, today).items():
                groups.setdefault(_cut(path, Level.COUNTY), {})[path] = figures
            with transaction.atomic():
                TallyRollup.objects.filter(
                    tally=tally_name(tally), period=key, as_of=day, root__startswith=root.path
                ).delete()
                TallyRollup.objects.bulk_create(
                    TallyRollup(
                        tally=tally_name(tally),
                        period=key,
                        as_of=day,
                        root=group,
                        counts=counts,
                        computed_at=started,
                        fresh_until=started + lasts,
                    )
                    for group, counts in groups.items()
                )
            kept += 1
    return kept


def kept_periods(root: Area, today: datetime.date, *, current: bool) -> list[Span]:
    """The periods the rollup keeps for ``root``: ``current`` — the month
    today lies in, the month before (whose report is due now: what the
    month overview opens on) and today's quarter; otherwise the eleven
    months before those, and the quarters, halves and years of this year
    and the last."""
    months = last_months(root, today.year, today.month, 13)
    this_quarter = parse_span(f"{today.year}Q{(today.month - 1) // 3 + 1}", area=root, today=today)
    if current:
        return [months[-1], months[-2], this_quarter]
    longer = [
        parse_span(text, area=root, today=today)
        for year in (today.year - 1, today.year)
        for text in (f"{year}Q1", f"{year}Q2", f"{year}Q3", f"{year}Q4", f"{year}H1", f"{year}H2", f"{year}")
    ]
    return [*months[:-2], *(span for span in longer if span.first_day <= today and span != this_quarter)]


def refresh_all(*, current: bool, every: datetime.timedelta, today: datetime.date | None = None) -> int:
    """``refresh`` of every province over its ``kept_periods``."""
    today = today or timezone.localdate()
    kept = 0
    for root in Area.objects.filter(parent__isnull=True).order_by("code", "path"):
        kept += refresh(root, kept_periods(root, today, current=current), today=today, every=every)
    # Rows no longer read (of a day gone by, or a period no longer kept).
    TallyRollup.objects.filter(fresh_until__lt=timezone.now()).delete()
    return kept


registry.tally_reader = read
registry.tally_counted_at = counted_at
