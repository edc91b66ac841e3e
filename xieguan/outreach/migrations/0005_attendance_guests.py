"""Attendance of people without an account (issue 20 item 10): a guest is
recorded by name, phone and workplace (or a registered unit); ``person``
becomes optional, one of the two is required, and a guest attends a training
once per name and phone.

Reversible: going back drops the guests' attendances first, since the old
table cannot hold an attendance without a person."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_guest_attendances(apps, schema_editor):
    Attendance = apps.get_model("outreach", "Attendance")
    Attendance.objects.filter(person__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0004_outreach_unit_fk"),
        ("units", "0008_import_batch_preview"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="name",
            field=models.CharField(
                blank=True, help_text="of a guest without an account", max_length=50, verbose_name="attendee's name"
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="attendance",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="training_attendances",
                to="units.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="workplace",
            field=models.CharField(blank=True, max_length=100, verbose_name="workplace"),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attendances",
                to=settings.AUTH_USER_MODEL,
                verbose_name="person",
            ),
        ),
        # Forward nothing to do; backward, the guests go before person is required again.
        migrations.RunPython(migrations.RunPython.noop, drop_guest_attendances),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", True)),
                fields=("training", "name", "phone"),
                name="attendance_once_per_guest",
            ),
        ),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("person__isnull", False), ("name", "")),
                    models.Q(("person__isnull", True), models.Q(("name", ""), _negated=True)),
                    _connector="OR",
                ),
                name="attendance_person_or_guest_name",
            ),
        ),
    ]
