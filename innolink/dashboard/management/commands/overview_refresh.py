"""Fold what the services wrote into the overview's tallies, move project statuses on with the
calendar, chase missing project reports and snapshot today's figures. From cron, e.g.::

    */5 * * * *  manage.py overview_refresh
    30 2 * * *   manage.py overview_refresh --recount     # nightly: rebuild from scratch
"""

from django.core.management.base import BaseCommand

from innolink.dashboard.services import overview_refresh
from innolink.projects.services import reports_chase


class Command(BaseCommand):
    help = "Refresh the leaders' overview aggregates (and chase missing project reports)."

    def add_arguments(self, parser):
        parser.add_argument("--recount", action="store_true",
                            help="rebuild every aggregate from the source tables")

    def handle(self, *args, recount=False, **options):
        touched = overview_refresh(recount=recount)
        chased = reports_chase()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in touched.items())
                          + f" 催报={chased}")
