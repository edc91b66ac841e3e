from django.db import migrations
from django.db.models import OuterRef, Subquery

# Written out here, not imported, so the migration keeps meaning what it
# meant when later code changes: 非法行医(采供血) and 计划生育 are illegal acts.
VIOLATION_CODES = ("illegal_practice", "family_planning")


def set_natures(apps, schema_editor):
    """The national categories (and counties' overrides of them) get their
    usual nature; every existing report takes its category's."""
    ReportCategory = apps.get_model("reports", "ReportCategory")
    Report = apps.get_model("reports", "Report")
    ReportCategory.objects.filter(code__in=VIOLATION_CODES).update(default_nature="violation")
    Report.objects.update(
        nature=Subquery(ReportCategory.objects.filter(pk=OuterRef("category_id")).values("default_nature")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_report_nature_reportcategory_default_nature")]
    # Backwards there is nothing to undo: reversing 0003 drops both columns.
    operations = [migrations.RunPython(set_natures, migrations.RunPython.noop)]
