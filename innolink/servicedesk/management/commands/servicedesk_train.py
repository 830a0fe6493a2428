"""Train the routing suggestion model on the answered history and the labelled set.

    manage.py servicedesk_train
"""

from django.core.management.base import BaseCommand

from innolink.servicedesk.routing import router_train


class Command(BaseCommand):
    help = "Train the service-desk routing suggestion model."

    def handle(self, *args, **options):
        row = router_train(actor=None)
        self.stdout.write(f"model {row.pk}: trained on {row.trained_on}, held out "
                          f"{row.held_out}, top-1 {row.top1}, top-3 {row.top3}")
