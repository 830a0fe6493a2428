"""fetch: rows become engine records in a fixed number of queries."""

import pytest

from innolink.challenges.models import Proposal
from innolink.core.testing import make_enterprise
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
    from innolink.core.testing import make_user

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
