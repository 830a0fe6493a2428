"""Run the service desk's time-limit sweep: yellow warnings before a limit, red and counted after
it, escalation to the supervising leader. Schedule it every five minutes (cron or a systemd
timer); running it twice changes nothing.

    manage.py servicedesk_sweep
"""

from django.core.management.base import BaseCommand

from innolink.servicedesk.services import sla_sweep


class Command(BaseCommand):
    help = "Warn, mark overdue and escalate service-desk requests by their time limits."

    def handle(self, *args, **options):
        result = sla_sweep()
        self.stdout.write(f"yellow {result.warned}, red {result.overdue}, "
                          f"escalated {result.escalated}")
