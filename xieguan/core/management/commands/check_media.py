"""List every record whose stored file is missing (model, id, field,
storage name) and exit 1 when any is: run after restoring a backup (the
drill in docs/deploy.md) or on a schedule. Read-only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """Every file field of every installed model (photos, signatures, import
    workbooks, kept photos), found rather than listed so a new one is checked
    without anyone remembering to add it."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def missing_files() -> Iterator[tuple[str, str, str, str]]:
    """(model label, id, field, storage name) of each record whose file is
    not in its storage, streamed table by table."""
    for model, field in file_fields():
        rows = (
            model._default_manager.exclude(**{field.name: ""})
            .exclude(**{f"{field.name}__isnull": True})
            .order_by("pk")
            .values_list("pk", field.name)
        )
        for pk, name in rows.iterator(chunk_size=2000):
            if not field.storage.exists(name):
                yield model._meta.label, str(pk), field.name, name


class Command(BaseCommand):
    help = "List records whose stored file is missing; exit 1 if any is. Changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        missing = 0
        for label, pk, field, name in missing_files():
            self.stdout.write(f"{label}\t{pk}\t{field}\t{name}")
            missing += 1
        if missing:
            raise CommandError(f"{missing} stored file(s) missing", returncode=1)
        self.stdout.write("0 stored files missing")
