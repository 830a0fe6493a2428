"""Import enterprises and yearly indicators from an .xlsx or .csv file.

Usage:
    manage.py import_registry FILE            # dry run: check and preview, write nothing
    manage.py import_registry FILE --commit   # check, then write all rows or none

Prints progress, the counts, and the row-level error report; exits 1 when the file has errors.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from innolink.core.errors import ApplicationError
from innolink.core.jobs import message_render
from innolink.enterprises.services import registry_import


class Command(BaseCommand):
    help = "Import the enterprise registry from .xlsx or .csv (dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--commit", action="store_true")
        parser.add_argument("--json", action="store_true", help="print the outcome as JSON")

    def handle(self, *args, path, commit=False, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")

        def progress(done, total=None, message=None, *, params=None, force=False):
            if message:
                self.stderr.write(f"{done}/{total or '?'} {message_render(message, params)}")

        try:
            outcome = registry_import(content=file.read_bytes(), filename=file.name, actor=None,
                                      commit=commit, progress=progress, source="command")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(_json(outcome.as_dict()))
        else:
            self.stdout.write(
                f"行数 {outcome.rows}：新增 {outcome.created}，更新 {outcome.updated}，"
                f"无变化 {outcome.unchanged}；年度数据新增 {outcome.years_created}，"
                f"更新 {outcome.years_updated}；{'已写入' if outcome.committed else '未写入（预检）'}")
            for error in outcome.errors[:200]:
                self.stdout.write(f"  第 {error['row']} 行 [{error['column']}] "
                                  f"“{error['value']}”：{error['reason']}")
            if len(outcome.errors) > 200:
                self.stdout.write(f"  …… 共 {len(outcome.errors)} 个问题")
        if outcome.errors:
            sys.exit(1)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
