"""Payments remembered (ADR 0131): the ledger, read by family through the engine's input, makes a
once-only award not payable again next year, tops up an award when the enterprise rises a level,
and the whole-city scan stores only what is still payable. Certifications, items and history come
from the registry's rows; the scan's snapshot sees new ledger entries and new items."""

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.enterprises.models import EnterpriseItem, EnterpriseTag
from innolink.policies import fetch, services, snapshot
from innolink.policies.models import Eligibility, LedgerEntry, PolicyClause
from innolink.policies.tests.factories import FORM

pytestmark = pytest.mark.django_db

RULES = """
id: remembered
title: 测试:一次性与晋级补差
issuer: 测试局
area: 测试
versions:
  - effective_from: 2023-01-01
    doc_number: 测试〔2023〕1号
    budget: 1000万元
    shares: {市: 1}
    lane: auto
    groups:
      tier: {rule: highest, label: 就高}
    clauses:
      - id: national
        title: 小巨人奖励
        text: 国家级小巨人新认定奖励50万元,已领省级奖励的补差。
        family: specialized_award
        top_up: true
        group: tier
        conditions: [{qualification: specialized, op: 新认定, level: national}]
        benefit: {fixed: 50万元}
      - id: provincial
        title: 省级专精特新奖励
        text: 省级专精特新新认定奖励20万元。
        family: specialized_award
        top_up: true
        group: tier
        conditions: [{qualification: specialized, op: 新认定, level: provincial}]
        benefit: {fixed: 20万元}
      - id: above_scale
        title: 新增规上一次性奖励
        text: 新增规上工业企业一次性奖励5万元。
        once: true
        conditions: [{qualification: above_scale, op: 新认定}]
        benefit: {fixed: 5万元}
      - id: equipment
        title: 研发设备补助
        text: 研发设备按10%补助,合计最高30万元。
        benefit:
          items:
            of: equipment
            where: {field: category, op: in, value: [研发设备]}
            each: {rate: 10%, base: amount}
          cap: 30万元
"""


@pytest.fixture
def rules(tmp_path, monkeypatch, settings):
    (tmp_path / "remembered.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.setattr(fetch, "rulesets_dir", lambda: tmp_path)
    settings.INNOLINK_POLICY_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    fetch._cache["key"] = None
    snapshot.forget()
    services.policy_sync(actor=None, directory=tmp_path)
    yield tmp_path
    fetch._cache["key"] = None
    snapshot.forget()


def _claim_and_approve(enterprise, clause_code, year):
    clause = PolicyClause.objects.get(code=clause_code, version__policy__code="remembered")
    application = services.application_submit(actor=make_user(Role.ENTERPRISE, enterprise=enterprise),
                                              enterprise=enterprise, clause=clause, year=year, form=FORM)
    services.application_bulk_approve(actor=make_user(Role.POLICY_OFFICER), application_ids=[application.pk])
    return application


def test_a_once_only_award_is_not_paid_again_and_the_scan_stores_nothing(rules):
    enterprise = make_enterprise(years={2024: {"revenue": "1000"}, 2025: {"revenue": "1000"}})
    EnterpriseTag.objects.create(enterprise=enterprise, tag="above_scale", certified_on=dt.date(2024, 3, 31),
                                 first_certified=True)
    assert fetch.explain_enterprise(enterprise.pk, 2024).clause("remembered", "above_scale").amount == Decimal("50000.00")
    _claim_and_approve(enterprise, "above_scale", 2024)
    assert LedgerEntry.objects.filter(enterprise=enterprise, kind="commitment").exists()
    # it drops out of the statistics and comes back in 2025: new again, but paid before
    EnterpriseTag.objects.filter(enterprise=enterprise).update(expires_on=dt.date(2024, 12, 31))
    EnterpriseTag.objects.create(enterprise=enterprise, tag="above_scale", certified_on=dt.date(2025, 2, 28),
                                 first_certified=False)
    answer = fetch.explain_enterprise(enterprise.pk, 2025).clause("remembered", "above_scale")
    assert (answer.eligible, answer.amount, answer.status) == (True, Decimal("0.00"), "already_paid")
    assert answer.payments[0].years == (2024,) and "一次性" in answer.summary
    services.scan_now(actor=None, year=2025)
    assert not Eligibility.objects.filter(year=2025, clause__code="above_scale").exists()
    # the answer for 2024 itself does not change because 2024 was paid
    assert fetch.explain_enterprise(enterprise.pk, 2024).clause("remembered", "above_scale").amount == Decimal("50000.00")


def test_rising_a_level_tops_up_the_award_through_the_ledger_and_the_snapshot_sees_it(rules):
    enterprise = make_enterprise(years={2024: {"revenue": "1000"}, 2025: {"revenue": "1000"}})
    EnterpriseTag.objects.create(enterprise=enterprise, tag="specialized", level="provincial",
                                 certified_on=dt.date(2024, 5, 20), first_certified=True)
    services.scan_now(actor=None, year=2025)  # a snapshot exists before the payment
    _claim_and_approve(enterprise, "provincial", 2024)
    EnterpriseTag.objects.create(enterprise=enterprise, tag="specialized", level="national",
                                 certified_on=dt.date(2025, 7, 15), first_certified=True)
    answer = fetch.explain_enterprise(enterprise.pk, 2025).clause("remembered", "national")
    assert answer.amount == Decimal("300000.00")
    assert any("晋级补差" in s for s in answer.steps)
    services.scan_now(actor=None, year=2025)
    row = Eligibility.objects.get(year=2025, clause__code="national", enterprise=enterprise)
    assert (row.amount, row.gross) == (Decimal("300000.00"), Decimal("500000.00"))
    load = snapshot.load_population(2025)
    assert load.source == "memory"
    cold = fetch.registry_columns(2025).population
    from innolink.engines.rules.population import population_differences

    assert population_differences(load.population, cold) == []


def test_items_from_the_registry_count_one_by_one_and_reach_the_scan(rules):
    enterprise = make_enterprise(years={2025: {"revenue": "1000"}})
    for key, amount, category in (("E1", "1200000.00", "研发设备"), ("E2", "900000.00", "生产设备"),
                                  ("E3", None, "研发设备")):
        EnterpriseItem.objects.create(enterprise=enterprise, kind="equipment", year=2025, key=key,
                                      facts={"category": category, **({"amount": amount} if amount else {})})
    services.scan_now(actor=None, year=2025)
    row = Eligibility.objects.get(year=2025, clause__code="equipment", enterprise=enterprise)
    assert row.amount == Decimal("120000.00")
    answer = fetch.explain_enterprise(enterprise.pk, 2025).clause("remembered", "equipment")
    assert [(line.key, line.included) for line in answer.items] == [("E1", True), ("E2", False), ("E3", False)]
    assert answer.needs[0].item == "E3"
    # a fourth device: the next scan's snapshot re-reads this enterprise
    EnterpriseItem.objects.create(enterprise=enterprise, kind="equipment", year=2025, key="E4",
                                  facts={"category": "研发设备", "amount": "2500000.00"})
    services.scan_now(actor=None, year=2025)
    row.refresh_from_db()
    assert row.amount == Decimal("300000.00")  # 12万 + 25万 capped at 30万


def test_the_library_loads_against_the_registry_catalogue(tmp_path, monkeypatch):
    """The real clauses load against the database's catalogue once their indicators are defined."""
    from innolink.enterprises import services as registry_services
    from innolink.engines.rules import load_registry

    import yaml

    library = fetch.rulesets_dir().parent / "library"
    officer = make_user(Role.POLICY_OFFICER)
    extra = yaml.safe_load((library / "data" / "catalogue.yaml").read_text(encoding="utf-8"))
    for code, spec in extra["indicators"].items():
        registry_services.indicator_definition_save(actor=officer, code=code, name=spec["name"], kind=spec["kind"],
                                                    unit=spec.get("unit", ""))
    fetch.register_catalogue()
    for path in sorted(library.glob("*.yaml")):
        shutil.copy(path, tmp_path)
    registry = load_registry(tmp_path)
    assert len(registry.policies) >= 15
