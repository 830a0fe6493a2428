"""A pool over a lexical index written as files and mapped (ADR 0700) answers exactly as the
pool the engine builds in memory: same ids, scores, signals and explanations, before and
after updates, with records fetched on demand."""

import random

import numpy as np
import pytest

from innolink.engines.matching.engine import (ChallengeDoc, LazyDocs, MatchingEngine,
                                              ResearcherDoc)
from innolink.engines.matching.indicators import IndicatorTarget
from innolink.engines.matching.lexical import LexicalIndex

WORDS = ["光刻胶", "锂电池", "回收", "鞋中底", "发泡", "中药", "提取", "印染", "废水", "芯片",
         "封装", "陶瓷", "涂层", "纺织", "石墨烯", "传感器", "电机", "控制", "食品", "保鲜"]
DOMAINS = ["新一代信息技术", "新材料与石油化工", "生物医药与大健康", None]


def _corpus(seed=0, n=80):
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        kw = tuple(rng.sample(WORDS, 3))
        docs.append(ResearcherDoc(
            str(100 + 3 * i), f"研究员{i}", fields=(rng.choice(WORDS),), keywords=kw,
            achievements=f"{rng.choice(WORDS)}性能提升，耐磨 {rng.randint(40, 120)} mm³",
            domain=rng.choice(DOMAINS), trl=rng.randint(1, 9)))
    return docs


def _query(i=0):
    return ChallengeDoc(f"c{i}", "锂电池回收与石墨烯涂层", "需要回收锂电池并做陶瓷涂层，要求耐磨",
                        domain="新材料与石油化工",
                        indicators=(IndicatorTarget("耐磨", "<=", 80, "mm³"),))


def _dump(matches):
    return [(m.id, m.rank, round(m.score, 9), {k: round(v, 9) for k, v in m.signals.items()},
             m.explanation) for m in matches]


@pytest.fixture
def pair(tmp_path):
    docs = _corpus()
    built = MatchingEngine(ngram_factory=None, candidate_k=6)
    built.set_researchers(docs)
    pool = built.pool("researchers")
    meta = pool.lexical.save_arrays(tmp_path, "researchers.lex")
    loads = []

    def load(positions):
        loads.append(list(positions))
        return {p: docs[p] for p in positions}

    attached = MatchingEngine(ngram_factory=None, candidate_k=6)
    attached.attach_pool("researchers", object_ids=np.array([int(d.id) for d in docs]),
                         docs=LazyDocs(len(docs), load),
                         lexical=LexicalIndex.open_arrays(tmp_path, "researchers.lex", meta),
                         stop=pool.stop)
    return built, attached, docs, loads


def test_the_attached_pool_ranks_exactly_as_the_built_one(pair):
    built, attached, docs, loads = pair
    assert isinstance(attached.pool("researchers").lexical.t_imp.base, np.memmap) or \
        attached.pool("researchers").lexical.t_imp.base is not None
    for k in (1, 5, 20):
        assert _dump(attached.match_challenge(_query(), k=k)) == \
            _dump(built.match_challenge(_query(), k=k))
    # only candidates were fetched, never the whole pool
    assert loads and max(len(x) for x in loads) < len(docs)
    one = docs[7].id
    assert attached.explain("challenge_to_researchers", _query(), one) == \
        built.explain("challenge_to_researchers", _query(), one)


def test_updates_on_top_of_the_mapped_index_equal_the_built_engine_updates(pair):
    built, attached, docs, _ = pair
    changed = ResearcherDoc(docs[3].id, "改", keywords=("锂电池", "回收", "石墨烯"),
                            achievements="陶瓷涂层 耐磨 60 mm³", domain="新材料与石油化工")
    newcomer = ResearcherDoc("99999", "新", keywords=("锂电池回收", "新词汇"),
                             achievements="石墨烯涂层", domain="新材料与石油化工")
    for eng in (built, attached):
        eng.upsert("researchers", changed)
        eng.upsert("researchers", newcomer)
        eng.remove("researchers", docs[10].id)
    got = _dump(attached.match_challenge(_query(), k=20))
    assert got == _dump(built.match_challenge(_query(), k=20))
    ids = [g[0] for g in got]
    assert docs[10].id not in ids and "99999" in ids and docs[3].id in ids
    with pytest.raises(Exception):
        attached.explain("challenge_to_researchers", _query(), docs[10].id)


def test_a_record_gone_from_the_store_is_dropped_from_the_pool(tmp_path):
    docs = _corpus(n=30)
    built = MatchingEngine(ngram_factory=None, candidate_k=5)
    built.set_researchers(docs)
    meta = built.pool("researchers").lexical.save_arrays(tmp_path, "r.lex")
    gone = {2, 5, 11}
    attached = MatchingEngine(ngram_factory=None, candidate_k=5)
    attached.attach_pool(
        "researchers", object_ids=np.array([int(d.id) for d in docs]),
        docs=LazyDocs(len(docs), lambda ps: {p: docs[p] for p in ps if p not in gone}),
        lexical=LexicalIndex.open_arrays(tmp_path, "r.lex", meta),
        stop=built.pool("researchers").stop)
    for p in gone:
        built.remove("researchers", docs[p].id)
    # the built engine removed them up front; the attached one finds out when it fetches
    assert [m.id for m in attached.match_challenge(_query(), k=30)] == \
        [m.id for m in built.match_challenge(_query(), k=30)]


def test_open_arrays_equals_the_in_memory_index_on_random_data(tmp_path):
    rng = np.random.default_rng(3)
    vocab = [f"t{i}" for i in range(300)]
    docs = [[vocab[j] for j in rng.zipf(1.3, rng.integers(1, 40)) % 300]
            for _ in range(3000)]
    idx = LexicalIndex.build(docs, list(range(len(docs))), block_rows=256)
    meta = idx.save_arrays(tmp_path, "x")
    mapped = LexicalIndex.open_arrays(tmp_path, "x", meta)
    assert isinstance(mapped._row_of, type(mapped._row_of)) and len(mapped._row_of) == 3000
    queries = [[vocab[j] for j in rng.integers(0, 300, rng.integers(1, 6))] for _ in range(40)]
    for q in queries:
        a, b = idx.search(q, k=15), mapped.search(q, k=15)
        assert a.ids.tolist() == b.ids.tolist() and np.array_equal(a.scores, b.scores)
        rows = rng.integers(0, 3000, 30).tolist()
        assert np.array_equal(idx.score(q, rows), mapped.score(q, rows))
        assert idx.matched_terms(q, rows[0]) == mapped.matched_terms(q, rows[0])
    for i in (4, 17, 2999):
        idx.add_or_replace(i, ["t1", "t2", "new"])
        mapped.add_or_replace(i, ["t1", "t2", "new"])
    idx.remove(5)
    mapped.remove(5)
    for q in queries + [["new", "t1"]]:
        a, b = idx.search(q, k=15), mapped.search(q, k=15)
        assert a.ids.tolist() == b.ids.tolist() and np.array_equal(a.scores, b.scores)


def test_open_arrays_refuses_files_that_do_not_fit(tmp_path):
    idx = LexicalIndex.build([["a", "b"], ["b"]])
    meta = idx.save_arrays(tmp_path, "x")
    with pytest.raises(ValueError):
        LexicalIndex.open_arrays(tmp_path, "x", {**meta, "n_main": 3})
    np.save(tmp_path / "x.d_imp.npy", np.zeros(1, np.float32))
    with pytest.raises(ValueError):
        LexicalIndex.open_arrays(tmp_path, "x", meta)


def test_an_upsert_of_the_indexed_text_keeps_the_row_and_replaces_the_record(tmp_path):
    import dataclasses
    import hashlib

    from innolink.engines.matching.engine import _join

    docs = _corpus(n=20)
    built = MatchingEngine(ngram_factory=None)
    built.set_researchers(docs)
    meta = built.pool("researchers").lexical.save_arrays(tmp_path, "r.lex")
    hashes = np.array([hashlib.sha1(_join(d.text_fields())[0].encode()).hexdigest()
                       for d in docs], "S40")
    eng = MatchingEngine(ngram_factory=None)
    eng.attach_pool("researchers", object_ids=np.array([int(d.id) for d in docs]),
                    docs=LazyDocs(len(docs), lambda ps: {p: docs[p] for p in ps}),
                    lexical=LexicalIndex.open_arrays(tmp_path, "r.lex", meta),
                    stop=built.pool("researchers").stop, text_hashes=hashes)
    pool = eng.pool("researchers")
    moved = dataclasses.replace(docs[4], region="厦门", trl=9)  # same text, other fields
    eng.upsert("researchers", moved)
    assert pool.lexical.delta_size == 0 and pool.docs[4].region == "厦门"
    edited = dataclasses.replace(docs[4], keywords=("全新关键词",))
    eng.upsert("researchers", edited)
    assert pool.lexical.delta_size == 1
    eng.upsert("researchers", docs[4])  # back to the indexed text: the delta row stays right
    assert pool.lexical.delta_size == 1 and pool.docs[4] == docs[4]
    q = ChallengeDoc("q", "全新关键词", "全新关键词")
    assert docs[4].id not in [m.id for m in eng.match_challenge(q, k=20)
                              if m.signals["lexical"] > 0]
