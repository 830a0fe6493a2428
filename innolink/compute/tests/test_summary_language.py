"""A scenario match's summary reads in the reader's language on compute pages (ADR 0799):
Chinese keeps the engine's stored sentence, English words the engine's reason codes."""

from django.utils import translation

from innolink.compute.fetch import _summary
from innolink.compute.models import ScenarioMatch
from innolink.engines.matching.explain import explain_pair

EXPLANATION = explain_pair(
    query_id="n1", candidate_id="s1", direction="challenge_to_researchers", rank=2,
    fused_score=0.8, fusion="calibrated",
    signals={"lexical": {"raw": 0.4, "rank": 1, "weight": 1.0, "contribution": 1.2}},
    matched_terms=[("视觉检测", 3.0)], candidate_fields=[("description", "视觉检测方案")])


def test_the_summary_of_a_stored_match_follows_the_language():
    with translation.override("en"):  # stored as written by pair_explanation, whatever the language
        stored = _summary(type("M", (), {"explanation": EXPLANATION})())
    assert stored["summary"] == EXPLANATION["summary"]
    match = ScenarioMatch(explanation=stored)
    with translation.override("zh-hans"):
        assert match.summary == EXPLANATION["summary"] == \
            "综合排名第 2，主要依据：关键词相符；相符的关键词：视觉检测"
    with translation.override("en"):
        assert match.summary == "Ranked 2 overall. Mainly: Keyword match. Matching keywords: 视觉检测"
        assert "综合排名" not in match.summary and "主要依据" not in match.summary


def test_an_older_explanation_without_reasons_shows_as_stored():
    with translation.override("en"):
        assert ScenarioMatch(explanation={"summary": "旧的概括"}).summary == "旧的概括"
        assert ScenarioMatch(explanation={}).summary == ""
        # stored before the codes were kept: reasons are worded strings
        assert ScenarioMatch(explanation={"summary": "综合排名第 1", "reasons": ["领域一致"]}).summary \
            == "综合排名第 1"
