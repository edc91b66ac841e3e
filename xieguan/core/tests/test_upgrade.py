"""An upgrade keeps every record (issue 19 item 3): a database made by the
previous release's migrations, holding the main records, migrates to this
release without losing a row or a value.

The previous release is main as of the 23 November 2026 merge (f7109fd, the
month overview and workbook: issues 1-10), before the security, structure
and field issues; PREVIOUS_RELEASE lists each app's last migration there.
The test migrates the test database back to those heads, writes records
through the historical models of that state (the code of that release, as
far as the database is concerned), migrates forward to the latest and reads
them back through today's models: every column that still exists keeps its
value, a column that moved (the county's one period start day, now dated
rules) arrives where it moved to, and new columns take their defaults.

Transactional, since it changes the schema; it always migrates forward
again, even when it fails, so the tests after it find today's schema."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

PREVIOUS_RELEASE = [
    ("accounts", "0003_roles"),
    ("areas", "0001_initial"),
    ("complaints", "0001_initial"),
    ("core", "0001_initial"),
    ("field", "0001_initial"),
    ("inspections", "0004_photo_inspection_photo_once"),
    ("monthly", "0002_monthlysetting_period_start_day_and_more"),
    ("outreach", "0004_outreach_unit_fk"),
    ("reports", "0004_seed_natures_of_categories_and_reports"),
    ("units", "0006_merge_import_and_county"),
]


def _records_of_the_previous_release(old: Any) -> dict[str, list[Any]]:
    """One or two rows of each main table, written as that release wrote
    them (its historical models: no save() logic, every required column
    given). Returns them by model label."""
    model = old.get_model
    now = timezone.now().replace(microsecond=0)
    made: dict[str, list[Any]] = {}

    def add(label: str, **values: Any) -> Any:
        row = model(label).objects.create(**values)
        made.setdefault(label, []).append(row)
        return row

    def area(name: str, level: int, code: str, parent: Any = None) -> Any:
        pk = uuid.uuid4()  # the path is the ids from the root, as that release's Area.save() wrote it
        path = (parent.path if parent else "/") + f"{pk.hex}/"
        return add("areas.Area", id=pk, name=name, level=level, code=code, path=path, parent=parent)

    province = area("旧版省", 1, "880000000000")
    prefecture = area("旧版市", 2, "880100000000", province)
    county = area("旧版县", 3, "880101000000", prefecture)
    township = area("旧版镇", 4, "880101001000", county)
    bureau = add("accounts.Institution", name="旧版县卫生健康局", type="bureau", area=county)
    station = add("accounts.Institution", name="旧版镇卫生院", type="station", area=township)
    cg = add("accounts.User", username="old_cg", password="x", full_name="旧协管", institution=station)
    add("accounts.User", username="old_bureau", password="y", full_name="旧局长", institution=bureau)

    category, _ = model("units.Category").objects.get_or_create(code="public_place", defaults={"name": "公共场所"})
    add("units.Subtype", category=category, name="旧版浴室")
    unit = add("units.Unit", name="旧版红星浴室", area=township, county=county, category=category, address="旧街 1 号")
    add("units.ImportBatch", file="imports/units/2026/11/old.xlsx", category=category, created_by=cg)
    template = add("inspections.ChecklistTemplate", title="旧版公共场所检查表", category=category)
    inspection = add(
        "inspections.Inspection",
        started_at=now - datetime.timedelta(days=20),
        area=township,
        institution=station,
        recorded_by=cg,
        template=template,
        unit=unit,
    )
    add(
        "inspections.Photo",
        image="inspections/2026/11/old.jpg",
        sha256="a" * 64,
        area=township,
        uploaded_by=cg,
        inspection=inspection,
    )
    add("inspections.Signature", role="inspector", image="signatures/2026/11/old.png", inspection=inspection, user=cg)

    report_category, _ = model("reports.ReportCategory").objects.get_or_create(
        code="old_hazard", defaults={"name": "旧版隐患"}
    )
    add(
        "reports.Report",
        found_at=now - datetime.timedelta(days=10),
        deadline_at=now - datetime.timedelta(days=9),
        place="旧街 2 号",
        content="旧版发现的隐患",
        area=township,
        institution=station,
        reporter=cg,
        category=report_category,
    )
    add(
        "complaints.Complaint",
        receipt="OLD12345",
        pin_hash="pbkdf2$old",
        category="public_place",
        content="旧版收到的投诉",
        channel="phone",
        registered_at=now - datetime.timedelta(days=5),
        area=township,
    )
    add(
        "outreach.Outreach",
        date=datetime.date(2026, 11, 2),
        place="旧版镇政府",
        form="lecture",
        theme="旧版宣传",
        area=township,
        institution=station,
        recorded_by=cg,
    )
    training = add(
        "outreach.Training",
        level="county",
        topic="旧版培训",
        date=datetime.date(2026, 11, 3),
        hours=Decimal("2.5"),
        trainer="旧讲师",
        area=county,
        institution=bureau,
        recorded_by=cg,
    )
    add("outreach.Attendance", signed_at=now, method="registered", person=cg, training=training)
    add("monthly.MonthlySetting", county=county, period_start_day=26)
    add("monthly.MonthlyReport", year=2026, month=10, deadline=datetime.date(2026, 11, 5), township=township)
    add(
        "core.AuditEvent",
        action="update",
        actor=cg,
        object_type="units.unit",
        object_id=str(unit.pk),
        changes={"name": ["旧", "新"]},
    )
    return made


def _values(model: Any, pks: list[Any], fields: list[str]) -> dict[Any, dict[str, Any]]:
    return {row["pk"]: row for row in model.objects.filter(pk__in=pks).values("pk", *fields)}


def test_a_database_of_the_previous_release_with_its_records_migrates_to_this_one_without_loss():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(PREVIOUS_RELEASE)
        old = MigrationExecutor(connection).loader.project_state(PREVIOUS_RELEASE).apps
        made = _records_of_the_previous_release(old)
        before = {}
        for label, rows in made.items():
            fields = [f.attname for f in old.get_model(label)._meta.concrete_fields if not f.primary_key]
            before[label] = (fields, _values(old.get_model(label), [row.pk for row in rows], fields))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    # Every row and every value of a column that still exists, as written.
    for label, (fields, rows) in before.items():
        now_model = current_apps.get_model(label)
        kept = [name for name in fields if name in {f.attname for f in now_model._meta.concrete_fields}]
        assert _values(now_model, list(rows), kept) == {
            pk: {"pk": pk, **{name: row[name] for name in kept}} for pk, row in rows.items()
        }, label
        assert len(kept) >= len(fields) - (1 if label == "monthly.MonthlySetting" else 0), label
    assert len(before) >= 18

    # The one start day moved into a rule that applies since always.
    county = made["areas.Area"][2]
    rule = current_apps.get_model("monthly.PeriodRule").objects.get(county_id=county.pk)
    assert (rule.start_day, rule.applies_from) == (26, datetime.date(2000, 1, 1))
    # New columns take their defaults on old rows.
    subtype = current_apps.get_model("units.Subtype").objects.get(pk=made["units.Subtype"][0].pk)
    assert (subtype.county_id, subtype.is_active) == (None, True)
    assert current_apps.get_model("units.ImportBatch").objects.get(pk=made["units.ImportBatch"][0].pk).preview == {}
    attendance = current_apps.get_model("outreach.Attendance").objects.get(pk=made["outreach.Attendance"][0].pk)
    assert (attendance.person_id, attendance.name) == (made["accounts.User"][0].pk, "")
    template = current_apps.get_model("inspections.ChecklistTemplate").objects.get(
        pk=made["inspections.ChecklistTemplate"][0].pk
    )
    assert template.photos_required == 2
    report = current_apps.get_model("reports.Report").objects.get(pk=made["reports.Report"][0].pk)
    assert report.inspection_id is None and report.content == "旧版发现的隐患"


def test_the_previous_release_is_older_than_this_one():
    """The heads above are real migrations and every app has moved on since,
    or the upgrade test would migrate nothing."""
    graph = MigrationExecutor(connection).loader.graph
    for node in PREVIOUS_RELEASE:
        assert node in graph.nodes
    moved = {
        app for app, name in graph.leaf_nodes() if (app, name) not in PREVIOUS_RELEASE and app in dict(PREVIOUS_RELEASE)
    }
    assert {"accounts", "complaints", "core", "inspections", "monthly", "outreach", "reports", "units"} <= moved
