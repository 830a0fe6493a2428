"""Take challenges whose claim deadline has passed off the board (run daily, e.g. from cron):

    manage.py challenges_expire
"""

from django.core.management.base import BaseCommand

from innolink.challenges.services import challenges_expire_due


class Command(BaseCommand):
    help = "Expire published or claimed challenges whose claim deadline has passed."

    def handle(self, *args, **options):
        count = challenges_expire_due()
        self.stdout.write(f"已下榜过期榜单 {count} 项")
