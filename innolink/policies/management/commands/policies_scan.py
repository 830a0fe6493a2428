"""Scan the whole registry against every policy clause for one year, in this process.

    manage.py policies_scan --year 2025
(Pages and the API start the same work as a background job.)
"""

from django.core.management.base import BaseCommand, CommandError

from innolink.core.errors import ApplicationError
from innolink.policies.selectors import default_year
from innolink.policies.services import check_year, scan_now


class Command(BaseCommand):
    help = "Scan every enterprise against every policy clause and store who qualifies."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year=None, **options):
        try:
            scan = scan_now(actor=None, year=check_year(year or default_year()))
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"{scan.year} 年度：{scan.enterprises} 家企业，{scan.eligible_pairs} 个（企业×条款）"
                          f"符合，新发现 {scan.new_pairs}，不再符合 {scan.dropped_pairs}，"
                          f"可兑现合计 {scan.total} 元")
