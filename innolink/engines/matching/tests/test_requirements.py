"""A listing's stated requirements (solver region, disciplines, institution types, TRL range)
reach the structured fit and the fused ranking, and are credited in the explanation; a
requirement every candidate meets alike lifts nobody (issue #10, ADR 0170).

The references are slow and plain: the weighted mean written out factor by factor, and a
ranking by the number of requirements met when everything else is equal."""

from itertools import product

import pytest

from innolink.engines.matching.engine import ChallengeDoc, MatchingEngine, ResearcherDoc
from innolink.engines.matching.structured import (DEFAULT_WEIGHTS, REQUIREMENT_WEIGHTS,
                                                  availability_fit, discipline_fit, domain_fit,
                                                  institution_fit, region_fit, structured_fit,
                                                  track_record_fit, trl_fit)

MAT = "新材料与石油化工"
TEXT = dict(fields=("高分子材料",), keywords=("石墨烯", "导热膜"),
            achievements="石墨烯导热膜，面内导热系数 1500 W/(m·K)。")
CHALLENGE = ChallengeDoc(
    "c1", "石墨烯导热膜", "需要石墨烯导热膜，导热系数高。", domain=MAT,
    region="福建", disciplines=("材料科学",), institution_types=("高校",), trl_min=4, trl_max=6)


def _reference_score(need, prov) -> float:
    """The structured fit written out: default weights, a stated requirement weighing the
    larger of its default and requirement weight."""
    stated = set()
    if need.disciplines:
        stated.add("discipline")
    if need.trl_min is not None or need.trl_max is not None:
        stated.add("trl")
    if need.institution_types:
        stated.add("institution")
    if need.region:
        stated.add("region")
    weights = {k: (max(w, REQUIREMENT_WEIGHTS[k]) if k in stated else w)
               for k, w in DEFAULT_WEIGHTS.items()}
    disciplines = [d for d in prov.disciplines if d in need.disciplines]
    discipline = disciplines[0] if disciplines else prov.discipline
    parts = {
        "domain": domain_fit(need.domain, (prov.domain, *prov.domains)).score,
        "discipline": discipline_fit(need.disciplines, discipline, need.domain,
                                     prov.discipline_domains or None).score,
        "trl": trl_fit(need.trl_min, prov.trl, need.trl_max).score,
        "availability": availability_fit(prov.available).score,
        "institution": institution_fit(need.institution_types, prov.institution_type).score,
        "track_record": track_record_fit(prov.accepted_proposals,
                                         prov.delivered_contracts).score,
        "region": region_fit(need.region, prov.region).score,
    }
    return sum(weights[k] * parts[k] for k in parts) / sum(weights.values())


def _researcher(i, inst, region, discipline, trl):
    return ResearcherDoc(f"r{i}", f"团队{i}", **TEXT, discipline=discipline,
                         disciplines=(discipline,) if discipline else (), domain=MAT,
                         institution_type=inst, region=region, trl=trl)


#: every combination of meeting / missing the four requirements, text identical
GRID = [_researcher(i, inst, region, disc, trl) for i, (inst, region, disc, trl) in enumerate(
    product(("高校", "企业"), ("福建福州", "上海"), ("材料科学", "力学"), (5, 8)))]


def _met(r) -> int:
    return sum([r.institution_type == "高校", r.region.startswith("福建"),
                r.discipline == "材料科学", 4 <= r.trl <= 6])


@pytest.mark.parametrize("prov", GRID, ids=lambda r: r.id)
def test_structured_fit_matches_reference(prov):
    fit = structured_fit(CHALLENGE, prov)
    assert fit.score == pytest.approx(_reference_score(CHALLENGE, prov))
    assert set(fit.stated) == {"discipline", "trl", "institution", "region"}


def test_no_requirements_keeps_the_default_weights():
    plain = ChallengeDoc("c0", "石墨烯导热膜", "需要石墨烯导热膜。", domain=MAT)
    for prov in GRID:
        fit = structured_fit(plain, prov)
        assert fit.stated == () and dict(fit.weights) == DEFAULT_WEIGHTS
        assert fit.score == pytest.approx(_reference_score(plain, prov))


def test_requirements_rank_fitting_teams_first():
    """Same text for all: the fused ranking follows the reference fit, a team meeting a
    superset of another's requirements ranks above it, all four met comes first."""
    eng = MatchingEngine(ngram_factory=None)
    eng.set_researchers(GRID)
    ranked = eng.match_challenge(CHALLENGE, k=len(GRID))
    by_id = {r.id: r for r in GRID}
    reference = [_reference_score(CHALLENGE, by_id[m.id]) for m in ranked]
    assert reference == sorted(reference, reverse=True)
    met = [_met(by_id[m.id]) for m in ranked]
    assert met[0] == 4 and met[-1] == 0
    position = {m.id: i for i, m in enumerate(ranked)}

    def met_set(r):
        return {k for k, ok in [("i", r.institution_type == "高校"),
                                ("r", r.region.startswith("福建")),
                                ("d", r.discipline == "材料科学"), ("t", 4 <= r.trl <= 6)] if ok}

    for a, b in product(GRID, GRID):
        if met_set(a) > met_set(b):
            assert position[a.id] < position[b.id], (a, b)
    # every team meeting all four outranks every team meeting fewer, and the reason says so
    top = ranked[0].explanation
    met_reason = next(r for r in top["reasons"] if r["code"] == "requirements")
    assert {q["factor"] for q in met_reason["requirements"]} == {
        "discipline", "trl", "institution", "region"}
    assert "符合榜单要求" in top["summary"] and "TRL5" in top["summary"]


def test_a_requirement_all_candidates_meet_lifts_nobody():
    """Everybody is a 高校 in 福建: the stated type and region separate nobody, so the
    structured contribution is the same for all and the text decides."""
    better = ResearcherDoc("a", "甲", fields=("高分子材料",), keywords=("石墨烯", "导热膜"),
                           achievements="石墨烯导热膜，导热系数 1500。", domain=MAT,
                           institution_type="高校", region="福建厦门")
    weaker = ResearcherDoc("b", "乙", fields=("高分子材料",), keywords=("陶瓷",),
                           achievements="陶瓷导热基板。", domain=MAT,
                           institution_type="高校", region="福建福州")
    need = ChallengeDoc("c2", "石墨烯导热膜", "需要石墨烯导热膜。", domain=MAT,
                        region="福建", institution_types=("高校",))
    eng = MatchingEngine(ngram_factory=None)
    eng.set_researchers([better, weaker])
    ranked = eng.match_challenge(need, k=2)
    assert [m.id for m in ranked] == ["a", "b"]
    contrib = [m.explanation["signals"]["structured"]["contribution"] for m in ranked]
    assert contrib[0] == pytest.approx(contrib[1])


def test_a_tiny_prior_does_not_beat_the_text():
    """No requirement stated: the institution-type prior (0.65 vs 0.8) is a small spread; a
    candidate whose text fits better stays first (the min–max trap of issue #10)."""
    text_fit = ResearcherDoc("a", "甲", fields=("高分子材料",), keywords=("石墨烯", "导热膜"),
                             achievements="石墨烯导热膜研究。", domain=MAT, institution_type="高校")
    prior_fit = ResearcherDoc("b", "乙", fields=("高分子材料",), keywords=("导热膜",),
                              achievements="导热材料研究。", domain=MAT,
                              institution_type="博士后科研工作站")
    need = ChallengeDoc("c3", "石墨烯导热膜", "需要石墨烯导热膜。", domain=MAT)
    eng = MatchingEngine(ngram_factory=None)
    eng.set_researchers([text_fit, prior_fit])
    ranked = eng.match_challenge(need, k=2)
    assert [m.id for m in ranked] == ["a", "b"]
    # the prior's 0.15 spread is divided by the floor, not stretched to a full spread
    s = {m.id: m.explanation["signals"]["structured"]["contribution"] for m in ranked}
    assert abs(s["b"] - s["a"]) < 1.0


@pytest.mark.parametrize("lo, hi, trl, score", [
    (4, 6, 4, 1.0), (4, 6, 6, 1.0), (4, 6, 3, 0.75), (4, 6, 7, 0.9), (4, 6, 9, 0.7),
    (None, 6, 2, 1.0), (None, 6, 9, 0.7), (4, None, 9, 1.0), (4, 6, 1, 0.25)])
def test_trl_range(lo, hi, trl, score):
    assert trl_fit(lo, trl, hi).score == pytest.approx(score)


def test_reverse_direction_prefers_listings_the_researcher_fits():
    """A 企业 researcher in 上海 ranks a listing that asks for none of that above one that
    asks for a 高校 in 福建 (same text)."""
    r = _researcher(99, "企业", "上海", "力学", 8)
    open_ = ChallengeDoc("o", "石墨烯导热膜", "需要石墨烯导热膜，导热系数高。", domain=MAT)
    eng = MatchingEngine(ngram_factory=None)
    eng.set_challenges([CHALLENGE, open_])
    assert [m.id for m in eng.match_researcher(r, k=2)] == ["o", "c1"]
