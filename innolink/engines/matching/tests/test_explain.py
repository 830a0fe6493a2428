"""Explanation dicts: positions point at the right substrings, shares add up, JSON-ready."""

import doctest
import json

from innolink.engines.matching import explain as ex
from innolink.engines.matching.explain import explain_pair, find_positions, highlight_fields, locate
from innolink.engines.matching.indicators import IndicatorTarget, coverage
from innolink.engines.matching.structured import structured_fit


def test_doctests():
    assert doctest.testmod(ex).failed == 0


def test_find_positions_are_offsets_into_the_original_text():
    text = "ＳｉＣ器件；SiC衬底；sic外延"
    spans = find_positions(text, "sic")
    assert spans == [(0, 3), (6, 9), (12, 15)]
    assert all(text[s:e].lower().translate({0xFF53: 0x73}) for s, e in spans)


def test_highlights_do_not_overlap_and_prefer_long_terms():
    (h,) = highlight_fields([("achievements", "光刻胶与光刻胶树脂，光刻")], ["光刻", "光刻胶", "光刻胶树脂"])
    spans = h["spans"]
    assert [t for _, _, t in spans] == ["光刻胶", "光刻胶树脂", "光刻"]
    for (s1, e1, _), (s2, e2, _) in zip(spans, spans[1:]):
        assert e1 <= s2
    for s, e, t in spans:
        assert h["text"][s:e] == t


def test_locate_maps_joined_offsets_to_fields():
    offsets = [("fields", 0, 4), ("keywords", 5, 10), ("achievements", 11, 40)]
    assert locate((6, 8), offsets) == {"field": "keywords", "start": 1, "end": 3}
    assert locate((3, 6), offsets) is None  # straddles two fields


def test_explain_pair_full_shape():
    text = "介电常数2.5的低k薄膜"
    fields = [("fields", "微电子"), ("achievements", text)]
    joined = "微电子。" + text
    offsets = [("fields", 0, 3), ("achievements", 4, 4 + len(text))]
    cov = coverage([IndicatorTarget("介电常数", "<=", 2.7)], joined)
    need = type("N", (), {"domain": "新一代信息技术"})()
    prov = type("P", (), {"domain": "新一代信息技术", "available": False})()
    d = explain_pair(
        query_id="c", candidate_id="r", direction="challenge_to_researchers", rank=2,
        fused_score=1.5, fusion="weighted",
        signals={"lexical": {"raw": 0.4, "rank": 1, "weight": 1.0, "contribution": 1.0},
                 "indicator": {"raw": 1.0, "rank": 1, "weight": 0.5, "contribution": 0.5}},
        matched_terms=[("介电常数", 4.0), ("薄膜", 1.0)], candidate_fields=fields,
        coverage=cov, evidence_offsets=offsets, structured=structured_fit(need, prov))
    json.dumps(d, ensure_ascii=False)  # plain data only
    assert d["rank"] == 2 and d["score"] == 1.5
    assert sum(s["share"] for s in d["signals"].values()) == 1.0
    pos = d["matched_terms"][0]["positions"][0]
    assert dict(fields)[pos["field"]][pos["start"]:pos["end"]] == "介电常数"
    item = d["indicators"]["indicators"][0]
    assert item["status"] == "meets"
    at = item["value_at"]
    assert at["field"] == "achievements" and text[at["start"]:at["end"]] == "2.5"
    assert "不可承接" in d["summary"] and "达到 1 项技术指标" in d["summary"]
    assert {r["code"] for r in d["reasons"]} >= {"lead", "terms", "indicators", "unavailable"}
    assert d["structured"]["parts"]["availability"]["score"] == 0.0


def _signals(**contrib):
    return {n: {"raw": 0.0, "rank": 1, "weight": 1.0, "contribution": c}
            for n, c in contrib.items()}


def test_only_what_contributed_is_offered_as_a_reason():
    """A tiny structured lift, keyword hits of a signal that did not lift the candidate and an
    indicator coverage of 0/3 are not reasons (issue #10, ADR 0363)."""
    cov = coverage([IndicatorTarget("介电常数", "<=", 2.7), IndicatorTarget("损耗", "<=", 0.002),
                    IndicatorTarget("耐温", ">=", 300, "℃")], "研究陶瓷材料。")
    need = type("N", (), {"domain": "新一代信息技术"})()
    prov = type("P", (), {"domain": "新一代信息技术", "available": True})()
    d = explain_pair(
        query_id="c", candidate_id="r", direction="challenge_to_researchers", rank=1,
        fused_score=2.0, fusion="calibrated",
        signals=_signals(lexical=-0.2, dense=2.0, indicator=0.0, structured=0.02),
        matched_terms=[("需求", 0.5)], candidate_fields=[("achievements", "研究陶瓷材料")],
        coverage=cov, structured=structured_fit(need, prov))
    assert d["matched_terms"] == [] and d["highlights"][0]["spans"] == []
    assert d["signals"]["lexical"]["share"] == 0.0 and not d["signals"]["lexical"]["shown"]
    assert d["signals"]["structured"]["shown"] is False  # 1% of the lift
    assert d["signals"]["dense"]["share"] > 0.9
    assert d["indicators"]["contributed"] is False
    assert "指标" not in d["summary"] and "关键词" not in d["summary"]
    assert [r["code"] for r in d["reasons"]] == ["lead"]
    assert d["structured"]["shown"] == []


def test_small_keyword_hits_are_not_listed():
    d = explain_pair(
        query_id="c", candidate_id="r", direction="challenge_to_researchers", rank=1,
        fused_score=1.0, fusion="calibrated", signals=_signals(lexical=1.0),
        matched_terms=[("光刻胶", 5.0), ("树脂", 1.0), ("材料", 0.2)],
        candidate_fields=[("keywords", "光刻胶，树脂，材料")])
    assert [t["term"] for t in d["matched_terms"]] == ["光刻胶", "树脂"]
    assert sum(s["share"] for s in d["signals"].values()) == 1.0


def test_similar_listings_are_counted():
    d = explain_pair(query_id="r", candidate_id="c1", direction="researcher_to_challenges",
                     rank=1, fused_score=1.0, fusion="calibrated", signals=_signals(lexical=1.0),
                     similar=["c7", "c9"])
    assert d["similar"] == ["c7", "c9"] and "另有 2 条相似榜单" in d["summary"]


def test_single_characters_priors_and_availability_are_not_reasons():
    """A lone character left by segmentation is not a keyword to show; being available and an
    institution-type prior are the default, not reasons; a met requirement and the same
    domain are (ADR 0363)."""
    need = type("N", (), {"domain": "新材料与石油化工", "institution_types": ()})()
    prov = type("P", (), {"domain": "新材料与石油化工", "available": True,
                          "institution_type": "企业博士后工作站", "discipline": None})()
    d = explain_pair(
        query_id="c", candidate_id="r", direction="challenge_to_researchers", rank=1,
        fused_score=1.0, fusion="calibrated", signals=_signals(lexical=1.0, structured=1.0),
        matched_terms=[("防水透湿", 3.0), ("装", 2.0)],
        candidate_fields=[("keywords", "防水透湿，运动服装")],
        structured=structured_fit(need, prov))
    assert [t["term"] for t in d["matched_terms"]] == ["防水透湿"]
    assert d["structured"]["shown"] == ["domain"]
    assert d["structured"]["parts"]["institution"]["score"] == 0.8  # a prior: not shown
    assert [r["code"] for r in d["reasons"]] == ["lead", "terms", "factors"]


def test_a_compound_is_listed_without_its_parts():
    d = explain_pair(
        query_id="c", candidate_id="r", direction="challenge_to_researchers", rank=1,
        fused_score=1.0, fusion="calibrated", signals=_signals(lexical=1.0),
        matched_terms=[("超临界二氧化碳", 4.0), ("超临界", 2.0), ("二氧化碳", 2.0), ("鞋材", 1.0)],
        candidate_fields=[("keywords", "超临界二氧化碳，鞋材")])
    assert [t["term"] for t in d["matched_terms"]] == ["超临界二氧化碳", "鞋材"]
