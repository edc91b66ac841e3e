from django.db import migrations

from xieguan.reports.defaults import DEFAULT_CATEGORIES, seed_default_categories


def seed(apps, schema_editor):
    seed_default_categories(apps.get_model("reports", "ReportCategory"))


def unseed(apps, schema_editor):
    # Defaults no report uses go; those in use stay (PROTECT would refuse).
    ReportCategory = apps.get_model("reports", "ReportCategory")
    ReportCategory.objects.filter(
        county=None, code__in=[d[0] for d in DEFAULT_CATEGORIES], reports__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
