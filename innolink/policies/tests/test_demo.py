"""The demo step: policies, a scan of the demo city, claims, approvals and payments; twice
changes nothing."""

import pytest

from innolink.accounts.models import Department, Institution
from innolink.demo import generator
from innolink.demo.services import demo_accounts_ensure
from innolink.enterprises.services import registry_import
from innolink.policies import demo
from innolink.policies.models import Application, Budget, LedgerEntry, Policy, Scan

pytestmark = [pytest.mark.django_db, pytest.mark.demo_seed]


def test_demo_seed_moves_the_ledger_and_is_idempotent():
    # given a small demo city with its accounts
    registry_import(content=generator.enterprise_csv(seed=7, count=400), filename="demo.csv",
                    actor=None, commit=True, source="demo", demo=True)
    for name, kind, province, city in generator.INSTITUTIONS:
        Institution.objects.get_or_create(name=name, defaults={"kind": kind})
    for code, name in generator.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    demo_accounts_ensure()
    # when
    summary = demo.seed(seed=7)
    # then
    assert Policy.objects.count() == 12 and Scan.objects.count() == 1
    assert Application.objects.count() > 0, summary
    assert Application.objects.filter(status="paid").exists()
    assert LedgerEntry.objects.filter(kind="payment").exists()
    assert all(b.committed <= b.total and b.paid <= b.committed for b in Budget.objects.all())
    counts = (Scan.objects.count(), Application.objects.count(), LedgerEntry.objects.count())
    demo.seed(seed=7)
    assert (Scan.objects.count(), Application.objects.count(), LedgerEntry.objects.count()) == counts
