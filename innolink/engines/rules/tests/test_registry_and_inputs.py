"""Demo registry facts, version selection, record conversion, money helpers, purity, doctests."""

import doctest
import importlib
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from innolink.engines.rules import ErrorCode, RulesError, population_from_records, scan, split_by_shares
from innolink.engines.rules.types import fmt_money, round_half_up_div, yuan_to_fen

from ._support import demo_registry


def test_twelve_policies_in_four_areas_each_real_or_marked_illustrative():
    policies = demo_registry().policies
    assert len(policies) == 12
    for p in policies:
        # a policy that follows a published document cites it (document number and article);
        # any other is marked illustrative, and the pages say so wherever it is shown
        if not p.illustrative:
            assert "〔" in p.source and "第" in p.source, p.id
            assert all("示意" not in v.doc_number for v in p.versions), p.id
    assert {p.area for p in policies} == {
        "创新主体与平台", "四链产业升级与人工智能", "新赛道与现代服务业", "园区、金融、人才与中小企业",
    }


def test_budget_over_500_million_with_about_51_percent_for_technology_innovation():
    active = demo_registry().active(2025)  # every one of the twelve is in force in 2025
    assert len(active) == 12
    total = sum(v.budget_fen for _, v in active)
    tech = sum(v.budget_fen for p, v in active if p.tech_innovation)
    assert total > 500_000_000 * 100
    assert 0.50 <= tech / total <= 0.52


def test_ai_policy_has_compute_vouchers():
    policy = demo_registry().policy("p05_ai_enablement")
    clause = policy.version_for_year(2024).clauses[0]
    assert clause.id == "compute_voucher"
    assert clause.formula.inner.base.ref == "compute_contract"
    assert clause.formula.limit_fen == 50 * 1_000_000


def test_version_is_picked_by_the_assessed_year():
    policy = demo_registry().policy("p02_rd_investment_award")
    assert policy.version_for_year(2023).doc_number == "闽科规〔2021〕3号(示意)"
    assert policy.version_for_year(2024).doc_number.startswith("闽政办《关于支持企业加大研发投入加强研发活动的若干措施》")
    assert policy.version_for_year(2020) is None
    # a policy that starts mid-2024 counts for 2024 (in force on 31 December) but not 2023
    ai = demo_registry().policy("p05_ai_enablement")
    assert ai.version_for_year(2024) is not None and ai.version_for_year(2023) is None


def test_missing_indicator_is_not_zero():
    pop = population_from_records([{"credit_code": "A", "indicators": {2024: {"rd_expense": None}}}], 2024)
    values, present = pop.indicator[("rd_expense", 0)]
    assert (int(values[0]), bool(present[0])) == (0, False)


def test_record_with_float_money_is_refused():
    with pytest.raises(RulesError) as info:
        population_from_records([{"credit_code": "A", "indicators": {2024: {"revenue": 1.5}}}], 2024)
    assert info.value.code == ErrorCode.BAD_RECORD


def test_record_with_unknown_town_or_tag_is_refused():
    for bad in ({"town": "北京"}, {"tags": ["unicorn"]}, {"credit_code": ""}):
        with pytest.raises(RulesError) as info:
            population_from_records([{"credit_code": "A", **bad}], 2024)
        assert info.value.code == ErrorCode.BAD_RECORD


def test_sub_population_keeps_answers():
    from innolink.engines.rules.synthetic import synthetic_records

    pop = population_from_records(synthetic_records(400, 2024, seed=5), 2024)
    whole = scan(demo_registry(), pop)
    part = scan(demo_registry(), pop.take(np.arange(100, 200)))
    for a, b in zip(whole.clauses, part.clauses):
        keep = (a.index >= 100) & (a.index < 200)
        assert a.index[keep].tolist() == (b.index + 100).tolist()
        assert a.amount_fen[keep].tolist() == b.amount_fen.tolist()


def test_policy_totals_split_by_shares():
    records = [{"credit_code": "A", "tags": ["tech_sme"],
                "indicators": {2024: {"rd_expense": Decimal("5500000")},
                               2023: {"rd_expense": Decimal("2000000"), "fiscal_contribution": Decimal("1000000")}}}]
    totals = scan(demo_registry(), population_from_records(records, 2024)).policy_totals()
    assert totals["p02_rd_investment_award"] == {
        "enterprises": 1,
        "total": Decimal("350000.00"),
        "budget": Decimal("120000000.00"),
        "over_budget": False,
        "split": {"省": Decimal("280000.00"), "市": Decimal("35000.00"), "县": Decimal("35000.00")},
        "shortfall": "first_come",
        "factor": Fraction(1),
        "percent": "100%",
        "payable": Decimal("350000.00"),
    }


def test_money_helpers():
    assert round_half_up_div(5, 2) == 3
    assert yuan_to_fen(Decimal("0.005")) == 1
    assert fmt_money(60000002) == "60万元(600,000.02元)"
    assert split_by_shares(3, (("省", 8), ("市", 1), ("县", 1))) == [("省", 3), ("市", 0), ("县", 0)]
    assert sum(f for _, f in split_by_shares(123457, (("省", 8), ("市", 1), ("县", 1)))) == 123457


def test_engine_never_imports_django():
    code = "import sys, innolink.engines.rules; sys.exit(int(any(m.split('.')[0] == 'django' for m in sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(
    "module",
    ["_errors", "types", "fields", "load", "population", "evaluate", "explain", "reference", "synthetic",
     "steps", "budget"],
)
def test_docstring_examples(module):
    mod = importlib.import_module(f"innolink.engines.rules.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_money_finer_than_a_fen_rounds_half_up_and_ints_mix_with_decimals():
    records = [
        {"credit_code": "A", "indicators": {2024: {"revenue": Decimal("1.005"), "energy_consumption": Decimal("1.0005")}}},
        {"credit_code": "B", "indicators": {2024: {"revenue": 3}}},
    ]
    pop = population_from_records(records, 2024)
    assert pop.indicator[("revenue", 0)][0].tolist() == [101, 300]
    assert pop.indicator[("energy_consumption", 0)][0].tolist() == [1001, 0]
    assert pop.indicator[("energy_consumption", 0)][1].tolist() == [True, False]


def test_not_a_number_is_refused_with_its_location():
    with pytest.raises(RulesError) as info:
        population_from_records([{"credit_code": "A", "indicators": {2024: {"revenue": Decimal("NaN")}}}], 2024)
    assert (info.value.code, info.value.location) == (ErrorCode.BAD_RECORD, "record[0].indicators.2024.revenue")


def test_indicator_registered_at_run_time_is_usable_in_rules_and_records():
    from innolink.engines.rules import INDICATORS, explain, load_policy_text
    from innolink.engines.rules.fields import register_indicator

    # given an indicator defined as data (as the registry's IndicatorDefinition rows are)
    register_indicator("green_power_share_test", "quantity", "吨标准煤", "绿电消纳量")
    try:
        # when a rule and a record use it
        policy = load_policy_text(
            "id: green\ntitle: 绿电奖励\nissuer: 晋江市发改局\narea: 园区、金融、人才与中小企业\nversions:\n"
            "  - effective_from: 2024-01-01\n    doc_number: 示例\n    budget: 10万元\n    shares: {县: 1}\n"
            "    lane: auto\n    clauses:\n      - id: c1\n        title: 绿电\n        text: 绿电消纳1000吨标准煤以上奖励1万元\n"
            "        conditions: {field: green_power_share_test, op: 以上, value: 1000吨标准煤}\n"
            "        benefit: {fixed: 1万元}\n",
            "green.yaml",
        )
        from innolink.engines.rules.model import Registry

        record = {"credit_code": "A", "indicators": {2024: {"green_power_share_test": "1000.000"}}}
        answer = explain(Registry((policy,)), record, 2024)
        # then it is evaluated like a built-in indicator
        assert answer.total == Decimal("10000.00")
        assert INDICATORS["green_power_share_test"].unit == "tce"
    finally:
        del INDICATORS["green_power_share_test"]


def test_register_indicator_refuses_a_different_kind_and_bad_codes():
    from innolink.engines.rules.fields import register_indicator

    for args in (("revenue", "count", "件", "x"), ("town", "money", "元", "x"), ("Bad Code", "money", "元", "x"),
                 ("ok_code", "percent", "%", "x")):
        with pytest.raises(RulesError) as info:
            register_indicator(*args)
        assert info.value.code == ErrorCode.BAD_VALUE


def test_decimal_strings_from_json_are_exact_and_bad_text_is_refused():
    records = [{"credit_code": "A", "indicators": {2024: {"revenue": "1234.56", "employees": "12", "energy_consumption": "1.5"}}},
               {"credit_code": "B", "indicators": {2024: {"revenue": 7, "employees": 3}}}]
    pop = population_from_records(records, 2024)
    assert pop.indicator[("revenue", 0)][0].tolist() == [123456, 700]
    assert pop.indicator[("employees", 0)][0].tolist() == [12, 3]
    assert pop.indicator[("energy_consumption", 0)][0].tolist() == [1500, 0]
    for bad in ({"revenue": "12万"}, {"employees": "1.5"}, {"revenue": 1.5}, {"employees": True}):
        with pytest.raises(RulesError) as info:
            population_from_records([{"credit_code": "A", "indicators": {2024: bad}}], 2024)
        assert info.value.code == ErrorCode.BAD_RECORD, bad
