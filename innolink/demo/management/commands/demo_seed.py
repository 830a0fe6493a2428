"""Create (or top up) the synthetic demo city and print the demo accounts.

Usage:
    manage.py demo_seed                        # 2,000 enterprises, seed 2026
    manage.py demo_seed --enterprises 100000   # a larger city
Idempotent: the same seed and size a second time change nothing.
"""

from django.core.management.base import BaseCommand

from innolink.demo.generator import DEMO_PASSWORD
from innolink.demo.services import demo_seed


class Command(BaseCommand):
    help = "Seed the deterministic synthetic Jinjiang demo city and its demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, enterprises, seed, quiet=False, **options):
        def progress(done, total=None, message=None, *, params=None, force=False):
            if message and not quiet:
                from innolink.core.jobs import message_render

                self.stderr.write(f"  {message_render(message, params)}")

        outcome, accounts = demo_seed(seed=seed, enterprises=enterprises, progress=progress)
        self.stdout.write(f"演示城市：新增企业 {outcome.created}，更新 {outcome.updated}，"
                          f"无变化 {outcome.unchanged}（合成数据，仅供演示）")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for account in accounts:
            self.stdout.write(f"  {account.username:<11} {account.role:<8} {account.scope}")
