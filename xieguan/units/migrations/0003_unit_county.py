"""Each unit carries the county its area lies in, so that the database itself
holds a credit code unique within a county (SPEC §3). The field is added
empty and filled from each unit's area path; 0004 makes it required."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def fill_county(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    batch = []
    for unit in Unit.objects.select_related("area").only("id", "area__path").iterator(chunk_size=2000):
        segments = [s for s in unit.area.path.split("/") if s]
        unit.county_id = uuid.UUID(hex=segments[2])
        batch.append(unit)
        if len(batch) >= 2000:
            Unit.objects.bulk_update(batch, ["county"])
            batch = []
    if batch:
        Unit.objects.bulk_update(batch, ["county"])


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("units", "0002_seed_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="county",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="areas.area",
                verbose_name="county",
            ),
        ),
        # Reverse: nothing to undo, the reversed AddField drops the column.
        migrations.RunPython(fill_county, migrations.RunPython.noop),
    ]
