import math

import numpy as np
import pytest

from innolink.engines.ranking import evaluate_indicator, prepare_list, run_list

from .helpers import methodology, tiny_snapshot

NAN = math.nan


def test_ratios_are_undefined_for_zero_or_missing_denominators_never_zero():
    cur = {"rd_expense": np.array([5.0, 0.0, 1.0, 1.0, NAN]),
           "revenue": np.array([100.0, 50.0, 0.0, -3.0, 10.0])}
    got = evaluate_indicator("rd_intensity", cur)
    assert got[:2].tolist() == [5.0, 0.0]
    assert np.isnan(got[2:]).all()


def test_negative_profit_gives_a_negative_margin():
    cur = {"net_profit": np.array([-20.0, 10.0]), "revenue": np.array([100.0, 100.0])}
    assert evaluate_indicator("profit_margin", cur).tolist() == [-20.0, 10.0]


def test_growth_needs_a_positive_base_year_value():
    cur = {"revenue": np.array([120.0, 50.0, 50.0, 50.0])}
    prev = {"revenue": np.array([100.0, 0.0, -10.0, NAN])}
    got = evaluate_indicator("revenue_growth", cur, prev)
    assert got[0] == pytest.approx(20.0) and np.isnan(got[1:]).all()


def test_growth_of_a_derived_indicator_uses_last_years_inputs():
    cur = {"energy_consumption": np.array([90.0]), "revenue": np.array([1.0e6])}
    prev = {"energy_consumption": np.array([100.0]), "revenue": np.array([1.0e6])}
    assert evaluate_indicator("energy_intensity", cur).tolist() == [0.9]
    assert evaluate_indicator("energy_intensity_change", cur, prev).tolist() == [
        (0.9 / 1.0 - 1.0) * 100.0]


def test_sum_with_a_missing_term_is_missing():
    cur = {"exports": np.array([1.0, NAN, 0.0]), "imports": np.array([2.0, 3.0, 0.0])}
    got = evaluate_indicator("trade_volume", cur)
    assert got[0] == 3.0 and np.isnan(got[1]) and got[2] == 0.0


def test_methodology_can_declare_its_own_derived_indicator():
    m = methodology(
        list_size=2,
        eligibility={"ownership": ["private"]},
        derived={"assets_turnover": {"op": "ratio", "args": ["revenue", "total_assets"],
                                     "label_zh": "总资产周转率"}},
        indicators=[{"name": "assets_turnover", "weight": 1}],
        weights={"scheme": "given", "sum": 1},
    )
    snap = tiny_snapshot([10.0, 30.0, 20.0], total_assets=np.array([5.0, 30.0, 4.0]))
    result = run_list(m, snap, samples=5)
    assert [(e.enterprise_id, e.indicators["assets_turnover"]) for e in result.entries] == [
        (3, 5.0), (1, 2.0)]


def test_missing_values_use_division_then_section_then_overall_median_and_are_flagged():
    # given C19 has 5 known values, C20 only 1 (section C has 7), F51 none
    codes = ["C1951"] * 6 + ["C2011", "C2012", "F5111", "C1952"]
    rd = np.array([1, 2, 3, 4, 5, NAN, 9, NAN, NAN, 7], dtype=float)
    m = methodology(
        list_size=3,
        eligibility={"ownership": ["private"]},
        indicators=[{"name": "rd_expense", "weight": 1, "missing": "impute_sector_median"}],
        weights={"scheme": "given", "sum": 1},
    )
    snap = tiny_snapshot([100.0] * 10, industry_code=codes, rd_expense=rd)

    # when
    p = prepare_list(m, snap)

    # then C19 -> median(1,2,3,4,5,7)=3.5; C20 -> section C median(1,2,3,4,5,9,7)=4; F -> 4
    assert p.values[:, 0].tolist() == [1, 2, 3, 4, 5, 3.5, 9, 4, 4, 7]
    assert p.imputed[:, 0].tolist() == [False] * 5 + [True, False, True, True, False]


def test_excluded_for_missing_data_are_counted_not_zeroed():
    m = methodology(list_size=1, eligibility={"ownership": ["private"]},
                    indicators=[{"name": "exports", "weight": 1, "missing": "exclude"}],
                    weights={"scheme": "given", "sum": 1})
    snap = tiny_snapshot([1.0, 2.0, 3.0], exports=np.array([NAN, 0.0, 5.0]))
    result = run_list(m, snap, samples=5, include_all=True)
    assert result.excluded == {"missing:exports": 1}
    assert [e.enterprise_id for e in result.entries + result.review] == [3, 2]


def test_impute_zero_and_worst_are_explicit_and_flagged():
    snap = tiny_snapshot([1.0, 2.0, 3.0], exports=np.array([NAN, 4.0, 5.0]),
                         energy_consumption=np.array([1.0, NAN, 3.0]))
    m = methodology(list_size=1, eligibility={"ownership": ["private"]},
                    indicators=[{"name": "exports", "weight": 1, "missing": "impute_zero"},
                                {"name": "energy_consumption", "direction": "lower", "weight": 1,
                                 "missing": "impute_worst"}],
                    weights={"scheme": "given", "sum": 2})
    p = prepare_list(m, snap)
    assert p.values.tolist() == [[0.0, 1.0], [4.0, 3.0], [5.0, 3.0]]
    assert p.imputed.tolist() == [[True, False], [False, True], [False, False]]
