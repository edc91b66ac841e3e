"""The default checklist of each of the six categories (national, county
empty, published as version 1) and the penalty wording list. The reverse
removes exactly these rows; records made with a checklist protect it."""

from django.db import migrations

from xieguan.inspections.defaults import CHECKLISTS, FORBIDDEN_PHRASES


def seed(apps, schema_editor):
    Category = apps.get_model("units", "Category")
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    Phrase = apps.get_model("inspections", "ForbiddenPhrase")
    from django.utils import timezone

    for code, (title, items) in CHECKLISTS.items():
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        template = Template.objects.create(
            county=None, category=category, title=title, version=1, status="published", published_at=timezone.now()
        )
        Item.objects.bulk_create(
            Item(template=template, code=c, text=text, basis=basis, sort=i) for i, (c, text, basis) in enumerate(items)
        )
    Phrase.objects.bulk_create(Phrase(county=None, phrase=p) for p in FORBIDDEN_PHRASES)


def _delete_templates(apps, pks, schema_editor):
    """Remove seeded checklists and their items; refuse when a record was
    made with one (what PROTECT means), without the cascade collector, which
    trips over historical models in a reverse migration."""
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    Inspection = apps.get_model("inspections", "Inspection")
    if Inspection.objects.filter(template_id__in=pks).exists():
        raise RuntimeError("inspection records use these checklists; they cannot be removed")
    Item.objects.filter(template_id__in=pks)._raw_delete(schema_editor.connection.alias)
    Template.objects.filter(pk__in=pks)._raw_delete(schema_editor.connection.alias)


def unseed(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Phrase = apps.get_model("inspections", "ForbiddenPhrase")
    seeded = Template.objects.filter(
        county__isnull=True, subtype__isnull=True, version=1, category__code__in=list(CHECKLISTS)
    )
    _delete_templates(apps, list(seeded.values_list("pk", flat=True)), schema_editor)
    Phrase.objects.filter(county__isnull=True, phrase__in=FORBIDDEN_PHRASES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_initial"),
        ("units", "0002_seed_categories"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
