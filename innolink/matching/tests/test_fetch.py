"""fetch: rows become engine records in a fixed number of queries."""

import pytest

from innolink.challenges.models import Proposal
from innolink.enterprises.testing import make_enterprise
from innolink.matching import fetch
from innolink.matching.tests.factories import (institution, make_challenge, make_profile,
                                               make_researcher_user)

pytestmark = pytest.mark.django_db


def test_challenge_doc_maps_domain_indicators_and_keywords():
    # given a published challenge with a range and an upper-bound indicator
    challenge = make_challenge(keywords="光刻胶，BCB、介电常数", indicators=[
        {"name": "介电常数", "comparator": "le", "value": "2.7", "unit": ""},
        {"name": "固化温度", "comparator": "range", "value": "180", "value_max": "220",
         "unit": "℃"}])
    # when
    [(row, doc)] = fetch.challenge_docs()
    # then
    assert row.pk == challenge.pk and doc.id == str(challenge.pk)
    assert doc.domain == "新材料与石油化工"
    assert doc.keywords == ("光刻胶", "BCB", "介电常数")
    assert [(t.name, t.comparator, t.value, t.upper) for t in doc.indicators] == [
        ("介电常数", "<=", 2.7, None), ("固化温度", "range", 180.0, 220.0)]


def test_only_open_challenges_are_fetched():
    make_challenge(published=False)
    published = make_challenge()
    assert [row.pk for row, _ in fetch.challenge_docs()] == [published.pk]


def test_researcher_doc_carries_institution_type_region_and_track_record():
    inst = institution("中国科学院福建物质结构研究所", "institute")
    profile = make_profile(inst=inst, research_fields="光刻胶、 低k介质", keywords="BCB,光刻",
                           availability="partial", domains=["it", "materials"])
    challenge = make_challenge()
    Proposal.objects.create(challenge=challenge, researcher=profile, approach="a", plan="p",
                            budget="1.00", state="matched")
    [(row, doc)] = fetch.researcher_docs()
    assert doc.fields == ("光刻胶", "低k介质") and doc.keywords == ("BCB", "光刻")
    assert doc.institution_type == "科研院所" and doc.region == "福建省福州市"
    assert doc.domain == "新一代信息技术" and doc.available is None
    assert (doc.accepted_proposals, doc.delivered_contracts) == (1, 0)


def test_enterprise_doc_has_industry_products_and_past_challenges():
    user, _ = make_researcher_user()
    enterprise = make_enterprise(products="运动鞋、鞋底", industry_code="C1953")
    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user

    poster = make_user(Role.ENTERPRISE, enterprise=enterprise, display_name="王工",
                       phone="13800000000")
    make_challenge(poster=poster, title="鞋底耐磨提升")
    docs = dict((e.pk, d) for e, d in fetch.enterprise_docs())
    doc = docs[enterprise.pk]
    assert doc.industry.startswith("C1953") and doc.products == ("运动鞋", "鞋底")
    assert [c.title for c in doc.past_challenges] == ["鞋底耐磨提升"]
    assert doc.domain == "新材料与石油化工" and doc.region.startswith("福建省泉州市晋江市")


def test_query_counts_do_not_grow_with_rows(django_assert_num_queries):
    for n in range(6):
        make_profile(keywords=f"关键词{n}")
        make_challenge(title=f"低介电常数光刻胶树脂开发第{n}期")
    with django_assert_num_queries(1):
        assert len(fetch.researcher_docs()) == 6
    with django_assert_num_queries(2):  # challenges + their indicators
        assert len(fetch.challenge_docs()) == 6
    with django_assert_num_queries(3):  # enterprises + challenges + indicators
        docs = fetch.enterprise_docs()
    assert sum(len(d.past_challenges) for _, d in docs) == 6


def test_challenge_doc_carries_region_disciplines_solver_types_trl_and_secondary_domains():
    # a real listing: an outside issuer, two domains, a qualitative and an unreadable target
    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user

    staff = make_user(Role.ORGANIZER)
    challenge = make_challenge(
        poster=staff, staff=staff, published=False, issuer_name="某省轻工研究所", issuer_kind="institute",
        issuer_region="山东省烟台市", domain="materials", secondary_domains=["energy"],
        solver_region="福建省", trl_min=4, disciplines=["43050", "纺织科学技术"],
        solver_types=["institute", "workstation"], indicators=[
            {"name": "耐磨性能", "target": "优于进口同类产品"},
            {"name": "工作台面积", "target": "≥4500×2500mm"},
            {"name": "弯折寿命", "target": "≥20万次"}])
    from innolink.challenges import services as board

    board.challenge_waive_check(actor=staff, challenge=challenge, code="indicators_unreadable",
                                reason="尺寸指标按原文保留")
    board.challenge_submit(actor=staff, challenge=challenge)
    board.challenge_publish(actor=staff, challenge=challenge)
    [(row, doc)] = fetch.challenge_docs()
    assert row.pk == challenge.pk
    assert doc.domain == "新材料与石油化工" and doc.secondary_domains == ("新能源与节能环保",)
    assert doc.region == "福建省" and doc.trl_min == 4
    assert doc.discipline_codes == ("43050", "540")
    assert doc.disciplines == ("材料科学", "纺织科学技术")
    assert doc.institution_types == ("科研院所", "博士后科研工作站")
    assert (doc.issuer_region, doc.issuer_kind) == ("山东省烟台市", "科研院所")
    qual, flagged, numeric = doc.indicators
    assert (qual.comparator, qual.text, qual.readable) == ("text", "优于进口同类产品", True)
    assert (flagged.comparator, flagged.readable) == ("text", False)
    assert (numeric.comparator, numeric.value, numeric.unit) == (">=", 200000.0, "次")


def test_researcher_doc_maps_the_discipline_and_leaves_an_unmapped_one_neutral():
    from innolink.engines.matching.structured import discipline_fit

    mapped = make_profile(discipline="高分子材料", discipline_codes=["43050"], trl=5,
                          region="福建省厦门市", domains=["materials", "energy"])
    unmapped = make_profile(discipline="诗学", discipline_codes=[])
    docs = {d.id: d for _, d in fetch.researcher_docs()}
    doc = docs[str(mapped.pk)]
    assert doc.discipline == "材料科学" and doc.discipline_codes == ("43050",)
    assert "新材料与石油化工" in doc.discipline_domains
    assert doc.domains == ("新材料与石油化工", "新能源与节能环保") and doc.trl == 5
    assert doc.region == "福建省厦门市"
    other = docs[str(unmapped.pk)]
    assert other.discipline is None and other.discipline_codes == ()
    # neutral in the fit: never below a researcher who wrote no discipline at all
    empty = discipline_fit((), None, "新材料与石油化工")
    assert discipline_fit((), other.discipline, "新材料与石油化工").score == empty.score == 0.5
    assert discipline_fit((), doc.discipline, "新材料与石油化工",
                          doc.discipline_domains).score > empty.score


def test_secondary_domains_count_in_the_structured_fit():
    from types import SimpleNamespace as NS

    from innolink.engines.matching.structured import structured_fit

    need = NS(domain="新材料与石油化工", secondary_domains=("新能源与节能环保",))
    energy = NS(domain="新能源与节能环保", domains=("新能源与节能环保",))
    food = NS(domain="现代农业与食品", domains=("现代农业与食品",))
    assert structured_fit(need, energy).parts["domain"].score == 0.8
    assert structured_fit(need, food).parts["domain"].score == 0.1
