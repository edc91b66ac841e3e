"""Guidance to a unit points at the registry now that it exists: the UUID
column becomes a foreign key (same values; reversible)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_dangling(apps, schema_editor):
    Outreach = apps.get_model("outreach", "Outreach")
    Unit = apps.get_model("units", "Unit")
    known = set(Unit.objects.values_list("pk", flat=True))
    for record in Outreach.objects.exclude(unit_id=None).only("pk", "unit_id"):
        if record.unit_id not in known:
            Outreach.objects.filter(pk=record.pk).update(unit_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0003_outreach_photo"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_dangling, migrations.RunPython.noop),
        migrations.RenameField("outreach", "unit_id", "unit"),
        migrations.AlterField(
            model_name="outreach",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                help_text="The unit guided, for guidance to a unit; it then shows in the unit file.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="outreach_records",
                to="units.unit",
                verbose_name="unit",
            ),
        ),
    ]
