import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0003_unit_county"),
    ]

    operations = [
        migrations.AlterField(
            model_name="unit",
            name="county",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="areas.area",
                verbose_name="county",
            ),
        ),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(fields=["name", "id"], name="unit_name_id_idx"),
        ),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(fields=["-updated_at", "-id"], name="unit_updated_idx"),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(
                condition=models.Q(("credit_code__isnull", False), models.Q(("credit_code", ""), _negated=True)),
                fields=("county", "credit_code"),
                name="unit_credit_code_unique_in_county",
            ),
        ),
    ]
