"""Quality on the committed labelled set: the fusion must beat the best single signal.

Computed at test time, with the committed embedding cache standing in for the USE model
(regenerate with ``.venv/bin/python bench/match_quality.py --write-cache``).  The pool is the
164 judged researchers plus 1,300 deterministic distractors.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from innolink.engines.matching.engine import MatchingEngine

DATA = Path(__file__).resolve().parent / "data"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, DATA / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def es():
    return _load("evalset")


@pytest.fixture(scope="module")
def result(es):
    challenges, researchers, qrels = es.load(1300)
    cdocs, rdocs = es.to_docs(challenges, researchers)
    engine = MatchingEngine(encoder=es.CachedEncoder(), candidate_k=100)
    engine.set_researchers(rdocs)
    kinds = {c["id"]: c["source"] for c in challenges}
    return es.evaluate(engine, cdocs, qrels, n_folds=5, kinds=kinds)


def test_labelled_set_is_big_enough_and_well_formed(es):
    pairs = es.judged_pairs()
    assert len(pairs) >= 300
    assert len({(p["challenge_id"], p["researcher_id"]) for p in pairs}) == len(pairs)
    assert all(p["relevance"] in (0, 1, 2, 3) for p in pairs)
    assert all(p["rationale"].strip() for p in pairs)
    hand = [p for p in pairs if p["kind"] == "hand"]
    assert len(hand) >= 50
    assert {p["relevance"] for p in hand} == {0, 1, 2, 3}
    synthetic_cases = {p["case"] for p in pairs if p["kind"] == "synthetic"}
    assert {"meets_syn", "meets_long", "near", "off", "cross", "wrong_prop"} <= synthetic_cases


def test_committed_synthetic_rows_are_reproducible(es):
    build = _load("build_evalset")
    challenges, researchers, qrels = build.synthetic()
    committed = {r["id"]: r for r in es._read("researchers")}
    for r in researchers:
        assert json.dumps(committed[r["id"]], sort_keys=True) == json.dumps(r, sort_keys=True)
    committed_c = {c["id"]: c for c in es._read("challenges")}
    for c in challenges:
        assert committed_c[c["id"]] == c


def test_fusion_beats_the_best_single_signal(result):
    best = result["best_single"]
    fusion = result["fusion_cv"]
    assert result["queries"] == 50 and result["pool"] == 1464
    assert fusion["ndcg10"] > best["ndcg10"], (fusion["ndcg10"], best)
    assert fusion["recall20"] >= 0.8


def test_every_signal_is_informative_but_none_is_enough(result):
    for name, v in result["signals"].items():
        assert 0.05 < v["ndcg10"] < result["fusion_cv"]["ndcg10"], name
