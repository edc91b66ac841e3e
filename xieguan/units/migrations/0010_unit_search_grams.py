"""The search column for one- and two-character terms (issue 19 item 4):
``Unit.search_grams`` holds every character and adjacent pair of a unit's
name and address and the pairs of its pinyin initials (``search_grams_of``).
A trigram index cannot serve 饭店 or 王记 (a two-character pattern has no
trigram), so at province scale such a search read the whole table; a GIN
index on the tokens serves it. Existing units are filled in batches of
2,000 by key, on either database; going back drops the column (and on
PostgreSQL the index). The index is PostgreSQL's only: SQLite needs none."""

from django.db import migrations

from xieguan.units.models import SearchGramsField, search_grams_of

BATCH = 2000
INDEX = "CREATE INDEX IF NOT EXISTS unit_search_grams_idx ON units_unit USING gin (string_to_array(search_grams, ' '))"
DROP = "DROP INDEX IF EXISTS unit_search_grams_idx"


def fill(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Unit._meta.db_table)
    rows = (
        Unit._base_manager.using(connection.alias).order_by("pk").values_list("pk", "name", "address", "name_initials")
    )
    last = None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:BATCH])
        if not batch:
            break
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET search_grams = %s WHERE id = %s",
                [
                    (search_grams_of(name, address, initials), Unit._meta.pk.get_db_prep_value(pk, connection))
                    for pk, name, address, initials in batch
                ],
            )
        last = batch[-1][0]


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(INDEX)
    schema_editor.execute("ANALYZE units_unit")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("units", "0009_subtype_field_county")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="search_grams",
            field=SearchGramsField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, drop_index),
    ]
