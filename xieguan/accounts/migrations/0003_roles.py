"""The fixed roles of SPEC §2 as rows, so users can hold several."""

from django.db import migrations

ROLES = ["system_admin", "county_leader", "supervisor", "comanager", "info_officer", "higher_readonly"]


def add_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code in ROLES:
        Role.objects.get_or_create(code=code)


def remove_roles(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(add_roles, remove_roles)]
