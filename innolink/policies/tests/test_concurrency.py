"""The budget guard under concurrency: many officers approving at once never overspend.

Needs PostgreSQL (row locks); run with
    scripts/with-postgres .venv/bin/python -m pytest innolink/policies -q
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from innolink.core.errors import Conflict
from innolink.policies import services
from innolink.policies.models import Application, Budget, LedgerEntry
from innolink.policies.tests.factories import high_tech_enterprise, submitted, upgrader

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _parallel(fns):
    barrier = threading.Barrier(len(fns))
    outcomes = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            outcomes[i] = fn()
        except Exception as exc:  # collected and asserted below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_parallel_approvals_never_exceed_the_budget():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    # given 24 claims of 20万元 each against a budget that holds exactly 7 of them
    services.policy_sync(actor=None, source="test")
    apps = [submitted(high_tech_enterprise()) for _ in range(24)]
    budget = Budget.objects.get(version=apps[0].clause.version)
    Budget.objects.filter(pk=budget.pk).update(total=Decimal("1400000.00"))
    # when 24 officers approve at the same moment, one application each
    outcomes = _parallel([
        (lambda pk=a.pk: services.application_approve(actor=None, application_id=pk))
        for a in apps])
    # then exactly 7 succeed, the rest are refused for the budget, and the books agree
    approved = [o for o in outcomes if isinstance(o, Application)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(approved) == 7 and len(refused) == 17, outcomes
    assert {e.code for e in refused} == {"budget_exceeded"}
    budget.refresh_from_db()
    assert budget.committed == Decimal("1400000.00") <= budget.total
    ledger_total = sum(LedgerEntry.objects.filter(kind="commitment").values_list("amount", flat=True))
    assert ledger_total == budget.committed
    assert Application.objects.filter(status="approved").count() == 7


def test_parallel_bulk_batches_and_double_approvals():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    services.policy_sync(actor=None, source="test")
    apps = [submitted(high_tech_enterprise()) for _ in range(12)]
    budget = Budget.objects.get(version=apps[0].clause.version)
    Budget.objects.filter(pk=budget.pk).update(total=Decimal("1000000.00"))  # room for 5
    ids = [a.pk for a in apps]
    # when overlapping batches race (each application appears in two batches)
    batches = [ids[0:3], ids[2:5], ids[4:7], ids[6:9], ids[8:11], ids[10:12] + ids[0:1]]
    outcomes = _parallel([
        (lambda b=b: services.application_bulk_approve(actor=None, application_ids=b))
        for b in batches])
    # then no application is approved twice and the budget holds
    budget.refresh_from_db()
    approved = Application.objects.filter(status="approved")
    assert budget.committed == Decimal("200000.00") * approved.count() <= budget.total
    assert LedgerEntry.objects.filter(kind="commitment").count() == approved.count()
    assert all(isinstance(o, (list, Conflict)) for o in outcomes), outcomes


def test_parallel_pro_rata_approvals_all_succeed_at_one_share_within_the_budget():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    # given 12 claims of 80万元 (960万) on a pro-rata policy with 300万 left
    services.policy_sync(actor=None, source="test")
    apps = [submitted(upgrader("10000000"), "p06_tech_upgrade", "general_upgrade")
            for _ in range(12)]
    budget = Budget.objects.get(version=apps[0].clause.version)
    Budget.objects.filter(pk=budget.pk).update(total=Decimal("3000000.00"))
    # when 12 officers approve at the same moment
    outcomes = _parallel([
        (lambda pk=a.pk: services.application_approve(actor=None, application_id=pk))
        for a in apps])
    # then every claim is approved at 300/960 of its amount and the books agree
    assert all(isinstance(o, Application) for o in outcomes), outcomes
    amounts = set(Application.objects.values_list("amount_approved", flat=True))
    assert amounts == {Decimal("250000.00")}
    budget.refresh_from_db()
    assert budget.committed == Decimal("3000000.00") <= budget.total
    ledger_total = sum(LedgerEntry.objects.filter(kind="commitment").values_list("amount", flat=True))
    assert ledger_total == budget.committed
