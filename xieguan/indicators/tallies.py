"""The counts of the indicators no single app owns, each grouped by area
path in the database (a handful of rows per township, never a row per
unit): 持证率 (licences, health and training certificates), 季度巡查率,
月报完整率 and 月报及时率, 宣传完成 and 培训完成.

Denominators come from the registry's dates: a unit counts while it
existed in the period (``units_existing_in``), and whether it held a
valid licence is judged on the period's last day, or on the day it closed
if that came first, or today if the period is still running — so the
numerator is always a part of the denominator and no rate exceeds 100%."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least

from xieguan.accounts.models import Institution, InstitutionType, RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.registry import Period, Tally, counted_by_path, judged_on, months_of
from xieguan.inspections.selectors import patrol_status
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.selectors import _rules_of
from xieguan.outreach.models import Attendance, Outreach
from xieguan.units.models import CertificateKind, Licence, StaffCertificate, Unit
from xieguan.units.selectors import township_path_of, units_existing_in

SUBMITTED = (MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED)
TRAINING_HOURS_A_YEAR = 20


def _quarters(period: Period) -> list[tuple[int, int]]:
    return sorted({(y, (m - 1) // 3 + 1) for y, m in months_of(period)})


def _quarter_days(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, 3 * quarter - 2, 1)
    nxt = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, nxt - datetime.timedelta(days=1)


# ---------------------------------------------------------------- units and their papers


def units_counted(user: Any, area: Area, period: Period, today: datetime.date) -> QuerySet[Unit]:
    """The units of ``area`` the user sees that existed in the period (up
    to today), annotated ``ref_day``: the day their papers are judged on."""
    end = judged_on(period, today)
    scoped: QuerySet[Unit] = Unit.objects.visible_to(user).current().filter(area__path__startswith=area.path)
    units = units_existing_in(scoped, period.first_day, end)
    return units.annotate(ref_day=Least(Coalesce("closed_on", Value(end)), Value(end), output_field=DateField()))


def _licence_valid() -> Exists:
    valid = Licence.objects.filter(unit=OuterRef("pk")).filter(
        Q(issued_on__isnull=True) | Q(issued_on__lte=OuterRef("ref_day")),
        Q(expires_on__isnull=True) | Q(expires_on__gte=OuterRef("ref_day")),
    )
    return Exists(valid)


def licensed_units(user: Any, area: Area, period: Period, today: datetime.date) -> QuerySet[Unit]:
    """Units that have a hygiene licence on record (those that must hold
    one), annotated ``valid``: a licence in force on their ``ref_day``."""
    return (
        units_counted(user, area, period, today)
        .filter(Exists(Licence.objects.filter(unit=OuterRef("pk"))))
        .annotate(valid=_licence_valid())
    )


def licence_tally(user: Any, *, area: Area, period: Period, today: datetime.date) -> Tally:
    return counted_by_path(licensed_units(user, area, period, today), "area__path", "licensed", "licence_valid")


def certificates_counted(user: Any, area: Area, period: Period, today: datetime.date, kind: str) -> QuerySet[Any]:
    """Staff certificates of ``kind`` of the counted units, recorded by the
    judging day, annotated ``valid`` (unexpired on the unit's ``ref_day``)."""
    units = units_counted(user, area, period, today)
    end = judged_on(period, today)
    ref = Least(Coalesce("unit__closed_on", Value(end)), Value(end), output_field=DateField())
    return (
        StaffCertificate.objects.visible_to(user)
        .filter(kind=kind, unit__area__path__startswith=area.path)
        .filter(unit__in=units.values("pk"))
        .annotate(ref_day=ref)
        .annotate(valid=Q(expires_on__isnull=True) | Q(expires_on__gte=F("ref_day")))
    )


def _certificate_tally(kind: str, prefix: str) -> Any:
    def tally(user: Any, *, area: Area, period: Period, today: datetime.date) -> Tally:
        counted = certificates_counted(user, area, period, today, kind)
        return counted_by_path(counted, "unit__area__path", prefix, f"{prefix}_valid")

    tally.__name__ = tally.__qualname__ = f"{prefix}_tally"
    return tally


health_tally = _certificate_tally(CertificateKind.HEALTH, "health")
training_cert_tally = _certificate_tally(CertificateKind.TRAINING, "trainingcert")


# ---------------------------------------------------------------- 季度巡查率


def quarterly_tally(user: Any, *, area: Area, period: Period, today: datetime.date) -> Tally:
    """季度巡查率: in each quarter the period touches, units that existed in
    it and were patrolled at least once (``patrol_status``'s quarter view,
    counted by the database)."""
    for year, quarter in _quarters(period):
        view = patrol_status(user, year=year, quarter=quarter, township=area, today=today, rows=False)
        for coverage in view.coverage:
            yield (
                coverage.township.path,
                {"q_due": coverage.due, "q_done": coverage.done, "q_overdue": coverage.overdue},
            )


# ---------------------------------------------------------------- 月报完整率, 月报及时率


def _counties_of(user: Any, area: Area) -> list[Area]:
    if area.level >= Level.COUNTY:
        county_path = "/" + "".join(f"{s}/" for s in [s for s in area.path.split("/") if s][: Level.COUNTY])
        return list(Area.objects.filter(path=county_path))
    return list(Area.objects.visible_to(user).filter(level=Level.COUNTY, path__startswith=area.path))


def monthly_months(user: Any, *, area: Area, period: Period, today: datetime.date) -> list[dict[str, Any]]:
    """Each township-month the period asks for: a co-management station's
    township, a month whose deadline has passed (a month counts only once
    its report is due), the station existing in that month. With the
    report's state. Four queries; a row per township and month, never per unit."""
    counties = _counties_of(user, area)
    if not counties:
        return []
    rules = _rules_of(counties)
    months = months_of(period)
    due: dict[str, list[tuple[int, int, datetime.date, datetime.date, datetime.date]]] = {}
    for county in counties:
        for year, month in months:
            bounds = rules[county.pk].period(year, month)
            deadline = bounds.deadline(rules[county.pk].deadline_day)
            if deadline < today:
                due.setdefault(county.path, []).append((year, month, bounds.first_day, bounds.last_day, deadline))
    if not due:
        return []
    stations = list(
        Institution.objects.visible_to(user)
        .filter(type=InstitutionType.STATION, area__level=Level.TOWNSHIP, area__path__startswith=area.path)
        .values("area_id", "area__path", "area__name", "opened_on", "closed_on")
    )
    reports = {
        (r["township_id"], r["year"], r["month"]): r
        for r in MonthlyReport.objects.visible_to(user)
        .filter(
            township__path__startswith=area.path, year__in={y for y, _m in months}, month__in={m for _y, m in months}
        )
        .values("id", "township_id", "year", "month", "status", "on_time")
    }
    rows = []
    for station in stations:
        county_path = "/" + "".join(f"{s}/" for s in [s for s in station["area__path"].split("/") if s][: Level.COUNTY])
        for year, month, first, last, deadline in due.get(county_path, []):
            if station["opened_on"] and station["opened_on"] > last:
                continue
            if station["closed_on"] and station["closed_on"] < first:
                continue
            report = reports.get((station["area_id"], year, month))
            submitted = bool(report and report["status"] in SUBMITTED)
            rows.append(
                {
                    "path": station["area__path"],
                    "township": station["area__name"],
                    "township_id": station["area_id"],
                    "year": year,
                    "month": month,
                    "deadline": deadline,
                    "report_id": report["id"] if report else None,
                    "submitted": submitted,
                    "on_time": submitted and bool(report and report["on_time"]),
                }
            )
    rows.sort(key=lambda r: (r["path"], r["year"], r["month"]))
    return rows


def monthly_tally(user: Any, *, area: Area, period: Period, today: datetime.date) -> Tally:
    for row in monthly_months(user, area=area, period=period, today=today):
        yield row["path"], {"m_expected": 1, "m_submitted": int(row["submitted"]), "m_on_time": int(row["on_time"])}


# ---------------------------------------------------------------- 宣传完成


def _townships(user: Any, area: Area, first_day: datetime.date) -> list[dict[str, Any]]:
    qs = Area.objects.visible_to(user).filter(level=Level.TOWNSHIP, path__startswith=area.path)
    qs = qs.filter(Q(retired_on__isnull=True) | Q(retired_on__gte=first_day))
    return [dict(row) for row in qs.values("id", "path", "name")]


def quarters_counted(period: Period, today: datetime.date) -> list[tuple[int, int, datetime.date, datetime.date]]:
    """The quarters the period touches that have begun by today."""
    found = []
    for year, quarter in _quarters(period):
        first, last = _quarter_days(year, quarter)
        if first <= today:
            found.append((year, quarter, first, last))
    return found


def publicity_quarters(user: Any, *, area: Area, period: Period, today: datetime.date) -> list[dict[str, Any]]:
    """Each township and quarter: how many publicity activities it held. A
    quarter counts once it is over, or earlier once the township has done
    it (a quarter still running is not yet missed). Two queries."""
    quarters = quarters_counted(period, today)
    if not quarters:
        return []
    done: Counter[tuple[str, int, int]] = Counter()
    activities = Outreach.objects.visible_to(user).filter(
        area__path__startswith=area.path, date__gte=quarters[0][2], date__lte=quarters[-1][3]
    )
    for path, day, n in (
        activities.order_by()
        .values("area__path", "date")
        .annotate(n=Count("id"))
        .values_list("area__path", "date", "n")
    ):
        done[(township_path_of(path), day.year, (day.month - 1) // 3 + 1)] += n
    rows = []
    for township in _townships(user, area, quarters[0][2]):
        for year, quarter, _first, last in quarters:
            n = done[(township["path"], year, quarter)]
            if n or last < today:
                rows.append({**township, "year": year, "quarter": quarter, "activities": n, "done": n > 0})
    return rows


def publicity_done_tally(user: Any, *, area: Area, period: Period, today: datetime.date) -> Tally:
    for row in publicity_quarters(user, area=area, period=period, today=today):
        yield row["path"], {"pub_quarters": 1, "pub_done": int(row["done"])}


# ---------------------------------------------------------------- 培训完成


def _people(user: Any, area: Area, *, role: str | None = None, institution_type: str | None = None) -> QuerySet[User]:
    people = User.objects.visible_to(user).filter(is_active=True, institution__area__path__startswith=area.path)
    if role:
        people = people.filter(roles__code=role)
    if institution_type:
        people = people.filter(institution__type=institution_type)
    return people.distinct()


def comanager_hours(user: Any, area: Area, period: Period, today: datetime.date) -> QuerySet[User]:
    """Co-managers with the hours of training they attended in the year
    ending on the period's judging day (``hours``)."""
    end = judged_on(period, today)
    start = end - datetime.timedelta(days=364)
    hours = (
        Attendance.objects.filter(person=OuterRef("pk"), training__date__gte=start, training__date__lte=end)
        .order_by()
        .values("person")
        .annotate(h=Sum("training__hours"))
        .values("h")
    )
    chosen = _people(user, area, role=RoleCode.COMANAGER).values("pk")
    return User.objects.filter(pk__in=chosen).annotate(
        hours=Coalesce(Subquery(hours, output_field=DecimalField()), Value(Decimal(0)))
    )


def comanager_tally(user: Any, *, area: Area, period: Period, today: datetime.date) -> Tally:
    rows = (
        comanager_hours(user, area, period, today)
        .order_by()
        .values("institution__area__path")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(hours__gte=TRAINING_HOURS_A_YEAR)))
    )
    for row in rows:
        yield row["institution__area__path"], {"comanagers": row["n"], "comanagers_trained": row["ok"]}


def village_officer_quarters(user: Any, *, area: Area, period: Period, today: datetime.date) -> list[dict[str, Any]]:
    """Each village information officer and quarter: trained (attended a
    training in it) or not; a quarter counts once over or once done."""
    quarters = quarters_counted(period, today)
    if not quarters:
        return []
    officers = list(
        _people(user, area, institution_type=InstitutionType.INFO_POINT).values(
            "id", "full_name", "username", "institution__area__path"
        )
    )
    attended = set()
    for person, day in (
        Attendance.objects.filter(
            person__in=[o["id"] for o in officers],
            training__date__gte=quarters[0][2],
            training__date__lte=quarters[-1][3],
        )
        .values_list("person_id", "training__date")
        .distinct()
    ):
        attended.add((person, day.year, (day.month - 1) // 3 + 1))
    rows = []
    for officer in officers:
        for year, quarter, _first, last in quarters:
            done = (officer["id"], year, quarter) in attended
            if done or last < today:
                rows.append({**officer, "year": year, "quarter": quarter, "done": done})
    return rows


def village_tally(user: Any, *, area: Area, period: Period, today: datetime.date) -> Tally:
    for row in village_officer_quarters(user, area=area, period=period, today=today):
        yield row["institution__area__path"], {"officer_quarters": 1, "officer_trained": int(row["done"])}
