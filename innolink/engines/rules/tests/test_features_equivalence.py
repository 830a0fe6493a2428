"""The vectorised scan, the explain path and the slow reference agree on every construct of
ADR 0131 (qualifications and their history, 首次 over records and compound conditions, 连续N年,
multi-year sums and averages, ratio/bool/date/level indicators, optional inputs, items with
per-item formulas and caps, once-only, top-up, lifetime caps and 就高不重复 across policies), on
hand-picked records and on hypothesis-generated populations."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innolink.engines.rules import explain, load_registry, population_from_records, reference_evaluate, scan
from innolink.engines.rules.fields import load_catalogue

FEATURES = Path(__file__).with_name("features")
YEAR = 2024


@pytest.fixture(autouse=True)
def _catalogue():
    load_catalogue()


def _registry():
    load_catalogue()
    return load_registry(FEATURES)


def _table(result, size):
    table = {}
    for c in result.clauses:
        eligible = np.zeros(size, dtype=bool)
        amount = np.zeros(size, dtype=np.int64)
        eligible[c.index] = True
        amount[c.index] = c.amount_fen
        table[(c.policy_id, c.clause_id)] = (eligible, amount)
    return table


def assert_same(records, year=YEAR, history_from=None, explain_too=True):
    registry = _registry()
    population = population_from_records(records, year, history_from=history_from)
    table = _table(scan(registry, population), len(records))
    for i, record in enumerate(records):
        expected = reference_evaluate(registry, record, year, history_from=population.history_from)
        assert set(expected) == set(table)
        for key, (eligible, amount, _gross) in expected.items():
            got = (bool(table[key][0][i]), Decimal(int(table[key][1][i])) / 100)
            assert got == (eligible, amount), (i, key, record)
        if explain_too:
            answer = explain(registry, record, year, history_from=population.history_from)
            for a in answer.eligible + answer.not_eligible:
                assert (a.eligible, a.amount) == (bool(table[(a.policy_id, a.clause_id)][0][i]),
                                                  Decimal(int(table[(a.policy_id, a.clause_id)][1][i])) / 100)


# --------------------------------------------------------------------------- hand-picked


def _clause(answer, policy, clause):
    return answer.clause(policy, clause)


def test_top_up_pays_the_difference_and_the_group_takes_the_higher():
    registry = _registry()
    record = {"credit_code": "A", "qualifications": [
        {"type": "specialized", "level": "provincial", "certified_on": dt.date(2022, 5, 1), "first": True},
        {"type": "specialized", "level": "national", "certified_on": dt.date(2024, 7, 1), "first": True}],
        "payments": [{"policy": "f1_qualifications", "family": "specialized_award", "year": 2022, "amount": Decimal(200000)}]}
    answer = explain(registry, record, YEAR, policy_ids={"f1_qualifications"})
    national = _clause(answer, "f1_qualifications", "national")
    assert (national.amount, national.status) == (Decimal("300000.00"), "payable")
    assert any("晋级补差" in s for s in national.steps)
    provincial = _clause(answer, "f1_qualifications", "provincial")
    assert provincial.eligible and provincial.amount == 0  # 20万 − 20万 paid, and the group pays national
    upgraded = _clause(answer, "f1_qualifications", "upgraded")
    assert upgraded.amount == Decimal("50000.00")
    assert_same([record])


def test_lifetime_cap_counts_what_the_policy_paid_in_other_years():
    registry = _registry()
    record = {"credit_code": "A", "qualifications": [
        {"type": "high_tech", "certified_on": dt.date(2024, 11, 1), "first": True}],
        "payments": [{"policy": "f1_qualifications", "family": "x", "year": 2022, "amount": Decimal(1_000_000)}]}
    answer = explain(registry, record, YEAR, policy_ids={"f1_qualifications"})
    split = _clause(answer, "f1_qualifications", "high_tech_split")
    assert split.amount == Decimal("200000.00")  # 30万 against 120万 − 100万 left
    assert any("累计上限" in s for s in split.steps)
    assert_same([record])


def test_exclusive_across_policies_pays_the_higher_and_reduces_by_this_years_payments():
    registry = _registry()
    base = {"credit_code": "A", "qualifications": [{"type": "gazelle", "level": "provincial",
                                                   "certified_on": dt.date(2023, 3, 1)}],
            "indicators": {YEAR: {"revenue": Decimal(50_000_000)}}}
    answer = explain(registry, base, YEAR)
    a, b = _clause(answer, "f3_exclusive_a", "gazelle"), _clause(answer, "f4_exclusive_b", "gazelle")
    # 甲 12万 vs 乙 min(0.2% × 5000万, 12万) = 10万: 甲 wins, 乙 stacked out
    assert (a.amount, b.amount, b.status) == (Decimal("120000.00"), Decimal("0.00"), "stacked_out")
    # 乙 already paid 10万 this year: 甲 pays the difference only
    paid = {**base, "payments": [{"policy": "f4_exclusive_b", "family": "gazelle_b", "year": YEAR,
                                  "amount": Decimal(100_000)}]}
    answer = explain(registry, paid, YEAR, policy_ids={"f3_exclusive_a"})  # the partner policy is settled too
    assert _clause(answer, "f3_exclusive_a", "gazelle").amount == Decimal("20000.00")
    tie = {**base, "indicators": {YEAR: {"revenue": Decimal(60_000_000)}}}  # 乙 also 12万: a tie
    answer = explain(registry, tie, YEAR)
    a = _clause(answer, "f3_exclusive_a", "gazelle")
    assert a.amount == Decimal("120000.00") and any("金额相同" in s for s in a.steps)
    assert_same([base, paid, tie])


def test_items_are_counted_one_by_one_and_a_missing_fact_leaves_one_out():
    registry = _registry()
    record = {"credit_code": "A", "items": {"equipment": [
        {"key": "E1", "label": "光谱仪", "year": YEAR, "amount": Decimal(1_000_000), "category": "研发设备", "imported": True},
        {"key": "E2", "label": "三坐标", "year": YEAR, "amount": Decimal(2_000_000), "category": "检测设备", "imported": False},
        {"key": "E3", "label": "贴片机", "year": YEAR, "amount": Decimal(9_000_000), "category": "生产设备", "imported": True},
        {"key": "E4", "label": "电镜", "year": YEAR, "category": "研发设备", "imported": True},
        {"key": "E5", "label": "旧设备", "year": YEAR - 1, "amount": Decimal(1_000_000), "category": "研发设备",
         "imported": True}]}}
    answer = explain(registry, record, YEAR, policy_ids={"f2_items"})
    equipment = _clause(answer, "f2_items", "equipment")
    assert equipment.amount == Decimal("350000.00")  # 100万 × 15% + min(200万 × 12%, 20万)
    lines = {line.key: line for line in equipment.items}
    assert (lines["E1"].included, lines["E1"].amount) == (True, Decimal("150000.00"))
    assert (lines["E2"].included, lines["E2"].amount) == (True, Decimal("200000.00"))  # 24万 capped to 20万
    assert not lines["E3"].included and "不符合" in lines["E3"].reason
    assert not lines["E4"].included and lines["E4"].needs[0].field == "equipment.amount"
    assert "E5" not in lines  # last year's item is not counted
    assert [n.item for n in equipment.needs] == ["E4"]
    assert_same([record])


def test_history_first_time_streaks_windows_and_compound_first_time():
    registry = _registry()
    years = {2020: {"revenue": Decimal(12_000_000), "rd_expense": Decimal(400_000)},
             2021: {"revenue": Decimal(20_000_000), "rd_expense": Decimal(500_000)},
             2022: {"revenue": Decimal(30_000_000), "rd_expense": Decimal(500_000)},
             2023: {"revenue": Decimal(40_000_000), "rd_expense": Decimal(500_000)},
             2024: {"revenue": Decimal(55_000_000), "rd_expense": Decimal(2_000_000)}}
    record = {"credit_code": "A", "founded_on": dt.date(2015, 1, 1), "indicators": years}
    answer = explain(registry, record, YEAR, policy_ids={"f1_qualifications"}, history_from=2020)
    assert _clause(answer, "f1_qualifications", "growth_streak").amount == Decimal("100000.00")
    assert _clause(answer, "f1_qualifications", "first_big").amount == Decimal("150000.00")
    double = _clause(answer, "f1_qualifications", "double")
    assert double.eligible  # 2024: 5500万, 3.6%; earlier years had 3000万+ but under 3%
    # 2021 had a 5000万 revenue: not the first time
    earlier = {**record, "indicators": {**years, 2021: {"revenue": Decimal(51_000_000), "rd_expense": Decimal(500_000)}}}
    answer = explain(registry, earlier, YEAR, policy_ids={"f1_qualifications"}, history_from=2020)
    first = _clause(answer, "f1_qualifications", "first_big")
    assert not first.eligible and "2021年已超过" in first.misses[0].message
    # a missing year inside the record makes "first" undecided, naming the year to supply
    gap = {**record, "indicators": {y: v for y, v in years.items() if y != 2022}}
    answer = explain(registry, gap, YEAR, policy_ids={"f1_qualifications"}, history_from=2020)
    first = _clause(answer, "f1_qualifications", "first_big")
    assert first.status == "undecided" and [n.year for n in first.needs] == [2022] and first.needs[0].decisive
    assert_same([record, earlier, gap], history_from=2020)


def test_ratio_bool_date_level_indicators_and_optional_inputs():
    registry = _registry()
    record = {"credit_code": "A", "founded_on": dt.date(2021, 3, 1), "indicators": {YEAR: {
        "tax_credit_grade": "A", "key_enterprise": True, "rd_intensity": Decimal("0.049"),
        "rd_expense": Decimal(2_000_000), "revenue": Decimal(30_000_000)}}}
    answer = explain(registry, record, YEAR, policy_ids={"f1_qualifications"})
    young = _clause(answer, "f1_qualifications", "young")
    # rd_intensity 4.9% misses 5%, but rd/revenue is 6.67%: eligible; equipment missing counts 0
    assert young.amount == Decimal("200000.00")
    assert any("缺少数据,按0计" in s for s in young.steps)
    low = {**record, "indicators": {YEAR: {**record["indicators"][YEAR], "tax_credit_grade": "M",
                                           "revenue": Decimal(50_000_000)}}}
    answer = explain(registry, low, YEAR, policy_ids={"f1_qualifications"})
    young = _clause(answer, "f1_qualifications", "young")
    assert not young.eligible
    messages = [m.message for m in young.misses]
    assert any("纳税信用等级为M" in m for m in messages)
    routes = young.choices[0].routes
    assert [r.state for r in routes] == ["failed", "failed"] and routes[0].nearness[1] <= routes[1].nearness[1]
    assert_same([record, low])


def test_policy_dates_outside_the_policy_are_reported():
    registry = _registry()
    answer = explain(registry, {"credit_code": "A"}, 2025, policy_ids={"f1_qualifications"})
    assert [(d.state, d.message) for d in answer.out_of_force] == [("gap", "2025年度无有效版本,新版本2027-01-01起施行")]
    answer = explain(registry, {"credit_code": "A"}, 2019, policy_ids={"f2_items"})
    assert [d.message for d in answer.out_of_force] == ["2020-01-01起施行"]
    answer = explain(registry, {"credit_code": "A"}, 2027, policy_ids={"f2_items"})
    assert [d.message for d in answer.out_of_force] == ["已于2026-12-31失效"]


# --------------------------------------------------------------------------- generated

_money = st.one_of(st.none(), st.integers(0, 80_000_000).map(lambda y: Decimal(y)),
                   st.sampled_from([Decimal(50_000_000), Decimal(30_000_000), Decimal(10_000_000)]))
_day = st.dates(dt.date(2016, 1, 1), dt.date(2025, 12, 31))
_types = {"specialized": ["innovative", "provincial", "national"], "high_tech": [None], "listed": [None],
          "gazelle": ["city", "provincial"], "dishonest": [None]}


@st.composite
def _qualification(draw):
    qtype = draw(st.sampled_from(sorted(_types)))
    return {"type": qtype, "level": draw(st.sampled_from(_types[qtype])),
            "certified_on": draw(st.one_of(st.none(), _day)), "expires_on": draw(st.one_of(st.none(), _day)),
            "first": draw(st.one_of(st.none(), st.booleans()))}


@st.composite
def _record(draw):
    indicators = {}
    for y in range(2019, YEAR + 1):
        values = {}
        for name in ("revenue", "rd_expense", "equipment_investment", "exports", "fiscal_contribution"):
            v = draw(_money)
            if v is not None:
                values[name] = v
        for name, strategy in (
            ("invention_patents", st.integers(0, 12)),
            ("energy_consumption", st.integers(0, 3000).map(lambda v: Decimal(v) / 10)),
            ("rd_intensity", st.integers(0, 120).map(lambda v: Decimal(v) / 1000)),
            ("tax_credit_grade", st.sampled_from(["D", "C", "M", "B", "A"])),
            ("key_enterprise", st.booleans()),
        ):
            if draw(st.booleans()):
                values[name] = draw(strategy)
        indicators[y] = values
    equipment = [{"key": f"E{k}", "year": draw(st.sampled_from([YEAR, YEAR - 1])),
                  "amount": draw(st.one_of(st.none(), st.integers(0, 3_000_000).map(Decimal))),
                  "category": draw(st.sampled_from(["研发设备", "检测设备", "生产设备"])),
                  "imported": draw(st.one_of(st.none(), st.booleans()))} for k in range(draw(st.integers(0, 4)))]
    patents = [{"key": f"P{k}", "year": draw(st.sampled_from([YEAR, YEAR - 1, YEAR - 2])),
                "kind": draw(st.one_of(st.none(), st.sampled_from(["发明专利", "实用新型"])))}
               for k in range(draw(st.integers(0, 4)))]
    projects = [{"key": f"J{k}", "year": YEAR, "investment": draw(st.one_of(st.none(), _money)),
                 "equipment_investment": draw(st.one_of(st.none(), _money)),
                 "level": draw(st.one_of(st.none(), st.sampled_from(["县级", "市级", "省级", "国家级"])))}
                for k in range(draw(st.integers(0, 3)))]
    payments = [{"policy": draw(st.sampled_from(["f1_qualifications", "f3_exclusive_a", "f4_exclusive_b"])),
                 "family": draw(st.sampled_from(["specialized_award", "gazelle_a", "gazelle_b",
                                                 "f1_qualifications.upgraded"])),
                 "year": draw(st.integers(2021, YEAR)), "amount": Decimal(draw(st.integers(1, 60)) * 10_000)}
                for _ in range(draw(st.integers(0, 3)))]
    quals = draw(st.one_of(st.none(), st.lists(_qualification(), max_size=4)))
    return {"credit_code": "X", "founded_on": draw(st.one_of(st.none(), st.dates(dt.date(2012, 1, 1), dt.date(2024, 6, 1)))),
            "qualifications": quals, "indicators": indicators,
            "items": {"equipment": equipment, "patents": patents, "projects": projects}, "payments": payments}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_record(), min_size=1, max_size=6), st.integers(2019, 2023))
def test_scan_explain_and_reference_agree_on_generated_populations(records, history_from):
    assert_same(records, history_from=history_from, explain_too=len(records) <= 2)


def test_demo_and_feature_rules_agree_on_a_rich_synthetic_population():
    """The bench's population: certifications, five years of history, items and payments."""
    from innolink.engines.rules.model import Registry
    from innolink.engines.rules.synthetic import synthetic_records

    registry = Registry(load_registry().policies + _registry().policies)
    records = synthetic_records(1500, YEAR, seed=11, history_years=4, items=True, payments=True, certifications=True)
    population = population_from_records(records, YEAR, history_from=2019)
    result = scan(registry, population)
    table = _table(result, len(records))
    exercised = {key for key, (eligible, amount) in table.items() if amount.any()}
    for key in (("f1_qualifications", "national"), ("f1_qualifications", "first_big"), ("f2_items", "equipment"),
                ("f2_items", "projects"), ("f3_exclusive_a", "gazelle"), ("f1_qualifications", "growth_streak")):
        assert key in exercised, key
    for i in range(0, len(records), 7):
        expected = reference_evaluate(registry, records[i], YEAR, history_from=2019)
        for key, (eligible, amount, _gross) in expected.items():
            assert (bool(table[key][0][i]), Decimal(int(table[key][1][i])) / 100) == (eligible, amount), (i, key)
