"""Budget shortfall rules: ``first_come`` and ``pro_rata`` (资金不足时按比例核减) with exact
integer fen arithmetic, their explanations, and validation of the option on load."""

import textwrap
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innolink.engines.rules import (
    ErrorCode, Proration, RulesError, load_policy_text, population_from_records, prorate, scan,
)
from innolink.engines.rules.model import Registry

AMOUNTS = st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(amounts=AMOUNTS, available=st.integers(min_value=0, max_value=10**13))
def test_scaled_awards_never_add_up_to_more_than_the_budget(amounts, available):
    scaled, p = prorate(np.array(amounts, dtype=np.int64), available)
    demand = sum(amounts)
    assert p.demand_fen == demand
    if demand > available:
        assert p.applies
        assert int(scaled.sum()) <= available
        # rounded down to the fen, exactly: floor(a × available / demand)
        assert scaled.tolist() == [a * available // demand for a in amounts]
        # and never more than a fen per award below the exact share
        assert available - int(scaled.sum()) < max(len(amounts), 1)
    else:
        assert not p.applies and scaled.tolist() == amounts
    assert all(0 <= s <= a for s, a in zip(scaled.tolist(), amounts))


@settings(max_examples=200, deadline=None)
@given(amounts=AMOUNTS, available=st.integers(min_value=0, max_value=10**13))
def test_one_award_scales_like_the_whole_list(amounts, available):
    scaled, p = prorate(np.array(amounts, dtype=np.int64), available)
    assert [p.scale(a) for a in amounts] == scaled.tolist()


def test_rounding_is_down_to_the_fen():
    scaled, p = prorate(np.array([100, 200, 301]), 300)
    assert scaled.tolist() == [49, 99, 150]  # 49.83…, 99.66…, 150.0 (exact ×300/601)
    assert p.factor == Fraction(300, 601) and p.percent == "49.91%"
    assert Proration(available_fen=2, demand_fen=3).scale(1) == 0  # 0.66 fen -> 0


def test_no_scaling_when_the_budget_suffices_or_is_exactly_met():
    scaled, p = prorate(np.array([100, 200]), 300)
    assert scaled.tolist() == [100, 200] and not p.applies and p.factor == 1
    assert p.notice == "" and p.steps(100) == () and p.percent == "100%"


def test_a_spent_budget_scales_everything_to_zero():
    scaled, p = prorate(np.array([100, 200]), 0)
    assert scaled.tolist() == [0, 0] and p.percent == "0.00%"


def test_the_explanation_shows_the_factor_and_the_unscaled_amount():
    p = Proration(available_fen=500_000_000, demand_fen=600_880_000)  # 500万 of 600.88万
    assert p.notice == "预算不足,按 83.21% 比例核减"
    first, second = p.steps(21_000_000)
    assert first == "资金不足时按比例核减:可用预算 500万元 ÷ 符合条件的待兑现金额合计 600.88万元 = 83.21%"
    assert second.startswith("本条测算金额 21万元 × 核减比例 = 17.47万元(174,743.70元)")
    assert "向下取整到分" in second


def test_the_percentage_is_truncated_never_rounded_up():
    assert Proration(999_999, 1_000_000).percent == "99.99%"
    assert Proration(1, 3).percent == "33.33%"


# ----------------------------------------------------------------------------- rule files

def _policy(extra: str = "", budget: str = "100万元") -> str:
    return textwrap.dedent(f"""\
        id: demo
        title: 示例政策
        issuer: 晋江市科技局
        area: 创新主体与平台
        versions:
          - effective_from: 2024-01-01
            doc_number: 示例〔2024〕1号
            budget: {budget}
            shares: {{市: 1}}
            lane: apply
        {extra}
            clauses:
              - id: c1
                title: 研发奖励
                text: 对年度研发经费支出高于200万元的企业给予研发经费5%的奖励
                conditions: {{field: rd_expense, op: 高于, value: 200万元}}
                benefit: {{rate: 5%, base: rd_expense}}
        """)


def test_the_rule_defaults_to_first_come_and_accepts_pro_rata():
    assert load_policy_text(_policy()).versions[0].budget_shortfall == "first_come"
    p = load_policy_text(_policy("    budget_shortfall: pro_rata"))
    assert p.versions[0].budget_shortfall == "pro_rata"


@pytest.mark.parametrize("value", ["prorata", "按比例", "true", "[pro_rata]"])
def test_an_unknown_rule_is_refused_with_a_clear_error(value):
    with pytest.raises(RulesError) as info:
        load_policy_text(_policy(f"    budget_shortfall: {value}"), "demo.yaml")
    err = info.value
    assert err.code == ErrorCode.BAD_VALUE
    assert err.location == "demo.yaml: versions[0].budget_shortfall"
    assert "first_come" in err.message and "pro_rata" in err.message and "按比例核减" in err.message


def _result(extra: str, rds: list[str]):
    registry = Registry((load_policy_text(_policy(extra, budget="10万元")),))
    records = [{"credit_code": f"E{i}", "indicators": {2024: {"rd_expense": Decimal(rd)}}}
               for i, rd in enumerate(rds)]
    return scan(registry, population_from_records(records, 2024))


def test_scan_totals_scale_a_pro_rata_policy_over_its_budget():
    # 5% of 300万, 500万 and 333.3333万 元: 15万 + 25万 + 16.666665万 = 56.666665万 > 10万
    result = _result("    budget_shortfall: pro_rata", ["3000000", "5000000", "3333333"])
    totals = result.policy_totals()["demo"]
    assert totals["total"] == Decimal("566666.65") and totals["over_budget"]
    assert totals["shortfall"] == "pro_rata"
    assert totals["factor"] == Fraction(10_000_000, 56_666_665)
    assert totals["percent"] == "17.64%"
    assert totals["payable"] <= totals["budget"]
    c = result.clause("demo", "c1")
    expected = sum(int(a) * 10_000_000 // 56_666_665 for a in c.amount_fen.tolist())
    assert totals["payable"] == Decimal(expected) / 100


def test_scan_totals_of_a_first_come_policy_are_not_scaled():
    totals = _result("", ["3000000", "5000000"]).policy_totals()["demo"]
    assert totals["over_budget"] and totals["shortfall"] == "first_come"
    assert totals["factor"] == 1 and totals["payable"] == totals["total"]
