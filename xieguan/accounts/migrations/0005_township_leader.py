"""The township leader (the health centre's head, the station's responsible
leader), whose people's due lists roll up to them."""

from django.db import migrations, models


def add_role(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.get_or_create(code="township_leader")


def remove_role(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code="township_leader").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_signin_locks")]
    operations = [
        migrations.AlterField(
            model_name="role",
            name="code",
            field=models.CharField(
                choices=[
                    ("system_admin", "system administrator"),
                    ("county_leader", "county leader"),
                    ("supervisor", "supervisor"),
                    ("comanager", "co-manager"),
                    ("info_officer", "information officer"),
                    ("higher_readonly", "higher level (read-only)"),
                    ("township_leader", "township leader"),
                ],
                max_length=32,
                primary_key=True,
                serialize=False,
            ),
        ),
        migrations.RunPython(add_role, remove_role),
    ]
