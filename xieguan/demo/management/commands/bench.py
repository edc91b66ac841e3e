"""manage.py bench: the registry's speed at province scale (issue 4 item 11,
SPEC §16), measured in-process with Django's test client (server time, warm),
written to docs/bench.md. `make bench` runs it against BENCH_DATABASE_URL."""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from xieguan.accounts.models import User
from xieguan.core.pagination import DEFAULT_PAGE_SIZE, encode_cursor
from xieguan.core.statistics import analyse
from xieguan.demo.province import make_province, make_records, province_exists, records_exist
from xieguan.units.models import Licence, StaffCertificate, Unit
from xieguan.units.selectors import UnitFilters, units_filtered

TARGET_MS = 150.0
# What EXPLAIN ANALYZE showed when the figures were first taken (docs/bench.md).
ANALYSIS = """## Reading the figures (EXPLAIN ANALYZE)

- The database's share is small once the indexes and query shapes below are in: the whole-province
  first page reads 51 rows from `unit_name_id_idx` in 0.5 ms; page 5,000 took 997 ms before keyset
  pages bounded their first column (the OR-form cursor made PostgreSQL read and discard the 249,950
  rows before it) and 0.5 ms after; a township's list took 600 ms while the scope was a join on the
  area path (PostgreSQL walked the name index over all 300,000 units looking for the township's 239)
  and a few ms since narrow scopes are passed as a list of area ids; the filter form no longer
  renders 12,000 villages for a province user (that alone cost about 2 s a page); search by pinyin
  initials and by credit code use prefix indexes, search by name or address of 3+ characters the
  trigram indexes. The PDF took 10–30 s before the CJK font was unpacked once instead of per PDF.
- The machine is shared (2 CPUs). An earlier full run at a load of 8–13 measured the same pages at
  3–8× these times (township page 1: median 427 ms, p95 665 ms; province page 1: 579 / 941 ms;
  export 393 s, 222 MB): what grows under load is Python building the HTML, not the queries.
- Search by a one- or two-character word (万家, 饭店) cannot use a trigram index (a 2-character
  pattern has no trigram); until issue 19 item 4 PostgreSQL scanned the table in parallel for it
  (~300 ms of database time under load). Since then every unit keeps its characters and pairs of
  characters in `search_grams`, under a GIN index on `string_to_array(search_grams, ' ')`
  (migration 0010): the search asks for the one token, which is exact for Chinese, digits and
  ASCII (see the section "One- and two-character search" below).
- The admin changelist is the peer: it runs an exact COUNT over 300,000 rows on every page and an
  OFFSET for deep pages, so its page 2,500 costs 3–5× its first page; the registry's keyset pages
  cost the same at page 5,000 as at page 1.
- The export streams 300,000 rows through `iterator(chunk_size=2000)` into XlsxWriter's
  constant-memory mode: peak memory about 200 MB (Python, Django and the app loaded included)
  whatever the row count; its time is CPU-bound Python (model instances and cell writes).
"""
PAGES_HEADING = "## Indicator pages at province scale"
DEEP_PAGE = 5000
ADMIN_PAGE_SIZE = 100


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _kept_after_command(path: Path) -> str:
    """What the report holds after its "These figures" line (the field
    app's and the load test's sections, written by others): kept when the
    figures above are written again."""
    if not path.exists():
        return ""
    _before, found, after = path.read_text(encoding="utf-8").partition("\nThese figures: `manage.py bench")
    return after.partition("\n")[2] if found else ""


class Command(BaseCommand):
    help = "Measure the registry at province scale and write docs/bench.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--runs", type=int, default=15, help="timed runs of each page (after 3 warm-ups)")
        parser.add_argument("--export-runs", type=int, default=3)
        parser.add_argument("--units", type=int, default=300_000)
        parser.add_argument("--counties", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--output", default="docs/bench.md")
        parser.add_argument("--export-child", action="store_true", help="internal: one export run")
        parser.add_argument(
            "--only-search",
            action="store_true",
            help="measure only the one- and two-character searches and replace their section in the report",
        )
        parser.add_argument(
            "--only-pages",
            action="store_true",
            help="measure only the indicator pages (overview, due, rates) and replace their section in the report",
        )
        parser.add_argument("--page-child", nargs=2, metavar=("USER", "URL"), help="internal: one page, peak memory")
        parser.add_argument(
            "--only-import",
            action="store_true",
            help="measure only the 10,000-row import and replace its row in the report",
        )

    # -- helpers --------------------------------------------------------------

    def _client(self, username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    def _row(
        self, results: list, what: str, median: float, p95: float, runs: int, target: str, met: Any, **extra: Any
    ) -> None:
        """One timed row of the report, also said on the console."""
        results.append(
            {**extra, "what": what, "median": median, "p95": p95, "target": target, "met": met, "runs": runs}
        )
        self.stdout.write(f"{what}: median {median:.1f} ms, p95 {p95:.1f} ms")

    def _time(self, fetch: Callable[[], Any], runs: int, warm: int = 3) -> tuple[float, float]:
        for _ in range(warm):
            fetch()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fetch()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), _p95(times)

    def _get(self, client: Client, url: str, expect: str | None = None) -> Callable[[], Any]:
        def fetch() -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            if expect is not None and expect not in response.content.decode():
                raise RuntimeError(f"{url} does not show {expect!r}")
            return response

        return fetch

    # -- the run --------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        # Measure as production runs: no query log, and the test client's host allowed.
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        if options["export_child"]:
            self._export_child()
            return
        if options["page_child"]:
            self._page_child(*options["page_child"])
            return
        if connection.vendor != "postgresql":
            self.stderr.write("warning: the benchmark is meant for PostgreSQL (BENCH_DATABASE_URL)")
        if not province_exists():
            self.stdout.write("generating the province …")
            started = time.perf_counter()
            make_province(
                units=options["units"], counties=options["counties"], seed=options["seed"], log=self.stdout.write
            )
            self.stdout.write(f"generated in {time.perf_counter() - started:.0f} s")
        if not records_exist():
            self.stdout.write("generating the year's records …")
            started = time.perf_counter()
            make_records(seed=options["seed"], log=self.stdout.write)
            self.stdout.write(f"generated in {time.perf_counter() - started:.0f} s")
        analyse()
        if options["only_search"]:
            load_before = os.getloadavg()
            rows = self._short_search(options["runs"])
            self._replace_search_section(rows, options, (load_before, os.getloadavg()))
            return
        if options["only_import"]:
            self._replace_import_row(self._import(), options["output"])
            return
        if options["only_pages"]:
            self._replace_pages_section(options["runs"], options["output"])
            return
        load_before = os.getloadavg()
        rows = self._measure(options["runs"], options["export_runs"])
        options["load"] = (load_before, os.getloadavg())
        self._write(rows, options)
        self._replace_pages_section(options["runs"], options["output"])

    def _measure(self, runs: int, export_runs: int) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        province = self._client("bench_province")
        township = self._client("bench_township")
        admin = self._client("bench_admin")
        province_user = User.objects.get(username="bench_province")
        township_user = User.objects.get(username="bench_township")

        def add(what: str, fetch: Callable[[], Any], target: str, runs: int = runs, limit: float = TARGET_MS) -> None:
            median, p95 = self._time(fetch, runs)
            self._row(results, what, median, p95, runs, target, p95 < limit if target.startswith("p95") else None)

        ordering = ["name", "id"]
        all_units = units_filtered(province_user, UnitFilters()).order_by(*ordering)
        deep = all_units.values_list("name", "id")[DEEP_PAGE * DEFAULT_PAGE_SIZE - DEFAULT_PAGE_SIZE - 1]
        deep_cursor = encode_cursor([deep[0], str(deep[1])])
        own = units_filtered(township_user, UnitFilters()).order_by(*ordering)
        own_count = own.count()
        last_start = ((own_count - 1) // DEFAULT_PAGE_SIZE) * DEFAULT_PAGE_SIZE
        last = own.values_list("name", "id")[last_start - 1] if last_start else None
        sample = (
            Unit.objects.filter(area__path__startswith=township_user.institution.area.path, credit_code__isnull=False)
            .filter(pk__in=Licence.objects.values("unit_id"))
            .filter(pk__in=StaffCertificate.objects.values("unit_id"))
            .order_by("name")
            .first()
        )
        assert sample is not None
        word = sample.name[2:4]

        add("List, one township (co-manager), page 1", self._get(township, "/units/"), "p95 < 150 ms")
        if last is not None:
            url = "/units/?" + urlencode({"after": encode_cursor([last[0], str(last[1])])})
            add(f"List, one township, last page ({own_count} units)", self._get(township, url), "p95 < 150 ms")
        add("List, whole province (province user), page 1", self._get(province, "/units/"), "p95 < 150 ms")
        page1 = results[-1]["median"]
        add(
            f"List, whole province, page {DEEP_PAGE:,} (keyset cursor)",
            self._get(province, "/units/?" + urlencode({"after": deep_cursor})),
            "p95 < 150 ms",
        )
        deep_median = results[-1]["median"]
        results.append(
            {
                "what": f"List, page {DEEP_PAGE:,} ÷ page 1 (medians)",
                "median": deep_median / page1,
                "p95": None,
                "target": "≤ 1.5×",
                "met": deep_median / page1 <= 1.5,
                "ratio": True,
            }
        )
        add(
            "List, whole province, recently changed first, page 1",
            self._get(province, "/units/?sort=recent"),
            "p95 < 150 ms",
        )
        add(
            "List, whole province, filter: licence expiring in 30 days",
            self._get(province, "/units/?expiring=on"),
            "p95 < 150 ms",
        )
        add(
            "List, whole province, filter: category + incomplete",
            self._get(province, f"/units/?category={sample.category_id}&incomplete=on"),
            "p95 < 150 ms",
        )
        for who, client in (("province", province), ("township", township)):
            add(
                f"Search by name ({word}), {who}",
                self._get(client, "/units/?" + urlencode({"q": word})),
                "p95 < 150 ms",
            )
            add(
                f"Search by pinyin initials ({sample.name_initials[:4]}), {who}",
                self._get(client, "/units/?" + urlencode({"q": sample.name_initials[:4]})),
                "p95 < 150 ms",
            )
            add(
                f"Search by credit code, {who}",
                self._get(client, "/units/?" + urlencode({"q": sample.credit_code}), expect=sample.name),
                "p95 < 150 ms",
            )
        add(
            "Unit file (一户一档) page", self._get(province, f"/units/{sample.pk}/", expect=sample.name), "p95 < 150 ms"
        )
        add("Unit file as PDF", self._get(province, f"/units/{sample.pk}/pdf/"), "—", runs=5)
        from xieguan.accounts.services import token_issue

        _token, key = token_issue(user=province_user)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        add("API GET /api/units, whole province, page 1", self._get(api, "/api/units"), "p95 < 150 ms")
        add(
            "API GET /api/units?q=<pinyin initials>, whole province",
            self._get(api, "/api/units?" + urlencode({"q": sample.name_initials[:4]})),
            "p95 < 150 ms",
        )
        add("Peer: admin changelist, page 1", self._get(admin, "/admin/units/unit/"), "(peer figure)")
        admin_page = DEEP_PAGE * DEFAULT_PAGE_SIZE // ADMIN_PAGE_SIZE
        add(
            f"Peer: admin changelist, ?p={admin_page} (the same rows as page {DEEP_PAGE:,})",
            self._get(admin, f"/admin/units/unit/?p={admin_page}"),
            "(peer figure)",
            runs=max(3, runs // 3),
        )
        add(
            "Peer: admin changelist, search by name",
            self._get(admin, "/admin/units/unit/?" + urlencode({"q": word})),
            "(peer figure)",
            runs=max(3, runs // 3),
        )
        results.extend(self._short_search(runs))
        results.extend(self._export(export_runs))
        results.append(self._import())
        return results

    # -- one- and two-character search (issue 19 item 4) -------------------------

    def _short_search(self, runs: int) -> list[dict[str, Any]]:
        """The list's first page searched by a common pair (饭店), a pair the
        data hardly has (王记), the rarest pair of a township's names (one
        to a few units in the province: the index's worst case is no longer
        a full scan) and one common character, as the province user and as
        a township co-manager; and the API's first page for 饭店."""
        province_user = User.objects.get(username="bench_province")
        township_user = User.objects.get(username="bench_township")
        clients = (("province", self._client("bench_province")), ("township", self._client("bench_township")))
        names = list(
            Unit.objects.filter(area__path__startswith=township_user.institution.area.path)
            .order_by("name")
            .values_list("name", flat=True)[:40]
        )
        pairs = sorted({name[i : i + 2] for name in names for i in range(len(name) - 1) if "（" not in name[i : i + 2]})
        counted = [(units_filtered(province_user, UnitFilters(q=pair)).count(), pair) for pair in pairs[:60]]
        _rare_count, rare = min(counted)
        results: list[dict[str, Any]] = []
        # The same page without a search, measured alongside: on a loaded
        # machine it tells the search's cost from the page's.
        for who, client in clients:
            median, p95 = self._time(self._get(client, "/units/"), runs)
            self._row(results, f"Control: the list without a search, {who}, page 1", median, p95, runs, "—", None)
        for term, label in (
            ("饭店", "common pair"),
            ("王记", "pair hardly in the data"),
            (rare, "rarest pair"),
            ("店", "one character"),
        ):
            hits = units_filtered(province_user, UnitFilters(q=term)).count()
            for who, client in clients:
                in_scope = hits if who == "province" else units_filtered(township_user, UnitFilters(q=term)).count()
                median, p95 = self._time(self._get(client, "/units/?" + urlencode({"q": term})), runs)
                user = province_user if who == "province" else township_user
                database = self._database_ms(units_filtered(user, UnitFilters(q=term)).order_by("name", "id")[:51])
                what = f"Search {term} ({label}, {in_scope:,} units), {who}, page 1"
                self._row(results, what, median, p95, runs, "p95 ≤ 150 ms", p95 <= TARGET_MS, database=database)
        from xieguan.accounts.services import token_issue

        _token, key = token_issue(user=province_user)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        median, p95 = self._time(self._get(api, "/api/units?" + urlencode({"q": "饭店"})), runs)
        what = "API GET /api/units?q=饭店, whole province, page 1"
        self._row(results, what, median, p95, runs, "p95 ≤ 150 ms", p95 <= TARGET_MS)
        return results

    def _database_ms(self, qs: Any, runs: int = 5) -> float | None:
        """The database's own time for a query (EXPLAIN ANALYZE's execution
        time, median of ``runs`` after one warm-up): what the index buys,
        apart from Python building the page, which a loaded machine slows."""
        if connection.vendor != "postgresql":
            return None
        sql, params = qs.query.sql_with_params()
        times = []
        with connection.cursor() as cursor:
            for _ in range(runs + 1):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                times.append(float(plan[0]["Execution Time"]))
        return statistics.median(times[1:])

    def _replace_search_section(self, rows: list[dict[str, Any]], options: dict[str, Any], load: Any) -> None:
        """Write the short-search figures as their own section of the report,
        replacing the one a previous run wrote (the rest stays)."""
        start, end = "<!-- short-search -->", "<!-- /short-search -->"
        lines = [
            start,
            "## One- and two-character search",
            "",
            "Issue 19 item 4. The registry list's first page (`/units/?q=…`) as the province user (every unit) "
            "and as a township co-manager, server time in-process as above, "
            f"{options['runs']} timed runs after 3 warm-ups; `manage.py bench --only-search --runs {options['runs']}`. "
            "The counts are the units the search finds in that user's scope. The database column is "
            "EXPLAIN ANALYZE's execution time of the page's query (median of 5, warm): the index's share, "
            "which the machine's load touches far less than Python building the page.",
            "",
            "| what | median | p95 | of which database (median) | target | met? |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows:
            met = "—" if row["met"] is None else ("yes" if row["met"] else "**no**")
            database = f"{row['database']:.1f} ms" if row.get("database") is not None else "—"
            lines.append(
                f"| {row['what']} | {row['median']:.1f} ms | {row['p95']:.1f} ms | {database} | {row['target']} | {met} |"
            )
        lines += [
            "",
            "- Load average (1, 5, 15 min) before the run: {:.1f}, {:.1f}, {:.1f}; after: {:.1f}, {:.1f}, {:.1f} "
            "(2 CPUs, shared with other work).".format(*load[0], *load[1]),
            f"- Measured {timezone.localtime():%Y-%m-%d %H:%M} on {Unit.objects.count():,} units.",
            "- Read the searches against the control rows: what a loaded machine adds is Python building "
            "the page, which the page without a search pays as much; the database's share is the search's own.",
            "- How a short term is found: every unit keeps its characters and pairs of characters in "
            "`search_grams`, under a GIN index on `string_to_array(search_grams, ' ')` (units migration 0010). "
            "PostgreSQL cannot tell a rare or absent pair (王记) from a common one and guesses ~1,500 units, "
            "so it walked the name index for the first page and read all 300,000 units to find none (2.8 s). "
            "The list therefore first asks the GIN index, without order, for up to 1,001 ids "
            "(`units.selectors._rare_term`: 0.04 ms for 王记, 9 ms for 饭店, 18 ms for 店); a rare term becomes "
            "those ids, a common one stays the token test, which the name index meets within its first few "
            "thousand rows. The database column above is the page's query alone, without that probe.",
            end,
        ]
        path = Path(options["output"])
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        section = "\n".join(lines)
        if start in text and end in text:
            before, rest = text.split(start, 1)
            text = before + section + rest.split(end, 1)[1]
        elif "\n## Data" in text:
            before, rest = text.split("\n## Data", 1)
            text = before + "\n" + section + "\n\n## Data" + rest
        else:
            text = text + "\n" + section + "\n"
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote the search section of {path}")

    # -- the indicator pages (issue 22): time in-process, memory in a child ----

    PAGES = ("/monthly/overview/", "/inspections/due/", "/monthly/rates/")
    # The indicators app's pages (issue 22 §5): the dashboard (figures, the
    # 12-month trend and the ranking), a figure's drill-down to the areas
    # below and, for the county, the map's points.
    INDICATOR_PAGES = ("/indicators/", "/indicators/licence/")
    COUNTY_PAGES = ("/indicators/map.json?area={county}",)
    PAGE_LIMITS = {"province": 2000.0, "county": 500.0}
    MEMORY_LIMIT_MB = 300.0

    def _page_child(self, username: str, url: str) -> None:
        """One request for a page in a fresh process: its time and the process's peak memory."""
        client = self._client(username)
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.stdout.write(json.dumps({"seconds": seconds, "peak_kb": peak_kb}))

    def _page_peak_mb(self, username: str, url: str) -> float:
        # The arguments are this command's own user names and paths, never outside input.
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "bench", "--page-child", username, url],
            capture_output=True,
            check=True,
            text=True,
            env=os.environ.copy(),
        )
        return json.loads(done.stdout.strip().splitlines()[-1])["peak_kb"] / 1024

    def _pages(self, runs: int) -> list[dict[str, Any]]:
        from xieguan.demo.province import bench_county_user

        bench_county_user()
        results: list[dict[str, Any]] = []
        county = User.objects.select_related("institution__area").get(username="bench_county").institution.area
        for who, username in (("province", "bench_province"), ("county", "bench_county")):
            client = self._client(username)
            limit = self.PAGE_LIMITS[who]
            urls = [*self.PAGES, *self.INDICATOR_PAGES]
            if who == "county":
                urls += [url.format(county=county.pk) for url in self.COUNTY_PAGES]
            for url in urls:
                median, p95 = self._time(self._get(client, url), runs, warm=1)
                peak = self._page_peak_mb(username, url)
                row = {
                    "what": f"{url}, {who} user",
                    "median": median,
                    "p95": p95,
                    "target": f"p95 ≤ {limit / 1000:g} s, peak ≤ {self.MEMORY_LIMIT_MB:.0f} MB"
                    if limit >= 1000
                    else f"p95 ≤ {limit:.0f} ms, peak ≤ {self.MEMORY_LIMIT_MB:.0f} MB",
                    "peak": peak,
                    "met": p95 <= limit and peak <= self.MEMORY_LIMIT_MB,
                }
                results.append(row)
                self.stdout.write(f"{row['what']}: median {median:.1f} ms, p95 {p95:.1f} ms, peak {peak:.0f} MB")
        return results

    def _replace_pages_section(self, runs: int, output: str) -> None:
        """Measure the indicator pages and put their section into the report (the rest stays)."""
        from xieguan.indicators.rollups import refresh_all
        from xieguan.indicators.tasks import CURRENT_EVERY, PAST_EVERY

        load_before = os.getloadavg()
        # The worker's two jobs, as it runs them, timed: the pages then read the rollup they keep.
        started = time.perf_counter()
        current_rows = refresh_all(current=True, every=CURRENT_EVERY)
        current_seconds = time.perf_counter() - started
        started = time.perf_counter()
        past_rows = refresh_all(current=False, every=PAST_EVERY)
        past_seconds = time.perf_counter() - started
        self.stdout.write(
            f"rollup: {current_rows} rows in {current_seconds:.0f} s, {past_rows} in {past_seconds:.0f} s"
        )
        rows = self._pages(runs)
        load_after = os.getloadavg()
        lines = [
            PAGES_HEADING,
            "",
            "Issue 22: the pages that count a whole scope, as the province user (`bench_province`, whose overview "
            "is the first prefecture's) and as a county leader (`bench_county`, the county of `bench_township`). "
            f"Time in-process (1 untimed request, then {runs} timed runs), DEBUG off; peak memory (`ru_maxrss`) "
            "of a fresh process that serves the page once (Python, Django and the app included). "
            "`manage.py bench --only-pages`.",
            "",
            "Before (issue 22 as filed, province user, one request each): `/monthly/overview/` 63.9 s and 1.64 GB, "
            "`/inspections/due/` 60.9 s and 1.63 GB, `/monthly/rates/` 4.8 s — every unit of the scope was read "
            "into Python to judge its patrol, and the rates asked four queries per county per month. Now each "
            "unit's county windows, frequency rule and state are SQL (CASE over the counties whose periods differ "
            "from the calendar, EXISTS on a patrol in the unit's window, tried only for units patrolled at all in "
            "the widest window), the townships one grouped aggregate, the due list its first 300 units by SQL, "
            "and the rates of every county and month five queries.",
            "",
            "With the year of records (3 million patrols) the province's tallies cost 17 s a month, so the county "
            "and the levels above now read the rollup the worker keeps (`indicators.rollups`, issue 22 §5): every "
            "tally of the current and previous month and the quarter every five minutes "
            f"({current_rows} rows in {current_seconds:.0f} s here), the eleven months before, the quarters, "
            f"halves and years hourly ({past_rows} rows in {past_seconds:.0f} s), each on the `rollups` queue's "
            "own worker; a township counts live. The due page above county level lists the areas below instead "
            "of units.",
            "",
            "| page, user | median | p95 | peak memory | target | met? |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows:
            met = "yes" if row["met"] else "**no**"
            lines.append(
                f"| {row['what']} | {row['median']:.0f} ms | {row['p95']:.0f} ms | {row['peak']:.0f} MB "
                f"| {row['target']} | {met} |"
            )
        lines += [
            "",
            "Load average (1, 5, 15 min) before: {:.1f}, {:.1f}, {:.1f}; after: {:.1f}, {:.1f}, {:.1f} "
            "(2 CPUs, shared with other work: a load above 2 means the figures are slower than on a quiet "
            "server).".format(*load_before, *load_after),
            "",
        ]
        path = Path(output)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        section = "\n".join(lines)
        if PAGES_HEADING in text:
            before, _sep, rest = text.partition(PAGES_HEADING)
            after = rest.split("\n## ", 1)
            text = before + section + ("\n## " + after[1] if len(after) > 1 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")

    # -- export in a child process, for its peak memory -----------------------

    def _export_child(self) -> None:
        client = self._client("bench_province")
        started = time.perf_counter()
        response = client.get("/units/export/")
        size = sum(len(chunk) for chunk in response.streaming_content)
        seconds = time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.stdout.write(json.dumps({"seconds": seconds, "bytes": size, "peak_kb": peak_kb}))

    def _export(self, runs: int) -> list[dict[str, Any]]:
        times, sizes = [], []
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "manage.py", "bench", "--export-child"],
                capture_output=True,
                check=True,
                text=True,
                env=os.environ.copy(),
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            times.append(result["seconds"] * 1000)
            sizes.append(result["bytes"])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        count = Unit.objects.count()
        self.stdout.write(f"export: median {statistics.median(times) / 1000:.1f} s, peak {peak_mb:.0f} MB")
        return [
            {
                "what": f"Export of {count:,} rows to Excel (time)",
                "median": statistics.median(times),
                "p95": _p95(times),
                "target": "—",
                "met": None,
                "runs": runs,
                "unit": "s",
                "note": f"{statistics.median(sizes) / 1_048_576:.0f} MB file",
            },
            {
                "what": f"Export of {count:,} rows: peak memory of the process",
                "median": peak_mb,
                "p95": None,
                "target": "< 300 MB",
                "met": peak_mb < 300,
                "unit": "MB",
            },
        ]

    def _import(self) -> dict[str, Any]:
        try:
            from xieguan.units.imports import import_rows_for_bench
        except ImportError:
            return {
                "what": "Import of a 10,000-row sheet",
                "median": None,
                "p95": None,
                "target": "< 30 s",
                "met": None,
                "note": "not measured: import lands in another branch",
            }
        return self._run_import(import_rows_for_bench)

    def _run_import(self, import_rows: Callable[..., Any]) -> dict[str, Any]:
        import tempfile

        from xieguan.core.documents import write_xlsx
        from xieguan.units.models import Category

        food = Category.objects.get(code="food")
        actor = User.objects.get(username="bench_township")
        township = actor.institution.area
        subtype = food.subtypes.first()
        fields = list(food.fields.all())
        headers = ["名称", "统一社会信用代码", "乡镇（街道）", "小类", "地址", "法定代表人", "联系电话"]
        headers += [f.label for f in fields]
        rows = (
            [f"导入测试饭店{i:05d}", "", township.name, subtype.name, f"导入路{i}号", "王五", "13800000000"]
            + [40 if f.kind == "int" else f"JY{i:08d}" for f in fields]
            for i in range(10_000)
        )
        from django.db import transaction

        times = []
        runs = 3
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as sheet:
            write_xlsx(sheet.name, headers, rows)
            for _ in range(runs):
                # Each run imports into a transaction that is rolled back, so
                # every run meets the same table and the province stays as made.
                with transaction.atomic():
                    started = time.perf_counter()
                    created = import_rows(actor, food, sheet.name)
                    times.append((time.perf_counter() - started) * 1000)
                    transaction.set_rollback(True)
                if created != 10_000:
                    raise CommandError(f"the import made {created} units, not 10,000")
        return {
            "what": "Import of a 10,000-row sheet (read, check, write)",
            "median": statistics.median(times),
            "p95": None,
            "target": "< 30 s",
            "met": statistics.median(times) < 30_000,
            "unit": "s",
            "runs": runs,
        }

    def _replace_import_row(self, row: dict[str, Any], output: str) -> None:
        """Put a fresh import figure into an existing report (the rest stays)."""
        median = row["median"]
        met = "yes" if row["met"] else "no"
        load = os.getloadavg()[0]
        line = (
            f"| {row['what']}, median of {row['runs']} runs (load {load:.1f}) | {median / 1000:.1f} s | — "
            f"| {row['target']} | {met} |"
        )
        path = Path(output)
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [line if entry.startswith("| Import of a 10,000-row sheet") else entry for entry in lines]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write(line)

    # -- the report -------------------------------------------------------------

    def _write(self, rows: list[dict[str, Any]], options: dict[str, Any]) -> None:
        def figure(value: float | None, row: dict[str, Any]) -> str:
            if value is None:
                return "—"
            if row.get("ratio"):
                return f"{value:.2f}×"
            if row.get("unit") == "s":
                return f"{value / 1000:.1f} s"
            if row.get("unit") == "MB":
                return f"{value:.0f} MB"
            return f"{value:.1f} ms"

        lines = [
            "# Benchmark: the registry at province scale",
            "",
            "Issue 4 item 11, SPEC §16. Server time measured in-process with Django's test client "
            f"(warm: 3 untimed requests first; then {options['runs']} timed runs unless the row says otherwise), "
            "DEBUG off. The export runs in a child process so its peak memory (`ru_maxrss`) is its own.",
            "",
            "| what | median | p95 | target | met? |",
            "|---|---|---|---|---|",
        ]
        for row in rows:
            met = "—" if row["met"] is None else ("yes" if row["met"] else "**no**")
            what = row["what"] + (f" — {row['note']}" if row.get("note") else "")
            lines.append(
                f"| {what} | {figure(row['median'], row)} | {figure(row['p95'], row)} | {row['target']} | {met} |"
            )
        with connection.cursor() as cursor:
            cursor.execute("select version()" if connection.vendor == "postgresql" else "select sqlite_version()")
            db_version = cursor.fetchone()[0]
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        memory_kb = next(
            (int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line), 0
        )
        lines += ["", *ANALYSIS.splitlines()]
        lines += [
            "",
            "## Data",
            "",
            f"- {Unit.objects.count():,} units, {Licence.objects.count():,} licences, "
            f"{StaffCertificate.objects.count():,} staff certificates, made by "
            f"`manage.py make_province --units {options['units']} --counties {options['counties']} "
            f"--seed {options['seed']}` (one province, prefectures, counties with 9–15 townships and "
            "6–12 villages each).",
            "- Users: `bench_province` (province health commission, read-only higher level: sees every unit), "
            "`bench_township` (co-manager of one township), `bench_admin` (superuser, for the admin changelist).",
            f"- Page {DEEP_PAGE:,} is reached by its keyset cursor, computed from the row before it, not by clicking "
            "through. A township has a few hundred units, so its deepest page is its last page. The admin "
            f"changelist shows {ADMIN_PAGE_SIZE} rows a page and runs an exact COUNT; `?p=` addresses its pages.",
            "",
            "## Machine",
            "",
            f"- {cpu}, {os.cpu_count()} CPUs, {memory_kb / 1_048_576:.0f} GB memory, {platform.platform()}",
            f"- {db_version.split(',')[0]}; Python {platform.python_version()}; Django {django.get_version()}",
            "- Load average (1, 5, 15 min) before the run: {:.1f}, {:.1f}, {:.1f}; after: {:.1f}, {:.1f}, {:.1f}. "
            "The machine is shared: a load above its CPU count means other work ran alongside and the "
            "figures are slower than on a quiet server.".format(*options["load"][0], *options["load"][1]),
            "",
            "## Command",
            "",
            "```",
            "make bench    # BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/xieguan_bench",
            "make load     # the load test alone (its section below)",
            "```",
            "",
            f"These figures: `manage.py bench --runs {options['runs']} --export-runs {options['export_runs']}`.",
            "",
        ]
        path = Path(options["output"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + _kept_after_command(path), encoding="utf-8")
        self.stdout.write(f"wrote {path}")
