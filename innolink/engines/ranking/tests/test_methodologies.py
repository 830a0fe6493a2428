import re

import pytest

from innolink.engines.ranking import load_methodologies, load_methodology, parse_methodology, run_rankings
from innolink.engines.ranking.synthetic import synthetic_snapshot

from .helpers import METHODOLOGY_DIR

CJK = re.compile(r"[\u4e00-\u9fff]")
SHIPPED = {
    "comprehensive_100": 100,
    "advanced_manufacturing_100": 100,
    "modern_services_100": 100,
    "innovative_100": 100,
    "green_50": 50,
    "outward_50": 50,
    "tax_contribution": 50,
}


def test_every_shipped_methodology_loads_with_its_public_texts():
    ms = load_methodologies(METHODOLOGY_DIR)
    assert {k: m.list_size for k, m in ms.items()} == SHIPPED
    for m in ms.values():
        assert CJK.search(m.title_zh) and CJK.search(m.note_zh)
        assert m.version and 2025 in m.years
        assert m.tie_rule.keys and m.uncertainty.samples == 1000
        assert m.uncertainty.weight_noise == 0.25
        assert len(m.content_hash) == 64


def test_every_shipped_methodology_runs_on_a_small_synthetic_population():
    # given
    ms = load_methodologies(METHODOLOGY_DIR)
    snap = synthetic_snapshot(1500, seed=7)

    # when
    result = run_rankings(ms, snap, samples=20)

    # then each list is full, ordered and consistent
    assert set(result.lists) == set(SHIPPED)
    for list_id, lst in result.lists.items():
        assert len(lst.entries) == SHIPPED[list_id] == lst.size
        assert [e.position for e in lst.entries] == list(range(1, lst.size + 1))
        ranks = [e.rank for e in lst.entries]
        scores = [e.score for e in lst.entries]
        assert ranks == sorted(ranks) and scores == sorted(scores, reverse=True)
        assert all(e.in_list for e in lst.entries) and not any(e.in_list for e in lst.review)
        assert lst.threshold_score == scores[-1]
        assert sum(lst.weights.values()) == pytest.approx(1.0)
        assert lst.eligible >= lst.size
        assert all(1 <= e.median_rank <= lst.eligible for e in lst.entries)


def test_methodology_hash_ignores_key_order_but_not_content():
    m = load_methodology(METHODOLOGY_DIR / "comprehensive_100.yaml")
    raw = m.to_dict()
    assert parse_methodology(dict(reversed(list(raw.items())))).content_hash == m.content_hash
    raw["indicators"][0]["weight"] = 34.0
    raw["indicators"][1]["weight"] = 16.0
    assert parse_methodology(raw).content_hash != m.content_hash
