"""List background jobs with their progress, or follow one until it finishes.

Usage:
    manage.py jobs                 # the 20 most recent jobs
    manage.py jobs --watch <id>    # a progress bar until the job finishes
"""

import time

from django.core.management.base import BaseCommand

from innolink.core.models import Job


def bar(job: Job, width: int = 30) -> str:
    filled = int(width * job.percent / 100)
    return f"[{'#' * filled}{'.' * (width - filled)}] {job.percent:3d}% {job.done}/{job.total}"


class Command(BaseCommand):
    help = "List background jobs with progress, or watch one."

    def add_arguments(self, parser):
        parser.add_argument("--watch", metavar="JOB_ID")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, watch=None, interval=1.0, **options):
        if watch:
            while True:
                job = Job.objects.get(pk=watch)
                self.stdout.write(f"\r{bar(job)} {job.get_status_display()} {job.message_text}",
                                  ending="")
                self.stdout.flush()
                if job.is_finished:
                    self.stdout.write("")
                    return
                time.sleep(interval)
        for job in Job.objects.all()[:20]:
            self.stdout.write(f"{job.pk}  {job.get_status_display():<4} {bar(job, 20)}  "
                              f"{job.title_text}  {job.message_text}")
