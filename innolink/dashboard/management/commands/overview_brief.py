"""Generate the weekly 调度 brief (PDF and Excel) and keep it for download. From cron, e.g.
every Monday at 07:30 (before the 重点工作调度 meeting)::

    30 7 * * 1  manage.py overview_brief
"""

from django.core.management.base import BaseCommand

from innolink.dashboard.services import brief_generate, overview_refresh


class Command(BaseCommand):
    help = "Generate the weekly 调度 brief (PDF + Excel) of the leaders' overview."

    def add_arguments(self, parser):
        parser.add_argument("--no-refresh", action="store_true",
                            help="use the aggregates as they are")

    def handle(self, *args, no_refresh=False, **options):
        if not no_refresh:
            overview_refresh()
        brief = brief_generate(scheduled=True)
        self.stdout.write(f"调度简报 #{brief.pk}（{brief.week_start} 起一周）："
                          f"PDF {len(brief.pdf)} 字节，Excel {len(brief.xlsx)} 字节")
