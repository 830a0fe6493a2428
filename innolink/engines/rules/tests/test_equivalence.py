"""The vectorised scan, the explain path and the slow reference give identical answers."""

import datetime as dt
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innolink.engines.rules import TAGS, TOWNS, explain, population_from_records, reference_evaluate, scan
from innolink.engines.rules.synthetic import INDUSTRY_CODES, synthetic_records

from ._support import demo_registry

YEAR = 2024


def _scan_table(result, size):
    table = {}
    for c in result.clauses:
        eligible = np.zeros(size, dtype=bool)
        amount = np.zeros(size, dtype=np.int64)
        gross = np.zeros(size, dtype=np.int64)
        eligible[c.index] = True
        amount[c.index] = c.amount_fen
        gross[c.index] = c.gross_fen
        table[(c.policy_id, c.clause_id)] = (eligible, amount, gross)
    return table


def _assert_same(records, year=YEAR):
    registry = demo_registry()
    population = population_from_records(records, year)
    table = _scan_table(scan(registry, population), len(records))
    for i, record in enumerate(records):
        expected = reference_evaluate(registry, record, year)
        assert set(expected) == set(table)
        for key, (eligible, amount, gross) in expected.items():
            got = (bool(table[key][0][i]), Decimal(int(table[key][1][i])) / 100, Decimal(int(table[key][2][i])) / 100)
            assert got == (eligible, amount, gross), (i, key, record)


def test_scan_equals_reference_on_seeded_population():
    # given 3,000 seeded synthetic enterprises with bound values and missing data
    records = synthetic_records(3000, YEAR, seed=20240601)
    # then every clause answer of the scan equals the reference evaluator's
    _assert_same(records)


def test_scan_equals_reference_for_an_earlier_year_with_other_versions():
    _assert_same(synthetic_records(500, 2023, seed=7), year=2023)


def test_explain_equals_scan_on_a_sample():
    registry = demo_registry()
    records = synthetic_records(150, YEAR, seed=99)
    table = _scan_table(scan(registry, population_from_records(records, YEAR)), len(records))
    for i, record in enumerate(records):
        answer = explain(registry, record, YEAR)
        for a in answer.eligible + answer.not_eligible:
            eligible, amount, _ = table[(a.policy_id, a.clause_id)]
            assert (a.eligible, a.amount) == (bool(eligible[i]), Decimal(int(amount[i])) / 100)
        assert answer.total == sum((a.amount for a in answer.eligible), Decimal("0.00"))


def test_synthetic_population_exercises_every_clause():
    registry = demo_registry()
    records = synthetic_records(3000, YEAR, seed=20240601, items=True)
    result = scan(registry, population_from_records(records, YEAR))
    assert all(c.count > 0 for c in result.clauses), [c.clause_id for c in result.clauses if c.count == 0]


_money = st.one_of(st.none(), st.integers(0, 200_000_000).map(lambda fen: Decimal(fen) / 100),
                   st.sampled_from([Decimal(2_000_000), Decimal(1_000_000), Decimal(500_000), Decimal(0)]))
_count = st.one_of(st.none(), st.integers(0, 400))


@st.composite
def _record(draw):
    year_values = {}
    for y in (YEAR, YEAR - 1):
        values = {}
        for name in ("revenue", "rd_expense", "tax_paid", "exports", "imports", "equipment_investment",
                     "fiscal_contribution", "software_hardware_investment", "compute_contract"):
            v = draw(_money)
            if v is not None:
                values[name] = v
        for name in ("invention_patents", "employees"):
            v = draw(_count)
            if v is not None:
                values[name] = v
        e = draw(st.one_of(st.none(), st.integers(0, 5_000_000)))
        if e is not None:
            values["energy_consumption"] = Decimal(e) / 1000
        year_values[y] = values
    return {
        "credit_code": "X",
        "town": draw(st.one_of(st.none(), st.sampled_from(TOWNS))),
        "industry_code": draw(st.one_of(st.none(), st.sampled_from(INDUSTRY_CODES))),
        "ownership": draw(st.one_of(st.none(), st.sampled_from(["private", "state"]))),
        "size_class": draw(st.one_of(st.none(), st.sampled_from(["small", "micro", "large"]))),
        "founded_on": draw(st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)))),
        "tags": draw(st.one_of(st.none(), st.sets(st.sampled_from(TAGS)))),
        "high_tech_cert_date": draw(st.one_of(st.none(), st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31)))),
        "high_tech_first_cert": draw(st.one_of(st.none(), st.booleans())),
        "indicators": year_values,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_record(), min_size=1, max_size=8))
def test_scan_equals_reference_property(records):
    _assert_same(records)
