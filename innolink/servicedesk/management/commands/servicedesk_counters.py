"""Check the service desk's aggregate counters against a recount of the whole history, or
rebuild them.

    manage.py servicedesk_counters           # report differences (exit 1 if any)
    manage.py servicedesk_counters --rebuild # replace them by the recount
"""

from django.core.management.base import BaseCommand, CommandError

from innolink.servicedesk.selectors import counters_recount, counters_stored
from innolink.servicedesk.services import counters_rebuild


class Command(BaseCommand):
    help = "Check or rebuild the service-desk rate counters."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true")

    def handle(self, *args, **options):
        if options["rebuild"]:
            n = counters_rebuild()
            self.stdout.write(f"rebuilt {n} counter rows")
            return
        stored, recount = counters_stored(), counters_recount()
        diff = {k for k in set(stored) | set(recount) if stored.get(k) != recount.get(k)}
        if diff:
            raise CommandError(f"{len(diff)} counter rows differ from the recount")
        self.stdout.write(f"{len(stored)} counter rows agree with the recount")
