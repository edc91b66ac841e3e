"""`manage.py backup --to DIR`: the database and every stored file into a
new archive folder under DIR, with its manifest (xieguan/core/backup.py).
`make backup` runs it; docs/deploy.md gives the nightly timer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xieguan.core.backup import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = "备份数据库和全部上传文件到 DIR 下的新文件夹（含清单：各表行数、每个文件的 SHA-256）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, type=Path, metavar="DIR", help="备份存放的文件夹")
        parser.add_argument(
            "--keep", type=int, default=0, metavar="N", help="备份完成后只保留 DIR 中最新的 N 份（0 = 全部保留）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = backup_create(to=options["to"], log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS(f"备份完成：{archive.path}"))
        if options["keep"] > 0:
            for path in backups_prune(folder=options["to"], keep=options["keep"]):
                self.stdout.write(f"已删除旧备份：{path}")
