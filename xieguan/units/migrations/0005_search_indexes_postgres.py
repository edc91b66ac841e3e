"""PostgreSQL-only indexes for the registry's search at province scale
(docs/bench.md): trigram indexes on the expressions Django's ``icontains``
compares (UPPER(name), UPPER(address)), and a pattern index for the prefix
search on credit codes (pinyin initials have one already: Django adds a
``_like`` index to every indexed CharField on PostgreSQL). SQLite gets none of them and
needs none; they are not in the models' Meta because SQLite cannot build
them. pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may
create it; where that is refused the trigram indexes are left out and the
search still works, only slower."""

from django.db import migrations, transaction

PATTERN_INDEXES = [
    "CREATE INDEX IF NOT EXISTS unit_credit_code_pattern_idx ON units_unit (credit_code varchar_pattern_ops)",
]
TRIGRAM_INDEXES = [
    "CREATE INDEX IF NOT EXISTS unit_name_trgm_idx ON units_unit USING gin ((UPPER(name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS unit_address_trgm_idx ON units_unit USING gin ((UPPER(address::text)) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS unit_credit_code_pattern_idx",
    "DROP INDEX IF EXISTS unit_name_trgm_idx",
    "DROP INDEX IF EXISTS unit_address_trgm_idx",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in PATTERN_INDEXES:
        schema_editor.execute(sql)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no right to create the extension: go without
        return
    for sql in TRIGRAM_INDEXES:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("units", "0004_unit_county_required")]

    operations = [migrations.RunPython(create, drop)]
