"""`manage.py restore --from ARCHIVE [--force]`: check an archive against its
manifest, then put its database and files back and check them again
(xieguan/core/backup.py). Stop the web and the workers first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xieguan.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从备份文件夹恢复数据库和上传文件：先按清单校验，恢复后再复核。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="source", required=True, type=Path, metavar="ARCHIVE", help="备份文件夹（xieguan-…）"
        )
        parser.add_argument("--force", action="store_true", help="数据库已有账号或存储已有文件时仍然覆盖")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup_restore(source=options["source"], force=options["force"], log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS("恢复完成。请运行 manage.py migrate 与 manage.py check_media。"))
