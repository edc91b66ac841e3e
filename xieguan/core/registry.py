"""What the domains contribute and core (and the management apps) read.

Each app fills these in its ``AppConfig.ready()`` (in a ``registrations``
module that ready() imports), so nothing below an app needs to import it:
the layout builds the menu, the home page shows what is due, the month
overview counts its indicators, and monthly locks a period, all without
naming a domain. The shape follows NetBox's ``registry``: plain typed lists,
filled once at start-up and only read afterwards.

Whatever a domain passes around here (users, areas, records) is typed
``Any``: core stands below the apps whose models they are."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any, Protocol

from django.db import models
from django.utils.functional import Promise

from xieguan.core.request_memo import once_per_request

Label = str | Promise


class Period(Protocol):
    """A reporting month as monthly.periods makes it: [first_day, last_day],
    or [start, end) as aware datetimes."""

    @property
    def year(self) -> int: ...
    @property
    def month(self) -> int: ...
    @property
    def first_day(self) -> datetime.date: ...
    @property
    def last_day(self) -> datetime.date: ...
    @property
    def start(self) -> datetime.datetime: ...
    @property
    def end(self) -> datetime.datetime: ...


def judged_on(period: Period, today: datetime.date) -> datetime.date:
    """The day a holding is judged on: the period's last day, or today while it runs."""
    return min(period.last_day, today)


def period_text(period: Period) -> str:
    """A period as the query string writes it (a Span's own text, else its month)."""
    return getattr(period, "text", None) or f"{period.year}-{period.month:02d}"


def months_of(period: Any) -> tuple[tuple[int, int], ...]:
    """The reporting months a period covers, for tallies counted month by
    month: a span's own ``months`` (indicators.spans), else, for a period
    longer than a month (an assessment's half-year or year), the calendar
    months its days reach; a month-long period is its own (year, month)."""
    months = getattr(period, "months", None)
    if months:
        return tuple(months)
    first, last = period.first_day, period.last_day
    if (last - first).days <= 31:
        return ((period.year, period.month),)
    first = first + datetime.timedelta(days=7)  # a reporting month may start late in the month before
    found = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        found.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(found)


class MonthSchedule(Protocol):
    """How a county's reporting months run (monthly.periods.Rules): the
    period of a month, and the period a day falls in."""

    def period(self, year: int, month: int) -> Period: ...
    def containing(self, day: datetime.date) -> Period: ...


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """Per cent to one decimal; None when nothing is counted (not 0 %)."""
        if not self.denominator:
            return None
        return (Decimal(100) * self.numerator / self.denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        """The rate as the API answers it: counts and per cent."""
        return {"numerator": self.numerator, "denominator": self.denominator, "percent": self.percent}


# ---------------------------------------------------------------- menu


@dataclass(frozen=True)
class MenuItem:
    """One entry of the main navigation, shown to users whose roles allow
    ``permission`` (a capability; empty: everyone) and ``visible`` lets see."""

    label: Label
    url_name: str
    order: int
    permission: str = ""
    visible: Callable[[Any], bool] | None = None


# ---------------------------------------------------------------- month lock


@dataclass(frozen=True)
class LockedModel:
    """Records a locked reporting month freezes: their area and the date
    that places them in a month."""

    model: type[models.Model]
    date_field: str
    area_field: str = "area"


# ---------------------------------------------------------------- indicators

# (area path, counts): one record group of an indicator's tally. Paths are the
# areas the counts belong to; the reader adds them up to whatever level it shows.
Tally = Iterable[tuple[str, dict[str, int]]]


def counted_by_path(records: models.QuerySet[Any], path: str, total: str, valid: str) -> Tally:
    """A tally of ``records`` annotated ``valid``: per area path (the
    lookup ``path``), how many (``total``) and how many valid (``valid``).
    One grouped query."""
    rows = (
        records.order_by()
        .values(path)
        .annotate(n=models.Count("id"), ok=models.Count("id", filter=models.Q(valid=True)))
    )
    for row in rows:
        yield row[path], {total: row["n"], valid: row["ok"]}


@dataclass(frozen=True)
class Indicator:
    """A figure of an area and a reporting month. ``tally(user, area=,
    period=, today=)`` yields the counts of every area inside ``area`` (the
    owning app's selector, called once for all of them); the figure is
    ``numerator`` over ``denominator`` of those counts, or the plain count of
    ``numerator`` when there is no denominator. ``drill(area, period)`` is the
    page listing the records behind it. Indicators sharing a tally function
    are counted by one call of it."""

    code: str
    name: Label
    formula: Label
    tally: Callable[..., Tally]
    numerator: str
    denominator: str | None
    drill: Callable[[Any, Period], str]
    order: int

    def value(self, user: Any, *, area: Any, period: Period, today: datetime.date) -> Rate:
        """The figure for ``area`` itself (everything inside it)."""
        counts: Counter[str] = Counter()
        for path, figures in tally_rows(self.tally, user, area=area, period=period, today=today):
            if path.startswith(area.path):
                counts.update(figures)
        return Rate(counts[self.numerator], counts[self.denominator or ""])


# ---------------------------------------------------------------- due items


@dataclass(frozen=True)
class DueItem:
    """Something a person has to do by a time: what (``label``), where it
    is done (``url``), whose it is and where. ``record`` is the thing itself."""

    kind: str
    label: str
    due: datetime.date | datetime.datetime
    responsible: Any
    url: str
    area: Any
    overdue: bool = False
    record: Any = None


@dataclass(frozen=True)
class DueSource:
    """What is due of one kind: ``items(person, now)``, soonest first (empty
    when the kind is not the person's concern)."""

    kind: str
    label: Label
    items: Callable[[Any, datetime.datetime], list[DueItem]]
    order: int


def source_items(source: DueSource, person: Any, now: datetime.datetime) -> list[DueItem]:
    """What ``source`` has due for ``person``, asked once per request (the
    home page's panels and the due list ask the same)."""
    return once_per_request(("due", source.kind, person.pk, now), lambda: source.items(person, now))


def due_items(person: Any, now: datetime.datetime, kind: str) -> list[DueItem]:
    """What is due for ``person`` of one registered kind."""
    return next(source_items(source, person, now) for source in registry.due if source.kind == kind)


# ---------------------------------------------------------------- home page


@dataclass(frozen=True)
class HomePanel:
    """A part of the home page: ``template`` rendered with
    ``context(user, now)``, or left out when that is None."""

    template: str
    order: int
    context: Callable[[Any, datetime.datetime], dict[str, Any] | None]


# ---------------------------------------------------------------- unit page


@dataclass(frozen=True)
class UnitPanel:
    """A part of a unit's page (一户一档): ``template`` rendered with
    ``context(user, unit)``, or left out when that is None."""

    template: str
    order: int
    context: Callable[[Any, Any], dict[str, Any] | None]


def unit_panels(user: Any, unit: Any) -> list[tuple[str, dict[str, Any]]]:
    """The registered panels of a unit's page: (template, context) each."""
    found = []
    for panel in registry.unit_panels:
        context = panel.context(user, unit)
        if context is not None:
            found.append((panel.template, context))
    return found


@dataclass(frozen=True)
class UnitFileSection:
    """A part of the unit file (一户一档) after its base data, on the page
    and in its PDF, placed by ``order`` in the archive rules' order (巡查登记
    20, 检查记录 30, 意见书 40, 复查 50, 照片 60, 移交 70, reports 80,
    complaints 90, documents 100): ``template`` rendered with
    ``context(user, unit, pdf)``, or left out when that is None. The context
    is read in a fixed number of queries, however many records the unit has."""

    template: str
    order: int
    context: Callable[[Any, Any, bool], dict[str, Any] | None]


def unit_file_sections(user: Any, unit: Any, *, pdf: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """The registered sections of a unit's file, in order: (template, context) each."""
    found = []
    for section in registry.unit_file:
        context = section.context(user, unit, pdf)
        if context is not None:
            found.append((section.template, {**context, "pdf": pdf}))
    return found


# ---------------------------------------------------------------- attached documents


def attached_documents(user: Any, owner: Any) -> tuple[str, dict[str, Any]] | None:
    """The documents kept with a record, as the app that keeps them shows
    them on the record's page (template, context); None without that app or
    for a record documents cannot be kept with."""
    if registry.attached_documents is None:
        return None
    return registry.attached_documents(user, owner)


def with_risk(units: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """A unit queryset annotated with ``risk_score``, the registered risk
    order's score (the risk app); 0 for every unit without one, so lists can
    always order by ``-risk_score`` first."""
    if registry.unit_risk is None:
        return units.annotate(risk_score=models.Value(0, output_field=models.IntegerField()))
    return registry.unit_risk(units)


# ---------------------------------------------------------------- archive


@dataclass(frozen=True)
class ArchiveSection:
    """One section of an area's yearly archive: ``records(area, year)`` is
    what of that area's year belongs in it."""

    name: Label
    order: int
    records: Callable[[Any, int], models.QuerySet[Any]]


def records_of_year(model: Any, date_field: str) -> Callable[[Any, int], models.QuerySet[Any]]:
    """The usual ``ArchiveSection.records``: the model's records inside the
    area (by its ``scope_lookup``) whose ``date_field`` falls in the year."""
    return lambda area, year: model.objects.filter(
        **{f"{model.scope_lookup}__startswith": area.path, f"{date_field}__year": year}
    )


# ---------------------------------------------------------------- open work


@dataclass(frozen=True)
class OpenWork:
    """Records bound to an area (``area_field``) that lie, by ``places``
    (lookups ending at an area: a complaint's village, a unit's area),
    somewhere below it, and are still being worked on (``is_open``). When
    the area is split (``areas.services.area_split``), the open ones whose
    place moves to the new area go with it; closed ones stay with the area
    that handled them. Records bound to the villages themselves need no
    entry: they follow their village's path."""

    model: type[models.Model]
    places: tuple[str, ...]
    is_open: models.Q
    area_field: str = "area"


@dataclass
class Registry:
    menu: list[MenuItem] = field(default_factory=list)
    locked_models: list[LockedModel] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    due: list[DueSource] = field(default_factory=list)
    home: list[HomePanel] = field(default_factory=list)
    archive: list[ArchiveSection] = field(default_factory=list)
    open_work: list[OpenWork] = field(default_factory=list)
    unit_panels: list[UnitPanel] = field(default_factory=list)
    unit_file: list[UnitFileSection] = field(default_factory=list)
    # The documents kept with a record (archives): (template, context) of its panel, or None.
    attached_documents: Callable[[Any, Any], tuple[str, dict[str, Any]] | None] | None = None
    # How risky each unit is (the risk app): annotates a unit queryset with ``risk_score``.
    unit_risk: Callable[[models.QuerySet[Any]], models.QuerySet[Any]] | None = None
    # Which roles allow a capability (accounts); what says whether a month is locked (monthly).
    capabilities: dict[str, frozenset[str]] = field(default_factory=dict)
    period_check: Callable[..., None] | None = None
    # What says whether a county's year is closed (archives); asked with the month.
    year_check: Callable[..., None] | None = None
    # The counties' reporting months (monthly): for an area path, a lookup
    # from a county's id (hex, as in paths) to its schedule.
    month_schedules: Callable[[str], Callable[[str], MonthSchedule]] | None = None
    # Where a tally's rows are read (indicators: its rollup for a county and
    # above, kept by the worker; the tally itself otherwise).
    tally_reader: Callable[..., Tally] | None = None
    # When the figures it reads for (area, period, today) were counted; None: live.
    tally_counted_at: Callable[[Any, Period, datetime.date], datetime.datetime | None] | None = None


registry = Registry()


def register(
    *entries: MenuItem
    | LockedModel
    | Indicator
    | DueSource
    | HomePanel
    | ArchiveSection
    | OpenWork
    | UnitPanel
    | UnitFileSection,
) -> None:
    """Add entries, each to its list, kept in ``order`` where it has one."""
    lists: dict[type, list[Any]] = {
        MenuItem: registry.menu,
        LockedModel: registry.locked_models,
        Indicator: registry.indicators,
        DueSource: registry.due,
        HomePanel: registry.home,
        ArchiveSection: registry.archive,
        OpenWork: registry.open_work,
        UnitPanel: registry.unit_panels,
        UnitFileSection: registry.unit_file,
    }
    for entry in entries:
        target = lists[type(entry)]
        if entry not in target:
            target.append(entry)
            target.sort(key=lambda e: getattr(e, "order", 0))


def assert_period_open(area: Any, when: datetime.date | datetime.datetime | None, *, field: str | None = None) -> None:
    """ValidationError (in Chinese) when the reporting month that counts
    ``when`` in ``area`` is locked (the check the monthly app registers), or
    the year is closed (the archives app's).
    Services call it before they change a record a locked month froze."""
    if registry.year_check is not None:
        registry.year_check(area, when, field=field)
    if registry.period_check is not None:
        registry.period_check(area, when, field=field)


def tally_rows(tally: Callable[..., Tally], user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """The rows of ``tally`` for ``area`` and ``period``: from the rollup the
    indicators app keeps where it has a fresh one (``registry.tally_reader``),
    counted live otherwise. Every reader of figures asks here."""
    if registry.tally_reader is not None:
        return registry.tally_reader(tally, user, area=area, period=period, today=today)
    return tally(user, area=area, period=period, today=today)


def tally_counted_at(area: Any, period: Period, today: datetime.date) -> datetime.datetime | None:
    """When the figures ``tally_rows`` gives for ``area`` were counted (None: just now, live)."""
    if registry.tally_counted_at is not None:
        return registry.tally_counted_at(area, period, today)
    return None


def month_schedules(path: str) -> Callable[[str], MonthSchedule] | None:
    """The reporting months of the counties at, under or above ``path``: a
    lookup from a county's id (hex, as in area paths) to its schedule, read
    in one query by the monthly app that registers it. None without it:
    the calendar month everywhere."""
    return registry.month_schedules(path) if registry.month_schedules is not None else None


def ensure_open(record: models.Model, *, field: str | None = None) -> None:
    """``assert_period_open`` for a record of a registered model, placed in
    its month by the area and date its registration names."""
    entry = next((e for e in registry.locked_models if e.model is type(record)), None)
    if entry is None:
        raise LookupError(f"{type(record).__name__} is not registered as a model a locked month freezes")
    area = attrgetter(entry.area_field)(record)
    assert_period_open(area, getattr(record, entry.date_field), field=field)
