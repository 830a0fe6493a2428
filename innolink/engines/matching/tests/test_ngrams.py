"""Character n-gram index: vectorised extraction equals the obvious one; BM25 over n-grams."""

from __future__ import annotations

import numpy as np

from innolink.engines.matching.lexical import LexicalIndex
from innolink.engines.matching.ngrams import CharNgramIndex, char_ngrams, encode_ngrams

TEXTS = [
    "锂离子电池正极材料的制备，ＡＩ辅助",
    "碳化硅功率器件 与 PLC 控制",
    "",
    "电池回收\x00与梯次利用",
    "5G通信模组；边缘计算",
]


def test_vectorised_extraction_equals_char_ngrams():
    for ns in [(2,), (1, 2), (2, 3)]:
        enc = encode_ngrams(TEXTS, ns, chunk_size=2)
        for i, text in enumerate(TEXTS):
            got = [enc.vocab[j] for j in enc.ids[enc.offsets[i] : enc.offsets[i + 1]]]
            assert sorted(got) == sorted(char_ngrams(text.replace("\x00", " "), ns))


def test_ngrams_do_not_cross_punctuation_or_spaces():
    assert char_ngrams("电池，回收", ns=(2,)) == ["电池", "回收"]
    assert "池回" not in char_ngrams("电池 回收", ns=(2,))


def test_index_equals_lexical_index_over_ngram_tokens():
    idx = CharNgramIndex.build(TEXTS, doc_ids=range(100, 105))
    ref = LexicalIndex.build([char_ngrams(t.replace("\x00", " ")) for t in TEXTS],
                             doc_ids=range(100, 105))
    for q in ["锂电池回收", "碳化硅器件", "plc控制", "边缘"]:
        a = idx.search(q, k=5)
        b = ref.search(char_ngrams(q), k=5)
        assert a.ids.tolist() == b.ids.tolist()
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-6)
        np.testing.assert_allclose(idx.score(q, [100, 103]), ref.score(char_ngrams(q), [100, 103]))


def test_abbreviation_found_and_updates():
    docs = ["锂离子电池正极材料", "碳化硅功率器件", "电池回收"]
    # abbreviation '锂电': only unigrams link it to '锂离子电池'
    assert CharNgramIndex.build(docs, doc_ids=[1, 2, 3]).search("锂电", k=5).ids.tolist() == []
    idx = CharNgramIndex.build(docs, doc_ids=[1, 2, 3], ns=(1, 2))
    assert idx.search("锂电", k=5).ids.tolist() == [1, 3]
    # new compound term: its bigrams still match
    assert CharNgramIndex.build(docs, doc_ids=[1, 2, 3]).search("碳化硅器件", k=5).ids.tolist() == [2]
    idx.add_or_replace(9, "锂电池回收工艺")
    assert idx.search("锂电", k=5).ids.tolist()[0] == 9
    idx.remove(9)
    assert 9 not in idx.search("锂电", k=5).ids.tolist()
    assert "回收" in [t for t, _ in idx.matched_terms("回收", 3)]
