"""Database rows into engine records: the shape the engine documents, in a fixed number of
queries whatever the registry's size; working-day deadlines."""

import datetime as dt

import pytest

from innolink.enterprises.testing import make_enterprise
from innolink.engines.rules import fields as rule_fields
from innolink.enterprises.models import EnterpriseTag, IndicatorDefinition
from innolink.policies import fetch
from innolink.policies.workdays import add_working_days, working_days_between

pytestmark = pytest.mark.django_db


def test_records_have_the_engines_shape():
    enterprise = make_enterprise(town="磁灶", industry_code="C3071", founded_on=dt.date(2001, 3, 4),
                                 years={2025: {"rd_expense": "5500000.00"},
                                        2024: {"rd_expense": "2000000.00"},
                                        2023: {"rd_expense": "1.00"}})
    EnterpriseTag.objects.create(enterprise=enterprise, tag="high_tech",
                                 certified_on=dt.date(2025, 11, 20), first_certified=False)
    EnterpriseTag.objects.create(enterprise=enterprise, tag="above_scale")
    EnterpriseTag.objects.create(enterprise=enterprise, tag="specialized", level="provincial",
                                 certified_on=dt.date(2023, 5, 1), expires_on=dt.date(2026, 4, 30))
    ids, records = fetch.records_for(2025)
    assert ids == [enterprise.pk]
    record = records[0]
    assert record["credit_code"] == enterprise.credit_code and record["town"] == "磁灶"
    assert record["industry_code"] == "C3071" and record["founded_on"] == dt.date(2001, 3, 4)
    by_type = {q["type"]: q for q in record["qualifications"]}
    assert sorted(by_type) == ["above_scale", "high_tech", "specialized"]
    assert by_type["high_tech"] == {"type": "high_tech", "level": None, "certified_on": dt.date(2025, 11, 20),
                                    "expires_on": None, "first": False}
    assert by_type["specialized"]["level"] == "provincial"
    assert by_type["specialized"]["expires_on"] == dt.date(2026, 4, 30)
    # the demo rules read the policy year and the year before only
    assert record["indicators"] == {2025: {"rd_expense": "5500000.00"}, 2024: {"rd_expense": "2000000.00"}}
    assert record["items"] == {} and record["payments"] == []


def test_whole_registry_in_a_fixed_number_of_queries(django_assert_num_queries):
    for n in range(40):
        e = make_enterprise(years={2025: {"revenue": str(n)}, 2024: {"revenue": "1"}})
        EnterpriseTag.objects.create(enterprise=e, tag="tech_sme")
    fetch.rules_registry()
    # the catalogue's signature (3), the published revisions (1, ADR 0150), enterprises,
    # certifications, years, items, payments, newest ledger entry (6); the items because the
    # demo rules read projects (p04 digital_projects, ADR 0370)
    with django_assert_num_queries(10):
        ids, population = fetch.population_for(2025)
    assert population.size == 40 == len(ids)
    with django_assert_num_queries(10):
        fetch.population_for(2025)  # the same whatever the registry's size


def test_a_registry_indicator_row_is_registered_with_the_engine(settings, tmp_path):
    IndicatorDefinition.objects.create(code="green_patents_bench", name="绿色专利数（测试）",
                                       kind="count", unit="件")
    fetch._cache["key"] = None
    fetch.rules_registry()
    assert rule_fields.INDICATORS["green_patents_bench"].kind == "count"


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert add_working_days(friday, 10) == dt.date(2026, 12, 11)
    assert working_days_between(friday, dt.date(2026, 12, 11)) == 10
    assert working_days_between(dt.date(2026, 12, 11), friday) == -10
    assert working_days_between(friday, friday) == 0


def test_an_enterprise_reads_industry_codes_with_their_names(tmp_path):
    # given a rule that excludes two industries and an enterprise of one of them
    (tmp_path / "t_industry.yaml").write_text(
        "id: t_industry\ntitle: 行业测试\nissuer: 测试局\narea: 测试\ntech_innovation: false\n"
        "illustrative: true\nsource: 测试\nversions:\n  - effective_from: 2024-01-01\n"
        "    doc_number: 测试〔2024〕1号\n    budget: 100万元\n    shares: {市: 1}\n    lane: auto\n"
        "    clauses:\n      - id: award\n        title: 奖励\n        text: 非化工企业奖励1万元。\n"
        "        conditions:\n          - {field: industry_code, op: not_prefix, value: [C26, C25]}\n"
        "        benefit: {fixed: 1万元}\n", encoding="utf-8")
    enterprise = make_enterprise(industry_code="C2611")
    fetch._cache["key"] = None
    registry = fetch.rules_registry(tmp_path)
    from innolink.engines.rules import explain

    answer = explain(registry, fetch.record_for(enterprise.pk, 2025), 2025)
    # then the answer names the codes by GB/T 4754 (the registry's reference table), not bare codes
    (miss,) = answer.not_eligible[0].misses
    assert miss.value == "C2611 化学原料和化学制品制造业"
    assert miss.threshold == "C26 化学原料和化学制品制造业、C25 石油、煤炭及其他燃料加工业"
    fetch._cache["key"] = None
