"""Full rebuild of the matching index from the command line, with progress:
encode every profile whose text changed, then bump the generation so every web and worker
process rebuilds its engine on its next query."""

from __future__ import annotations

import time

from django.utils.translation import gettext_noop as N_
from django.core.management.base import BaseCommand
from django.db import transaction

from innolink.matching.index import build_engine, encoder_setting
from innolink.matching.services import index_generation_bump
from innolink.matching.tasks import encode_stale


class Command(BaseCommand):
    help = "重建精准匹配索引（编码有变化的画像向量，并通知各进程重建）"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="also build an engine here and print its size and build time")
        parser.add_argument("--background", action="store_true",
                            help="queue the rebuild for the background worker and return")

    def handle(self, *args, **options):
        if options["background"]:
            from innolink.core.audit import audit_record
            from innolink.core.jobs import job_start
            from innolink.matching.services import REBUILD_KIND

            with transaction.atomic():
                job = job_start(kind=REBUILD_KIND, title=N_("重建匹配索引"), params={})
                audit_record(actor=None, action="create", instance=job, note="重建匹配索引",
                             source="command")
            self.stdout.write(f"queued: manage.py jobs --watch {job.pk}")
            return
        t0 = time.perf_counter()
        self.stdout.write(f"encoder: {encoder_setting()}")

        def progress(done, total=None, message=None, *, params=None, force=False):
            from innolink.core.jobs import message_render

            self.stdout.write(f"  {done}/{total if total is not None else '?'} "
                              f"{message_render(message or '', params)}")

        result = encode_stale(progress)
        with transaction.atomic():
            state = index_generation_bump(actor=None, note="命令行全量重建", source="command")
        self.stdout.write(f"encoded {result['encoded']} profiles; generation {state.generation}"
                          f" ({time.perf_counter() - t0:.1f} s)")
        if options["check"]:
            cache = build_engine()
            self.stdout.write(f"engine: {cache.stats} dense={cache.dense} "
                              f"build {cache.built_at:.2f} s")
