"""Checklists for subtypes whose practice differs from their category's
(托幼机构: the kindergarten health routine of the seeds). The reverse removes
exactly these rows; records made with them protect them."""

from django.db import migrations

from xieguan.inspections.defaults import SUBTYPE_CHECKLISTS


def seed(apps, schema_editor):
    Subtype = apps.get_model("units", "Subtype")
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    from django.utils import timezone

    for (category_code, subtype_name), (title, items) in SUBTYPE_CHECKLISTS.items():
        subtype = Subtype.objects.filter(category__code=category_code, name=subtype_name).first()
        if subtype is None:
            continue
        template = Template.objects.create(
            county=None,
            category=subtype.category,
            subtype=subtype,
            title=title,
            version=1,
            status="published",
            published_at=timezone.now(),
        )
        Item.objects.bulk_create(
            Item(template=template, code=c, text=text, basis=basis, sort=i) for i, (c, text, basis) in enumerate(items)
        )


def unseed(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    pks = []
    for (category_code, subtype_name), (title, _items) in SUBTYPE_CHECKLISTS.items():
        pks += Template.objects.filter(
            county__isnull=True, version=1, category__code=category_code, subtype__name=subtype_name, title=title
        ).values_list("pk", flat=True)
    seed_module = __import__("xieguan.inspections.migrations.0002_seed_checklists", fromlist=["_delete_templates"])
    seed_module._delete_templates(apps, pks, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_seed_checklists"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
