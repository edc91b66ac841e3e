"""Issue 17 finding 4: no Excel download carries a live formula or a link.

Formula payloads are planted in every free-text field of the whole demo
county (unit names, addresses, legal representatives, complaint texts,
report contents, inspection problems, area and institution names, people's
names, category labels, trainings, …); then every download the app offers
(found from the URL patterns and the OpenAPI document, so a new one cannot
be forgotten) is read back with openpyxl: no formula cell, no hyperlink,
and the planted text still there, neutralised with a leading quote."""

from __future__ import annotations

import io
import itertools
from typing import Any

from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from xieguan.accounts.models import Institution, User
from xieguan.areas.models import Area
from xieguan.core.spreadsheets import FORMULA_STARTS
from xieguan.inspections.models import Inspection
from xieguan.monthly.models import MonthlyReport
from xieguan.reports.models import Report
from xieguan.units.models import Category, CategoryField, FieldKind, Unit

PAYLOADS = (
    '=HYPERLINK("http://x.invalid","a")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "http://x.invalid",
)
APPS = ("areas", "accounts", "units", "complaints", "reports", "inspections", "outreach", "monthly")
# Identifiers and secrets, not text people type: they keep their values so
# the demo still signs in, scopes and links up.
KEEP = {"username", "password", "path", "code", "credit_code", "receipt", "pin_hash", "key_hash", "sha256", "prefix"}
# Every page route that answers with a spreadsheet, and the API's.
PAGE_DOWNLOADS = {
    "units:export",
    "units:import_template",
    "complaints:export",
    "inspections:register",
    "reports:register",
    "monthly:workbook_xlsx",
    "assessments:allocations_xlsx",
    "indicators:map_xlsx",
}
API_DOWNLOADS = {
    "/api/monthly-reports/{report_id}/workbook.xlsx",
    "/api/units/export",
    "/api/unit-imports/template/{code}",
    "/api/complaints/export.xlsx",
    "/api/patrol-register/{institution_id}.xlsx",
    "/api/report-register/{institution_id}.xlsx",
    "/api/assessments/{assessment_id}/allocations.xlsx",
    "/api/indicators/map.xlsx",
    # Files people uploaded, returned as stored (an Excel original stays the
    # original): documents, not spreadsheets this app writes.
    "/api/upper-documents/{document_id}/file",
    "/api/document-versions/{version_id}/file",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.SlugField)
        and not f.choices
        and not f.unique
        and f.name not in KEEP
        and f.name not in getattr(model, "audit_exclude", ())
        and "phone" not in f.name
        and "id_number" not in f.name
    ]


def _plant() -> int:
    """Every filled text field of every row gets a payload (numbered, so unique
    constraints hold; cut to the column's length). Returns the fields set."""
    counter = itertools.count()
    planted = 0
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            fields = _text_fields(model)
            if not fields:
                continue
            for row in model._default_manager.all():
                values = {}
                for f in fields:
                    if not getattr(row, f.attname):
                        continue  # a field left empty stays empty: a guest's name beside a person is refused
                    n = next(counter)
                    text = f"{PAYLOADS[n % len(PAYLOADS)]}{n}"
                    values[f.attname] = text[: f.max_length] if f.max_length else text
                model._default_manager.filter(pk=row.pk).update(**values)
                planted += len(values)
    for unit in Unit.objects.all():
        text_keys = [f.key for f in CategoryField.objects.filter(category_id=unit.category_id, kind=FieldKind.TEXT)]
        if text_keys:
            unit.extra = {**(unit.extra or {}), **{k: PAYLOADS[i % len(PAYLOADS)] for i, k in enumerate(text_keys)}}
            Unit.objects.filter(pk=unit.pk).update(extra=unit.extra)
    return planted


def _page_routes() -> set[str]:
    """Names of the routes whose path says they hand out a spreadsheet."""
    found: set[str] = set()

    def walk(patterns: Any, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                route = str(p.pattern)
                if "import/template" in route or route.endswith(("xlsx", "export/", "register/")):
                    found.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    found.discard("complaints:register")  # the staff's registration form, not a download
    return {name for name in found if not name.startswith("api:")}  # the API's come from its schema


def _api_routes(client: Client) -> set[str]:
    schema = client.get("/api/openapi.json").json()
    return {
        path
        for path, operations in schema["paths"].items()
        for op in operations.values()
        if XLSX in op.get("responses", {}).get("200", {}).get("content", {})
    }


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith(XLSX), response["Content-Type"]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _problems(name: str, content: bytes, seen: set[str]) -> list[str]:
    """Every formula cell, hyperlink and formula-like text of the file."""
    problems = []
    book = load_workbook(io.BytesIO(content))
    for ws in book.worksheets:
        if ws._hyperlinks:
            problems.append(f"{name}/{ws.title}: hyperlinks {[h.target for h in ws._hyperlinks]}")
        for row in ws.iter_rows():
            for cell in row:
                where = f"{name}/{ws.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    problems.append(f"{where}: formula {cell.value!r}")
                if cell.hyperlink is not None:
                    problems.append(f"{where}: hyperlink {cell.hyperlink.target!r}")
                if isinstance(cell.value, str):
                    if cell.value.startswith(FORMULA_STARTS):
                        problems.append(f"{where}: live text {cell.value!r}")
                    for payload in PAYLOADS:
                        if f"'{payload}" in cell.value:
                            seen.add(name)
    return problems


def test_every_spreadsheet_download_writes_planted_formulas_as_inert_text(whole_demo, api_token):
    demo = whole_demo  # what `manage.py load_demo` loads
    assert _plant() > 500
    bureau, cg1 = User.objects.get(username="bureau"), User.objects.get(username="cg1")
    county, township = Client(), Client()
    county.force_login(bureau)
    township.force_login(cg1)
    station = Institution.objects.get(pk=cg1.institution_id)
    assert _page_routes() == PAGE_DOWNLOADS
    assert _api_routes(county) == API_DOWNLOADS

    downloads: dict[str, bytes] = {}
    downloads["units:export"] = _body(county.get(reverse("units:export")))
    food = Category.objects.filter(fields__kind=FieldKind.TEXT).first()
    assert food is not None
    downloads["units:export?category"] = _body(county.get(reverse("units:export"), {"category": food.pk}))
    for category in Category.objects.all():
        downloads[f"units:import_template/{category.code}"] = _body(
            township.get(reverse("units:import_template", args=[category.code]))
        )
    downloads["complaints:export"] = _body(county.get(reverse("complaints:export")))
    for year in {i.started_at.year for i in Inspection.objects.filter(institution=station)}:
        downloads[f"inspections:register/{year}"] = _body(
            county.get(reverse("inspections:register"), {"institution": station.pk, "year": year, "format": "xlsx"})
        )
    for year in {r.found_at.year for r in Report.objects.filter(area__path__startswith=station.area.path)}:
        downloads[f"reports:register/{year}"] = _body(
            county.get(reverse("reports:register"), {"institution": station.pk, "year": year, "format": "xlsx"})
        )
    months = sorted({(r.township_id, r.year, r.month) for r in MonthlyReport.objects.all()})
    assert months
    for township_id, year, month in months[:3]:
        downloads[f"monthly:workbook_xlsx/{year}-{month}"] = _body(
            county.get(reverse("monthly:workbook_xlsx", args=[township_id, year, month]))
        )
    from xieguan.assessments.models import Assessment

    county_area = Area.objects.get(pk=demo.county.pk)  # the county's own assessments of its townships
    for assessment in Assessment.objects.filter(allocations__isnull=False, area=county_area).distinct():
        downloads[f"assessments:allocations_xlsx/{assessment.pk}"] = _body(
            county.get(reverse("assessments:allocations_xlsx", args=[assessment.pk]))
        )
    # The map's figures: the county's and each township's names are planted.
    downloads["indicators:map_xlsx"] = _body(county.get(reverse("indicators:map_xlsx"), {"area": county_area.pk}))
    report = MonthlyReport.objects.filter(township=Area.objects.get(pk=cg1.institution.area_id)).first()
    assert report is not None
    county_api, township_api = api_token(bureau), api_token(cg1)
    downloads["api:workbook.xlsx"] = _body(county.get(f"/api/monthly-reports/{report.pk}/workbook.xlsx", **county_api))
    # The API's downloads are the pages' workbooks: the same planted text, as inert.
    downloads["api:units/export"] = _body(county.get("/api/units/export", **county_api))
    for category in Category.objects.all():
        downloads[f"api:unit-imports/template/{category.code}"] = _body(
            township.get(f"/api/unit-imports/template/{category.code}", **township_api)
        )
    downloads["api:complaints/export.xlsx"] = _body(county.get("/api/complaints/export.xlsx", **county_api))
    for year in {i.started_at.year for i in Inspection.objects.filter(institution=station)}:
        downloads[f"api:patrol-register/{year}"] = _body(
            county.get(f"/api/patrol-register/{station.pk}.xlsx", {"year": year}, **county_api)
        )
    downloads["api:indicators/map.xlsx"] = _body(
        county.get("/api/indicators/map.xlsx", {"area": county_area.pk}, **county_api)
    )
    for year in {r.found_at.year for r in Report.objects.filter(area__path__startswith=station.area.path)}:
        downloads[f"api:report-register/{year}"] = _body(
            county.get(f"/api/report-register/{station.pk}.xlsx", {"year": year}, **county_api)
        )

    seen: set[str] = set()
    problems = [p for name, content in downloads.items() for p in _problems(name, content, seen)]
    assert problems == []
    # The planted text is in every kind of download, neutralised, not dropped.
    kinds = {name.split("/")[0].split("?")[0] for name in seen}
    assert kinds == PAGE_DOWNLOADS | {
        "api:workbook.xlsx",
        "api:units",
        "api:unit-imports",
        "api:complaints",
        "api:patrol-register",
        "api:report-register",
        "api:indicators",
    }
