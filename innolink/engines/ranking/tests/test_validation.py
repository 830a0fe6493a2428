import re

import numpy as np
import pytest

from innolink.engines.ranking import (
    RankingError,
    Snapshot,
    parse_methodology,
    run_list,
    run_rankings,
)
from innolink.engines.ranking import engine

from .helpers import methodology, one_indicator, raw_methodology, tiny_snapshot

CJK = re.compile(r"[\u4e00-\u9fff]")


def refused(code, fn, *args, **kwargs):
    with pytest.raises(RankingError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert err.code == code
    # Chinese only, as a message id with values: the rankings app words it (ADR 0792)
    assert CJK.search(err.message) and " / " not in err.message
    assert err.message == err.msgid % err.params
    assert err.as_dict() == {"code": code, "message": err.message, "extra": err.extra,
                             "msgid": err.msgid, "params": err.params}
    return err


def test_unknown_indicator_is_refused():
    raw = raw_methodology(indicators=[{"name": "revenue", "weight": 50},
                                      {"name": "happiness", "weight": 50}])
    err = refused(RankingError.UNKNOWN_INDICATOR, parse_methodology, raw)
    assert err.extra["indicator"] == "happiness"


def test_unknown_indicator_in_tie_keys_or_gates_is_refused():
    refused(RankingError.UNKNOWN_INDICATOR, methodology,
            tie_rule={"keys": [{"field": "revenu", "order": "desc"}]})
    refused(RankingError.UNKNOWN_INDICATOR, methodology, eligibility={"minimums": {"sales": 1}})


def test_weights_not_summing_as_declared_are_refused():
    raw = raw_methodology(weights={"scheme": "given", "sum": 1})
    err = refused(RankingError.WEIGHTS_SUM_MISMATCH, parse_methodology, raw)
    assert (err.extra["declared"], err.extra["actual"]) == (1.0, 100.0)


def test_list_larger_than_eligible_population_is_refused():
    m = one_indicator(size=5)
    snap = tiny_snapshot([1.0, 2.0, 3.0, 4.0, 5.0],
                         ownership=["private", "private", "state", "private", "private"])
    err = refused(RankingError.LIST_SIZE_EXCEEDS_POPULATION, run_list, m, snap)
    assert (err.extra["list_size"], err.extra["eligible"]) == (5, 4)
    assert err.extra["excluded"] == {"ownership": 1}


def test_a_bad_list_stops_a_multi_list_run_before_any_list_is_computed(monkeypatch):
    # given one valid and one impossible list
    calls = []
    monkeypatch.setattr(engine, "run_list", lambda *a, **k: calls.append(a))
    good = one_indicator(size=2)
    bad = one_indicator(size=9, id="too_big")
    snap = tiny_snapshot([1.0, 2.0, 3.0])

    # when / then the run is refused and nothing was computed
    refused(RankingError.LIST_SIZE_EXCEEDS_POPULATION, run_rankings, [good, bad], snap)
    assert calls == []


def test_year_outside_the_methodology_is_refused():
    err = refused(RankingError.YEAR_NOT_COVERED, run_list, one_indicator(),
                  tiny_snapshot([1.0, 2.0, 3.0], year=2023))
    assert err.extra["years"] == [2025]


def test_snapshot_without_a_needed_field_is_refused():
    err = refused(RankingError.MISSING_FIELD, run_list, one_indicator("tax_paid"),
                  tiny_snapshot([1.0, 2.0, 3.0]))
    assert err.extra["fields"] == ["tax_paid"]


def test_indicator_missing_everywhere_cannot_be_imputed():
    m = methodology(list_size=2, eligibility={"ownership": ["private"]},
                    indicators=[{"name": "revenue", "weight": 1},
                                {"name": "revenue_growth", "weight": 1,
                                 "missing": "impute_sector_median"}],
                    weights={"scheme": "given", "sum": 2})
    err = refused(RankingError.MISSING_FIELD, run_list, m, tiny_snapshot([1.0, 2.0, 3.0]))
    assert err.extra["indicator"] == "revenue_growth"


def test_bad_snapshots_are_refused():
    ok = {"revenue": [1.0, 2.0]}
    refused(RankingError.UNKNOWN_FIELD, Snapshot.build, 2025, [1, 2], {"profit": [1.0, 2.0]})
    refused(RankingError.INVALID_SNAPSHOT, Snapshot.build, 2025, [1, 1], ok)
    refused(RankingError.INVALID_SNAPSHOT, Snapshot.build, 2025, [1, 2], {"revenue": [1.0]})
    refused(RankingError.INVALID_SNAPSHOT, Snapshot.build, 2025, [1, 2],
            {"revenue": [1.0, np.inf]})
    refused(RankingError.INVALID_SNAPSHOT, Snapshot.build, 2025, [1, 2],
            {"dishonest": np.array([0, 1])})
    refused(RankingError.INVALID_SNAPSHOT, Snapshot.build, 2025, [1, 2], ok,
            {"town": ["a", "b"]})
    refused(RankingError.INVALID_SNAPSHOT, Snapshot.build, 2025, [1.5, 2.5], ok)


@pytest.mark.parametrize(
    "changes",
    [
        {"indicatorz": []},
        {"list_size": 0},
        {"years": ["2025"]},
        {"normalization": {"method": "softmax"}},
        {"aggregation": "median"},
        {"weights": {"scheme": "entropy", "sum": 100}},
        {"indicators": [{"name": "revenue", "weight": 100, "direction": "up"}]},
        {"indicators": [{"name": "revenue", "weight": 100, "missing": "zero"}]},
        {"indicators": [{"name": "revenue", "weight": 50}, {"name": "revenue", "weight": 50}]},
        {"indicators": [{"name": "revenue", "weight": -100, "direction": "higher"},
                        {"name": "tax_paid", "weight": 200}]},
        {"eligibility": {"ownership": ["privat"]}},
        {"eligibility": {"industry": {"sections": ["Z"]}}},
        {"uncertainty": {"weight_noise": 1.5}},
        {"uncertainty": {"review_band": [0.9, 0.1]}},
        {"normalization": {"method": "minmax", "winsorize": [0.5, 0.2]}},
        {"derived": {"a": {"op": "ratio", "args": ["b", "revenue"]},
                     "b": {"op": "ratio", "args": ["a", "revenue"]}}},
    ],
)
def test_invalid_methodologies_are_refused_with_a_stable_code(changes):
    with pytest.raises(RankingError) as info:
        parse_methodology(raw_methodology(**changes))
    assert info.value.code in {RankingError.INVALID_METHODOLOGY, RankingError.WEIGHTS_SUM_MISMATCH}


def test_weights_under_entropy_scheme_are_refused():
    err = refused(RankingError.INVALID_METHODOLOGY, methodology, weights={"scheme": "entropy"})
    assert err.extra["indicator"] == "revenue"


def test_unknown_flag_is_refused():
    refused(RankingError.UNKNOWN_FIELD, methodology, eligibility={"exclude_flags": ["bankrupt"]})


def test_error_codes_are_a_closed_set():
    with pytest.raises(ValueError):
        RankingError("ranking.whatever", "x")
