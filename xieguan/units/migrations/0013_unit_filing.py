"""The history of whether a unit's file is complete (issue 22 item 1), so
the filing rate of a past period is judged as the registry stood then.

The backfill gives every unit one row: its file as it is now, since the
day it opened (else the day it was registered) — the best the registry
knows; the history proper begins with this migration. On PostgreSQL one
INSERT … SELECT (no unit passes through Python); elsewhere batches of
2,000, so 300,000 units fit in little memory. Units that already have a
row are left alone, so running it twice adds nothing.

Self-contained on purpose: a migration must not follow the app's code as
it changes later."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce, TruncDate

BATCH = 2000


def backfill_filings(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    UnitFiling = apps.get_model("units", "UnitFiling")
    alias = schema_editor.connection.alias
    units = (
        Unit._base_manager.using(alias)
        .exclude(Exists(UnitFiling._base_manager.filter(unit=OuterRef("pk"))))
        .annotate(start=Coalesce("opened_on", TruncDate("created_at")))
        .order_by()
    )
    if schema_editor.connection.vendor == "postgresql":
        sql, params = units.values_list("id", "start", "is_complete").query.get_compiler(using=alias).as_sql()
        table = schema_editor.connection.ops.quote_name(UnitFiling._meta.db_table)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (unit_id, since, complete) {sql}", params)
        return
    batch = []
    for unit_id, start, complete in units.values_list("id", "start", "is_complete").iterator(chunk_size=BATCH):
        batch.append(UnitFiling(unit_id=unit_id, since=start, complete=complete))
        if len(batch) >= BATCH:
            UnitFiling._base_manager.using(alias).bulk_create(batch)
            batch = []
    if batch:
        UnitFiling._base_manager.using(alias).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0012_unit_hygiene_graded_on"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitFiling",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("since", models.DateField(verbose_name="since")),
                ("complete", models.BooleanField(verbose_name="complete file")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="filings",
                        to="units.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "file completeness",
                "verbose_name_plural": "file completeness history",
                "ordering": ["unit", "since"],
                "constraints": [models.UniqueConstraint(fields=("unit", "since"), name="unit_filing_one_a_day")],
            },
        ),
        # Undoing drops the table with its rows; nothing else to undo.
        migrations.RunPython(backfill_filings, migrations.RunPython.noop),
    ]
