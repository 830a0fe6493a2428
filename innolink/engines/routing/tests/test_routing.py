"""The suggestion model against a plainly written naive Bayes; the baseline, duplicates, trends."""

import random

import numpy as np
import pytest

from innolink.engines.routing import (
    KeywordRouter, Router, cosine, features, reference_log_joint, rising_terms, similar,
)

WORDS = {
    "自然资源局": ["产权证", "土地", "不动产", "登记", "用地", "红线", "规划"],
    "人社局": ["招工", "社保", "工资", "用工", "培训", "技工", "缴费"],
    "金融办": ["贷款", "融资", "担保", "利率", "银行", "抵押", "授信"],
    "生态环境局": ["排污", "环评", "污水", "废气", "许可", "监测"],
}
COMMON = ["企业", "希望", "协调", "尽快", "问题", "反映"]


def corpus(n: int, seed: int):
    rng = random.Random(seed)
    docs, labels = [], []
    labels_all = sorted(WORDS)
    for _ in range(n):
        label = rng.choice(labels_all)
        doc = rng.choices(WORDS[label], k=rng.randint(2, 5)) + rng.choices(COMMON, k=3)
        if rng.random() < 0.2:  # some noise from another department's words
            doc += rng.choices(WORDS[rng.choice(labels_all)], k=1)
        docs.append(doc)
        labels.append(label)
    return docs, labels


def test_scores_equal_the_reference():
    docs, labels = corpus(200, 1)
    router = Router.fit(docs, labels, alpha=0.3)
    rng = random.Random(2)
    vocabulary = sorted({t for d in docs for t in d}) + ["从未出现"]
    for _ in range(50):
        query = rng.choices(vocabulary, k=rng.randint(0, 8))
        want = reference_log_joint(docs, labels, query, alpha=0.3)
        got = dict(zip(router.labels, router.log_joint(query)))
        assert got.keys() == want.keys()
        for label in want:
            assert got[label] == pytest.approx(want[label], rel=1e-5, abs=1e-4), (query, label)


def test_top_k_agrees_with_suggest():
    docs, labels = corpus(300, 3)
    router = Router.fit(docs, labels)
    queries, _ = corpus(40, 4)
    batch = router.top_k(queries, k=3)
    for query, row in zip(queries, batch):
        assert [s.label for s in router.suggest(query, k=3)] == row


def test_learns_held_out_documents():
    docs, labels = corpus(400, 5)
    router = Router.fit(docs, labels)
    test_docs, test_labels = corpus(200, 6)
    top1 = [row[0] for row in router.top_k(test_docs, k=1)]
    accuracy = np.mean([a == b for a, b in zip(top1, test_labels)])
    assert accuracy > 0.9


def test_votes_are_the_terms_of_the_suggested_department():
    docs, labels = corpus(300, 7)
    router = Router.fit(docs, labels)
    best = router.suggest(["企业", "反映", "厂房", "产权证", "登记", "尽快"], k=3)[0]
    assert best.label == "自然资源局"
    voted = [v.term for v in best.votes]
    assert set(voted) <= {"产权证", "登记"} and "产权证" in voted
    assert all(v.weight > 0 for v in best.votes)
    assert sum(s.probability for s in router.suggest(["产权证"], k=4)) == pytest.approx(1.0)


def test_unknown_text_falls_back_to_the_prior_without_votes():
    router = Router.fit([["贷款"], ["贷款"], ["招工"]], ["金融办", "金融办", "人社局"])
    best = router.suggest(["外星语"], k=1)[0]
    assert best.label == "金融办" and best.votes == ()


def test_min_df_drops_rare_terms_and_round_trips_through_bytes():
    docs, labels = corpus(200, 8)
    docs[0] = docs[0] + ["只出现一次的词"]
    router = Router.fit(docs, labels, min_df=2)
    assert "只出现一次的词" not in router.vocab
    again = Router.from_bytes(router.to_bytes())
    assert again.labels == router.labels and again.terms == router.terms
    assert again.trained_on == 200
    np.testing.assert_allclose(again.log_joint(docs[1]), router.log_joint(docs[1]))


def test_fit_refuses_bad_input():
    with pytest.raises(ValueError):
        Router.fit([], [])
    with pytest.raises(ValueError):
        Router.fit([["a"]], ["x", "y"])
    with pytest.raises(ValueError):
        Router.fit([["a"]], ["x"], alpha=0)


def test_category_feature():
    assert features(["贷款"], category="融资", category_weight=1) == ["贷款", "类别:融资"]
    assert features(["贷款"]) == ["贷款"]


def test_keyword_router_order_and_padding():
    router = KeywordRouter([("产权证", "自然资源局"), ("污水", "生态环境局"), ("贷款", "金融办")],
                           default="企业服务中心")
    assert router.suggest("贷款和产权证") == ["自然资源局", "金融办", "企业服务中心"]
    assert router.suggest("没有关键词") == ["企业服务中心"]
    assert router.suggest("产权证 污水 贷款", k=3) == ["自然资源局", "生态环境局", "金融办"]


def test_similarity():
    assert cosine(["a", "b"], ["a", "b"]) == pytest.approx(1.0)
    assert cosine(["a"], ["b"]) == 0.0
    found = similar(["污水", "管网", "接驳", "厂区"],
                    [["招工"], ["污水", "管网", "接驳"], ["污水", "厂区", "道路", "硬化"]],
                    threshold=0.4)
    assert [f.index for f in found] == [1, 2]
    assert found[0].shared == ("污水", "管网", "接驳") or set(found[0].shared) == {"污水", "管网", "接驳"}


def test_rising_terms():
    trends = rising_terms({"限电": 9, "招工": 5, "新词": 3, "少": 2}, {"招工": 6, "限电": 2})
    assert [t.term for t in trends] == ["新词", "限电"]
    assert trends[1].change == 7
