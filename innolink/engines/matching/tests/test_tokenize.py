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
    ours = Tokenizer(stopwords=()).tokenize(text)
    assert ours == [t for t in rjieba.Jieba().cut(text) if t.strip()]


def test_protected_terms_stay_whole():
    text = "面向锂离子电池正极材料的表征，以及碳化硅功率器件与5G NR基站"
    plain = Tokenizer().tokenize(text)
    assert "锂离子电池正极" not in plain
    tok = Tokenizer(terms=["锂离子电池正极", "碳化硅功率器件", "5G NR", "离子电池"])
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
