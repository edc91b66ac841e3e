"""A trigram index for the pinyin-initials search on PostgreSQL (issue 20
finding 8): the search now finds initials anywhere in the name's string
(``fskcd`` in ``cgfskcd``, a LIKE '%…%'), which the prefix index of 0001
cannot serve. PostgreSQL only and only where pg_trgm could be created, as in
0005; the stored initials are unchanged, so nothing is backfilled."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS unit_name_initials_trgm_idx ON units_unit USING gin (name_initials gin_trgm_ops)"
DROP = "DROP INDEX IF EXISTS unit_name_initials_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:  # 0005 had no right to create it: go without
            return
    schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("units", "0006_merge_import_and_county")]

    operations = [migrations.RunPython(create, drop)]
