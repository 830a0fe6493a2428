"""Watch the CAP inbox folder: ``manage.py weather_inbox [--dir PATH] [--once] [--interval 5]``.

Each round ingests every signed ``*.xml`` file (see ``services.inbox_poll``), marks warnings
whose end time has passed as expired, and prints one line per file."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from innolink.weather.services import inbox_poll, warnings_expire


class Command(BaseCommand):
    help = "Ingest CAP 1.2 files dropped in the weather inbox folder"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None)
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--rounds", type=int, default=0, help="stop after N rounds (0 = never)")

    def handle(self, *args, dir=None, once=False, interval=5.0, rounds=0, **options):
        done = 0
        while True:
            for name, result in inbox_poll(directory=Path(dir) if dir else None):
                self.stdout.write(f"{name}\t{result.outcome}\t{result.code}\t{result.reason}")
            expired = warnings_expire()
            if expired:
                self.stdout.write(f"expired\t{expired}")
            done += 1
            if once or (rounds and done >= rounds):
                return
            time.sleep(max(interval, 0.2))
