"""Tokenizer: punctuation, case, stop words, protected terms, batch == single."""

from __future__ import annotations

import rjieba

from innolink.engines.matching import Tokenizer, default_stopwords, normalize_text


def test_punctuation_case_and_stopwords_removed():
    tok = Tokenizer()
    out = tok.tokenize("我们的团队，在“AI芯片”和ＧＰＵ方面（2024年）开展了研究！！")
    assert "，" not in out and "“" not in out and "！" not in out
    assert "的" not in out and "我们" not in out and "和" not in out
    assert "ai" in out and "gpu" in out and "芯片" in out
    assert all(t == t.lower() and t.strip() == t and t for t in out)


def test_same_segmentation_as_rjieba_without_terms():
    text = "新能源汽车动力电池热管理系统的设计与仿真"
    ours = Tokenizer(stopwords=(), dictionary=False).tokenize(text)
    assert ours == [t for t in rjieba.Jieba().cut(text) if t.strip()]


def test_protected_terms_stay_whole():
    text = "面向锂离子电池正极材料的表征，以及碳化硅功率器件与5G NR基站"
    plain = Tokenizer(dictionary=False).tokenize(text)
    assert "锂离子电池正极" not in plain
    tok = Tokenizer(terms=["锂离子电池正极", "碳化硅功率器件", "5G NR", "离子电池"],
                    dictionary=False)
    out = tok.tokenize(text)
    assert "锂离子电池正极" in out  # the longer term wins over the shorter one it contains
    assert "碳化硅功率器件" in out
    assert "5g nr" in out


def test_terms_do_not_change_other_text():
    text = "本项目研究工业互联网平台的数据采集与边缘计算"
    assert Tokenizer(terms=["石墨烯涂层"]).tokenize(text) == Tokenizer().tokenize(text)


def test_custom_stopwords_and_none():
    assert Tokenizer(stopwords=["芯片"]).tokenize("芯片的设计") == ["的", "设计"]
    assert "的" in default_stopwords()


def test_symbols_and_numbers():
    tok = Tokenizer()
    out = tok.tokenize("C++ 与 C# 编程 - 精度 3.5% ... ——")
    assert "c++" in out and "c#" in out
    assert "-" not in out and "..." not in out and "." not in out
    assert normalize_text("Ａ，Ｂ") == "a b"


def test_tokenize_many_equals_single_and_workers():
    tok = Tokenizer(terms=["数控机床"])
    texts = [f"第{i}号数控机床的智能运维，AI 与 5G。" for i in range(50)] + ["含\x00分隔符"]
    single = [tok.tokenize(t) for t in texts]
    assert tok.tokenize_many(texts) == single
    assert tok.tokenize_many(texts, n_jobs=2, chunk_size=5) == single
    enc = tok.encode_many(texts, n_jobs=2, chunk_size=5)
    decoded = [
        [enc.vocab[i] for i in enc.ids[enc.offsets[j] : enc.offsets[j + 1]]]
        for j in range(len(texts))
    ]
    assert decoded == single


def test_packaged_dictionary_keeps_compound_terms_whole():
    """Every one of the 2,000+ packaged terms comes out of the tokenizer as one token (terms
    with a '/' are written with a space, as normalize_text does), followed only by its parts
    when it is made of other words (ADR 0361), and the issue's examples stay whole inside
    running text."""
    from innolink.engines.matching.vocab import packaged_terms

    terms = packaged_terms()
    assert len(terms) >= 2000
    tok = Tokenizer()
    for term in terms:
        expected = " ".join(normalize_text(term).split())
        assert tok.tokenize(term, parts=False) == [expected], term
        out = tok.tokenize(term)
        assert out[0] == expected and all(p in expected for p in out[1:]), term
    text = "采用石墨烯、光刻胶、BCB、超临界二氧化碳发泡和碳化硅衬底，研制龙伯透镜天线罩"
    out = tok.tokenize(text)
    for term in ["石墨烯", "光刻胶", "bcb", "超临界二氧化碳发泡", "碳化硅衬底", "龙伯透镜"]:
        assert term in out
    assert "石墨" not in out and "烯" not in out
    bare = Tokenizer(dictionary=False).tokenize(text)
    assert "石墨" in bare and "烯" in bare  # what the dictionary prevents


def test_listing_boilerplate_is_dropped_but_not_technical_words():
    from innolink.engines.matching.vocab import listing_stopwords

    sw = listing_stopwords()
    for w in ["需求", "企业", "泉州市", "第二届", "大赛", "揭榜", "榜单", "晋江"]:
        assert w in sw
    tok = Tokenizer()
    out = tok.tokenize("泉州市第二届揭榜大赛企业需求：高导热石墨烯膜，导热系数不低于1500 W/(m·K)")
    assert out[:1] == ["高导热"] or "石墨烯" in "".join(out)
    assert not set(out) & {"泉州市", "第二届", "揭榜", "大赛", "企业", "需求"}
    assert "导热系数" in out
    assert Tokenizer(listing=False).tokenize("企业需求") != []


def _reference_parts(term, vocab, words):
    """Slow reference of compound_parts: every split into 2+ pieces, fewest pieces wins (ties:
    the first in lexicographic order of cut positions, as the DP keeps the first found)."""
    from itertools import combinations

    n = len(term)
    for k in range(2, n // 2 + 1):
        for cuts in combinations(range(2, n - 1), k - 1):
            bounds = (0, *cuts, n)
            pieces = [term[a:b] for a, b in zip(bounds, bounds[1:])]
            if all(len(p) >= 2 and (p in vocab or (not p.isascii() and words(p))) for p in pieces):
                return tuple(pieces)
    return None


def test_compound_parts_equal_a_slow_reference():
    from innolink.engines.matching.tokenize import compound_parts

    vocab = ["石墨烯", "导热膜", "石墨烯导热膜", "超临界", "二氧化碳", "超临界二氧化碳",
             "超临界二氧化碳发泡", "碳化硅",
             "mosfet", "碳化硅mosfet", "ecmo", "龙伯透镜", "天线罩", "太赫兹", "拉伸强度", "低辐射镀膜玻璃"]
    words = {"发泡", "拉伸", "强度", "低辐射", "镀膜", "玻璃", "镀膜玻璃", "赫兹", "透镜", "ec", "mo"}
    got = compound_parts(vocab, words=lambda w: w in words)
    want = {}
    for t in vocab:
        ref = _reference_parts(t, set(vocab), lambda w: w in words)
        if ref:
            want[t] = ref
    assert set(got) == set(want)
    for term, ref in want.items():  # the reference's split first, then the parts' own parts
        assert got[term][:len(ref)] == ref or "".join(got[term][:2]) == term, term
    assert got["超临界二氧化碳发泡"] == ("超临界二氧化碳", "发泡", "超临界", "二氧化碳")
    assert "太赫兹" not in got and "ecmo" not in got and "石墨烯" not in got


def test_spawned_workers_tokenize_like_the_parent(monkeypatch):
    """Where fork is unavailable the workers rebuild the tokenizer from its configuration."""
    import innolink.engines.matching.tokenize as T

    tok = Tokenizer(terms=["无盐染色"])
    texts = ["石墨烯导热膜研究", "超临界二氧化碳发泡鞋材", "无盐染色工艺"] * 3000
    monkeypatch.setattr(T.mp, "get_all_start_methods", lambda: ["spawn"])
    assert tok.tokenize_many(texts, n_jobs=2, chunk_size=1000) == [tok.tokenize(t) for t in texts]
