"""Close every 公示 whose closing day has passed (run daily, e.g. from cron):

    manage.py rankings_close_notices
"""

from django.core.management.base import BaseCommand

from innolink.rankings.services import notices_close_expired


class Command(BaseCommand):
    help = "Close the public notices (公示) of ranking runs whose closing day has passed."

    def handle(self, *args, **options):
        closed = notices_close_expired()
        self.stdout.write(f"已结束公示 {len(closed)} 项")
