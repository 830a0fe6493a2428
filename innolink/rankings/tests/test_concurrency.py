"""Races that only PostgreSQL shows (SQLite serializes every write transaction anyway)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from innolink.core.errors import Conflict
from innolink.rankings import services
from innolink.rankings.models import Declaration, RankingRun
from innolink.rankings.tests.factories import reviewed_run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("small_lists")]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_two_runs_of_one_year_opened_for_notice_at_once_leave_one_public(population, organizer):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    closes = timezone.localdate() + dt.timedelta(days=5)
    for _attempt in range(3):
        RankingRun.objects.all().delete()
        first, second = reviewed_run(2025, organizer), reviewed_run(2025, organizer)
        outcomes = _race(
            lambda: services.run_open_notice(run=first, actor=organizer, closes_on=closes),
            lambda: services.run_open_notice(run=second, actor=organizer, closes_on=closes))
        assert outcomes == ["ok", "year_already_public"]
        assert RankingRun.objects.filter(status="notice").count() == 1


def test_a_declaration_accepted_twice_at_once_is_applied_once(organizer):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from innolink.core.models import AuditEntry
    from innolink.enterprises.testing import make_enterprise

    enterprise = make_enterprise(legal_representative="陈立新",
                                 years={2025: {"revenue": "1000000.00"}})
    declaration = Declaration.objects.create(
        enterprise=enterprise, year=2025, status="submitted",
        values={"revenue": "2000000.00", "total_assets": "1.00", "net_profit": "0",
                "tax_paid": "1.00", "employees": "3"})
    outcomes = _race(*[lambda: services.declaration_accept(declaration=declaration,
                                                           actor=organizer)] * 2)
    assert outcomes == ["not_submitted", "ok"]
    assert AuditEntry.objects.filter(model="enterprises.enterpriseyear").count() == 1
