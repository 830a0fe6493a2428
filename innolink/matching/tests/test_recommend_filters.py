"""What recommendations leave out (ADR 0362) and how they explain themselves (ADR 0363):
claimed challenges, closed ones and near-duplicate listings; reasons in plain words, in the
request's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from innolink.accounts.roles import Role
from innolink.challenges import services as board
from innolink.challenges.tests.factories import proposal_data
from innolink.enterprises.testing import make_user
from innolink.matching import selectors
from innolink.matching.tests.factories import (make_challenge, make_profile,
                                               make_researcher_user)

pytestmark = pytest.mark.django_db


def _ids(recs):
    return [r.obj.pk for r in recs]


def test_a_claimed_challenge_is_left_out_until_the_claim_is_withdrawn():
    user, profile = make_researcher_user(keywords="光刻胶，BCB", achievements="介电常数 2.5")
    claimed = make_challenge(title="BCB光刻胶介电常数优化")
    other = make_challenge(title="低介电常数光刻胶树脂开发")
    assert set(_ids(selectors.recommendations_for_researcher(user, profile.pk))) == {
        claimed.pk, other.pk}
    proposal = board.proposal_create(actor=user, challenge=claimed, data=proposal_data())
    assert _ids(selectors.recommendations_for_researcher(user, profile.pk)) == [other.pk]
    board.proposal_withdraw(actor=user, proposal=proposal)
    assert claimed.pk in _ids(selectors.recommendations_for_researcher(user, profile.pk))


def test_researchers_who_already_claimed_are_not_recommended_again():
    staff = make_user(Role.ORGANIZER)
    challenge = make_challenge(staff=staff)
    user, claimant = make_researcher_user(keywords="光刻胶，BCB")
    fresh = make_profile(keywords="光刻胶，BCB")
    assert {claimant.pk, fresh.pk} <= set(_ids(
        selectors.recommendations_for_challenge(staff, challenge.pk)))
    board.proposal_create(actor=user, challenge=challenge, data=proposal_data())
    ids = _ids(selectors.recommendations_for_challenge(staff, challenge.pk))
    assert fresh.pk in ids and claimant.pk not in ids


def test_near_duplicate_listings_are_shown_once_with_and_n_similar(client):
    user, profile = make_researcher_user(keywords="超临界发泡，鞋中底", research_fields="聚合物发泡")
    title = "超临界流体发泡TPU鞋中底材料规模化制备"
    first = make_challenge(title=title, statement="运动鞋中底改用超临界发泡TPU材料，要求可回收、高回弹，并能规模化稳定生产。",
                           keywords="超临界发泡 TPU 中底")
    twin = make_challenge(title=title + "（第二届）", statement="鞋企需要以超临界流体发泡的TPU中底材料，替代难以回收的EVA中底。",
                          keywords="超临界发泡 TPU")
    distinct = make_challenge(title="发泡鞋底回弹率提升", statement="现有EVA发泡鞋底回弹率偏低、压缩变形大，企业希望提升回弹率和耐久性。",
                              keywords="发泡 鞋底")
    recs = selectors.recommendations_for_researcher(user, profile.pk)
    shown = _ids(recs)
    assert distinct.pk in shown and len({first.pk, twin.pk} & set(shown)) == 1
    top = next(r for r in recs if r.obj.pk in (first.pk, twin.pk))
    assert [o.pk for o in top.similar] == [({first.pk, twin.pk} - {top.obj.pk}).pop()]
    assert top.reasons[-1] == "另有 1 条相似榜单"
    client.force_login(user)
    page = client.get(reverse("matching:researcher-me")).content.decode()
    assert "另有 1 条相似榜单" in page


def test_the_same_need_from_several_companies_is_folded_despite_their_names_in_the_title():
    # boards append the issuer and batch in brackets; that must not make the need look new
    user, profile = make_researcher_user(keywords="耐磨橡胶，鞋底", research_fields="橡胶配方")
    base = "运动鞋大底高耐磨橡胶配方"
    statement = "跑鞋大底磨损快，需要兼顾耐磨、防滑与轻量化的橡胶配方及硫化工艺。"
    posts = [make_challenge(title=base + suffix, statement=statement, keywords="鞋底 耐磨 橡胶")
             for suffix in ("（福建益恒鞋材有限·第9批）", "（晋江利盛机械有限·第8批）",
                            "（晋江腾恒鞋材有限·第6批）")]
    recs = selectors.recommendations_for_researcher(user, profile.pk)
    shown = [r for r in recs if r.obj.pk in {p.pk for p in posts}]
    assert len(shown) == 1
    assert {o.pk for o in shown[0].similar} == {p.pk for p in posts} - {shown[0].obj.pk}
    assert shown[0].reasons[-1] == "另有 2 条相似榜单"


def test_a_closed_challenge_is_not_recommended():
    user, profile = make_researcher_user(keywords="光刻胶，BCB")
    gone = make_challenge(title="BCB光刻胶介电常数优化")
    board.challenge_withdraw(actor=gone.created_by, challenge=gone, reason="需求变更")
    assert gone.pk not in _ids(selectors.recommendations_for_researcher(user, profile.pk))


def test_reasons_are_plain_words_and_translated():
    reasons = [{"code": "lead", "signals": ["lexical", "structured"]},
               {"code": "terms", "terms": ["光刻胶"]},
               {"code": "indicators", "met": 1, "near": 0, "total": 1},
               {"code": "factors", "factors": ["domain"]},
               {"code": "similar", "count": 2}]
    zh = selectors.reason_sentences(reasons, 1)
    assert zh == ["综合排名第 1", "主要依据：关键词相符、领域与条件相符", "相符的关键词：光刻胶",
                  "达到 1 项技术指标", "条件相符：同一领域", "另有 2 条相似榜单"]
    with translation.override("en"):
        en = selectors.reason_sentences(reasons, 1)
    assert en[0] == "Ranked 1 overall" and "Keyword match" in en[1]
    assert en[-1] == "and 2 similar listings"


def test_pages_use_plain_words(client):
    staff = make_user(Role.ORGANIZER)
    challenge = make_challenge(staff=staff)
    make_profile(keywords="光刻胶，BCB", achievements="介电常数 2.5")
    client.force_login(staff)
    page = client.get(reverse("matching:challenge", args=[challenge.pk])).content.decode()
    for jargon in ("综合分", "随机种子", "BM25", "向量", "结构化匹配", "原始分"):
        assert jargon not in page
    assert "抽签号" in page
    rebuild = client.get(reverse("matching:index-rebuild")).content.decode()
    assert "向量" not in rebuild


def test_same_domain_alone_is_no_recommendation():
    staff = make_user(Role.ORGANIZER)
    challenge = make_challenge(staff=staff)  # BCB photoresist, materials
    related = make_profile(keywords="光刻胶，BCB", domains=["materials"])
    same_domain_only = make_profile(keywords="建筑陶瓷，釉料", research_fields="无机非金属材料",
                                    domains=["materials"])
    recs = selectors.recommendations_for_challenge(staff, challenge.pk)
    assert _ids(recs) == [related.pk] and same_domain_only.pk not in _ids(recs)
    assert "关键词相符" in recs[0].reasons[1] or "用词片段相近" in recs[0].reasons[1]
    # keywords as the profile writes them (BCB), not as the index folds them (bcb)
    assert "BCB" in recs[0].matched_terms and "bcb" not in recs[0].matched_terms


def _m(reasons, **contributions):
    from types import SimpleNamespace

    return SimpleNamespace(explanation={"reasons": reasons, "signals": {
        n: {"contribution": c} for n, c in contributions.items()}})


def test_evidence_needs_content_that_lifted_the_candidate():
    words = [{"code": "lead", "signals": ["ngram"]}]
    assert selectors.has_evidence(_m(words, ngram=0.6, structured=-0.2))
    # a faint echo: the n-grams lift it by an eighth of a spread (a radome team for a
    # shoe-foam listing); the domain lifts it a lot — neither is a recommendation
    assert not selectors.has_evidence(_m(words, ngram=0.126, structured=0.0))
    assert not selectors.has_evidence(_m([{"code": "lead", "signals": ["structured"]}],
                                         ngram=0.3, structured=3.0))
    # a met target is content evidence
    assert selectors.has_evidence(_m([{"code": "lead", "signals": ["indicator"]},
                                      {"code": "indicators", "met": 1, "near": 0, "total": 1}],
                                     indicator=1.2))


def test_a_near_target_alone_is_not_worded_as_zero_met():
    zh = selectors.reason_sentences([{"code": "indicators", "met": 0, "near": 1, "total": 1}], 2)
    assert zh == ["综合排名第 2", "接近 1 项技术指标"]
    with translation.override("en"):
        en = selectors.reason_sentences(
            [{"code": "indicators", "met": 0, "near": 2, "total": 2}], 2)
    assert en[1] == "Close on 2 technical targets"
