"""Two reports for the same period at once: exactly one is filed (the project row is locked).
Two writers adding to the same tallies at once: no increment is lost (the database adds).
Needs PostgreSQL (SQLite serializes every write transaction anyway)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict
from innolink.enterprises.testing import make_user
from innolink.dashboard.tallies import point, stored, tally_add
from innolink.projects import services
from innolink.projects.models import ProgressReport
from innolink.projects.tests.factories import make_project


def race(funcs) -> list[str]:
    barrier = threading.Barrier(len(funcs))
    outcomes: list[str] = []

    def run(func):
        try:
            barrier.wait()
            func()
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in funcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reports_for_one_period_exactly_one_is_filed():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    staff = make_user(Role.ORGANIZER)
    for _attempt in range(3):
        project = make_project(staff)
        target = project.targets.first()
        outcomes = race([lambda v=v: services.report_file(
            actor=staff, project=project, period="2025Q3", values={target.pk: v})
            for v in ("0.3", "0.4")])
        assert outcomes == ["ok", "report_pending"]
        assert ProgressReport.objects.filter(project=project).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_all_counted():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    p = point("test.metric", "k", "陈埭", "2026-11")

    def add():
        for _ in range(20):
            with transaction.atomic():
                tally_add({p: (1, Decimal("0.01"))})

    race([add, add, add])
    assert stored(["test."])[p] == (60, Decimal("0.6000"))
