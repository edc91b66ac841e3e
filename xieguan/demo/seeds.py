"""Putting back what the data migrations seed, for tests and journeys that
run after a transactional test emptied every table."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.special import RunPython

from xieguan.units.models import Category


def restore_seeded_rows() -> bool:
    """Put back what the data migrations seed (roles, categories, report
    categories, checklists) after a transactional test flushed every table.

    Runs the forward functions of the seeding migrations (named ``*seed*`` or
    ``*roles``) in migration order, each with its own historical models, and
    only when the rows are gone — so it is safe to call before every browser
    journey. A seed whose rows are already back (the demo loader re-creates
    the roles) is skipped at its unique constraint. Returns whether it ran."""
    if Category.objects.exists():
        return False
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets, clean_start=True)
    latest = executor.loader.project_state(targets).apps
    with connection.schema_editor(atomic=True) as schema_editor:
        for migration, _backwards in plan:
            if "seed" not in migration.name and not migration.name.endswith("roles"):
                continue
            state = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
            for operation in migration.operations:
                if not isinstance(operation, RunPython):
                    continue
                # Its own historical models first; if the table has since
                # gained a required column (reports' default_nature), those
                # models cannot insert a row, so try today's models.
                for apps in (state.apps, latest):
                    try:
                        with transaction.atomic():
                            operation.code(apps, schema_editor)
                        break
                    except IntegrityError:
                        continue
    return True
