"""Mirror the rule files (innolink/policies/rulesets/*.yaml) into the database.

    manage.py policies_sync
"""

from django.core.management.base import BaseCommand, CommandError

from innolink.core.errors import ApplicationError
from innolink.policies.services import policy_sync


class Command(BaseCommand):
    help = "Sync the policy rule files into the database (titles, 文号, budgets, clauses)."

    def handle(self, *args, **options):
        try:
            outcome = policy_sync(actor=None, source="command")
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.extra}") from exc
        self.stdout.write(outcome.summary())
