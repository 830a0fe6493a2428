"""Challenge board pages: the public board, the detail page in one read, posting with
prefill and field messages, tenant isolation and the contact rule."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.challenges.models import Challenge, Proposal
from innolink.challenges.tests.factories import (
    make_challenge,
    make_poster,
    make_proposal,
    make_researcher,
)
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def _without_tokens(content: bytes, path: str) -> bytes:
    """The page without what differs by request: the masked CSRF token and its own path."""
    return re.sub(rb"[A-Za-z0-9]{64}", b"", content).replace(path.encode(), b"PATH")


def _form(**overrides):
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {"title": "鞋底耐磨橡胶配方优化", "domain": "materials",
            "statement": "运动鞋大底在湿滑路面防滑与耐磨之间难以兼顾，需要新的橡胶配方体系。",
            "keywords": "鞋底 耐磨 防滑", "funding": "80", "time_limit_months": "12",
            "ip_ownership": "enterprise", "claim_deadline": deadline, "max_claims": "3",
            "contact_name": "陈经理", "contact_phone": "13900000000",
            "ind-0-name": "DIN 耐磨体积损失", "ind-0-target": "≤90mm³",
            "ind-0-test_method": "GB/T 9867",
            "ind-1-name": "湿态防滑系数", "ind-1-target": "0.4～0.6"}
    data.update(overrides)
    return data


def test_board_lists_published_challenges_only_and_anonymous_may_read(client, staff):
    published = make_challenge(state="published", staff=staff, title="光刻胶介电常数攻关")
    make_challenge(state="draft", title="草稿榜单不应出现")
    make_challenge(state="submitted", title="待审核榜单不应出现")
    response = client.get(reverse("challenges:board"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [published]
    assert "草稿榜单" not in response.content.decode()


def test_board_search_tokenises_chinese_and_matches_every_word(client, staff):
    photoresist = make_challenge(state="published", staff=staff, title="BCB光刻胶树脂开发")
    make_challenge(state="published", staff=staff, title="印染废水深度处理回用",
                   statement="印染企业单位产品用水量偏高，需要将吨布水耗降到 80 t/t 以下。",
                   keywords="印染 节水", indicators=[{"name": "吨布水耗", "comparator": "le",
                                                   "value": "80", "unit": "t/t"}])
    # "光刻胶的介电常数" is cut into 光刻胶 / 介电常数; both occur in the first challenge only
    response = client.get(reverse("challenges:board"), {"q": "光刻胶的介电常数"})
    assert list(response.context["page"].object_list) == [photoresist]
    # indicator names are searchable
    water = client.get(reverse("challenges:board"), {"q": "吨布水耗"})
    assert [c.title for c in water.context["page"].object_list] == ["印染废水深度处理回用"]
    none = client.get(reverse("challenges:board"), {"q": "光刻胶 印染"})
    assert list(none.context["page"].object_list) == []


def test_search_finds_part_of_a_longer_word_and_numbers_outside_the_index(client, staff):
    challenge = make_challenge(state="published", staff=staff)  # statement: 介电常数不高于2.7
    url = reverse("challenges:board")
    assert list(client.get(url, {"q": "介电"}).context["page"]) == [challenge]
    assert list(client.get(url, {"q": "GHz 介电常数"}).context["page"]) == [challenge]
    assert list(client.get(url, {"q": "2.7"}).context["page"]) == [challenge]
    assert list(client.get(url, {"q": "3.9"}).context["page"]) == []


def test_editing_a_challenge_reindexes_it(client, staff, poster):
    from innolink.challenges import services
    from innolink.challenges.tests.factories import challenge_data

    challenge = make_challenge(poster=poster, state="returned", staff=staff)
    services.challenge_update(actor=poster, challenge=challenge, data=challenge_data(
        title="钠离子电池正极材料", statement="需要开发层状氧化物正极，提高循环寿命与倍率性能。",
        keywords="钠电池"))
    services.challenge_submit(actor=poster, challenge=challenge)
    services.challenge_publish(actor=staff, challenge=challenge)
    url = reverse("challenges:board")
    assert list(client.get(url, {"q": "钠离子 正极"}).context["page"]) == [challenge]
    assert list(client.get(url, {"q": "光刻胶"}).context["page"]) == []


def test_board_filters_by_domain_funding_months_ip_and_deadline(client, staff):
    a = make_challenge(state="published", staff=staff, domain="it", funding="500000",
                       time_limit_months=6, ip_ownership="solver", ip_enterprise_share=None)
    b = make_challenge(state="published", staff=staff, domain="materials", funding="3000000",
                       time_limit_months=30)
    url = reverse("challenges:board")
    assert list(client.get(url, {"domain": "it"}).context["page"]) == [a]
    assert list(client.get(url, {"funding_min": "100"}).context["page"]) == [b]  # 万元
    assert list(client.get(url, {"funding_max": "50"}).context["page"]) == [a]
    assert list(client.get(url, {"max_months": "12"}).context["page"]) == [a]
    assert list(client.get(url, {"ip": "joint"}).context["page"]) == [b]
    later = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    assert list(client.get(url, {"deadline_from": later}).context["page"]) == []


def test_board_query_count_is_fixed_whatever_the_page_size(client, staff,
                                                          django_assert_num_queries):
    for n in range(25):
        make_challenge(state="published", staff=staff)
    # anonymous: count + page (enterprise and institution joined), nothing per row
    with django_assert_num_queries(2):
        response = client.get(reverse("challenges:board"), {"domain": "materials"})
    assert len(response.context["page"].object_list) == 20
    # a search adds one query: which of its words are in the term index
    with django_assert_num_queries(3):
        response = client.get(reverse("challenges:board"), {"q": "光刻胶", "domain": "materials"})
    assert len(response.context["page"].object_list) == 20


def test_detail_hides_contact_from_public_and_other_researchers(client, staff, poster):
    challenge = make_challenge(poster=poster, state="published", staff=staff)
    url = reverse("challenges:detail", args=[challenge.pk])
    anonymous = client.get(url).content.decode()
    assert "0595-88001234" not in anonymous and "介电常数" in anonymous
    client.force_login(make_researcher())
    assert "0595-88001234" not in client.get(url).content.decode()
    client.force_login(poster)
    assert "0595-88001234" in client.get(url).content.decode()
    client.force_login(staff)
    assert "0595-88001234" in client.get(url).content.decode()


def test_shortlisted_researcher_sees_the_contact(client, staff, poster, researcher):
    from innolink.challenges import services

    challenge = make_challenge(poster=poster, state="published", staff=staff)
    proposal = make_proposal(challenge, researcher)
    client.force_login(researcher)
    url = reverse("challenges:detail", args=[challenge.pk])
    assert "0595-88001234" not in client.get(url).content.decode()
    services.proposal_shortlist(actor=staff, proposal=proposal)
    assert "0595-88001234" in client.get(url).content.decode()


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "rejected"])
def test_another_tenant_gets_the_same_404_as_a_missing_challenge(client, staff, state):
    challenge = make_challenge(state=state, staff=staff)
    missing = Challenge.objects.order_by("-pk").first().pk + 1000
    for user in (make_poster(), make_researcher(), None):
        client.logout()
        if user:
            client.force_login(user)
        hidden_url = reverse("challenges:detail", args=[challenge.pk])
        absent_url = reverse("challenges:detail", args=[missing])
        hidden, absent = client.get(hidden_url), client.get(absent_url)
        assert hidden.status_code == absent.status_code == 404
        assert challenge.title not in hidden.content.decode()
        assert _without_tokens(hidden.content, hidden_url) == \
            _without_tokens(absent.content, absent_url)


def test_other_enterprise_cannot_edit_or_act_on_a_published_challenge(client, staff):
    challenge = make_challenge(state="published", staff=staff)
    client.force_login(make_poster())
    assert client.get(reverse("challenges:update", args=[challenge.pk])).status_code == 404
    response = client.post(reverse("challenges:challenge-withdraw", args=[challenge.pk]))
    challenge.refresh_from_db()
    assert challenge.state == "published"
    assert response.status_code == 403  # not theirs: refused as in the API, no message page


def test_post_form_is_prefilled_with_the_users_contact(client, poster):
    client.force_login(poster)
    response = client.get(reverse("challenges:create"))
    assert response.status_code == 200
    assert response.context["data"]["contact_name"] == "王工"
    assert response.context["data"]["contact_phone"] == "13800000000"


def test_posting_in_wan_yuan_stores_yuan_and_submits(client, poster, staff):
    client.force_login(poster)
    response = client.post(reverse("challenges:create"), _form(then="submit"))
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert challenge.state == "submitted" and challenge.enterprise_id == poster.enterprise_id
    assert str(challenge.funding) == "800000.00"
    assert [(i.name, i.comparator, i.value, i.value_max, i.unit, i.raw_text)
            for i in challenge.indicators.all()] == [
        ("DIN 耐磨体积损失", "le", Decimal("90"), None, "mm³", "≤90mm³"),
        ("湿态防滑系数", "range", Decimal("0.4"), Decimal("0.6"), "", "0.4～0.6")]
    assert AuditEntry.objects.filter(model="challenges.challenge",
                                     object_id=str(challenge.pk)).count() == 2
    assert staff.notifications.filter(kind="challenge.submitted").count() == 1


def test_a_time_limit_over_36_months_needs_an_organizers_justified_exception(client, poster,
                                                                           staff):
    # the seed says 原则上不超过3年: a longer time limit is stored, shown as a screening check,
    # and publication waits for the organizer's exception with a reason (decision 0351)
    client.force_login(poster)
    response = client.post(reverse("challenges:create"), _form(time_limit_months="48",
                                                               then="submit"))
    challenge = Challenge.objects.get()
    assert response.status_code == 302 and challenge.time_limit_months == 48
    client.force_login(staff)
    page = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert 'data-check="time_limit_over"' in page and "批准时限例外" in page
    refused = client.post(reverse("challenges:challenge-publish", args=[challenge.pk]),
                          follow=True)
    assert "时限超过 36 个月" in refused.content.decode()
    challenge.refresh_from_db()
    assert challenge.state == "submitted"
    short = client.post(reverse("challenges:waive-check", args=[challenge.pk]),
                        {"code": "time_limit_over", "reason": ""}, follow=True)
    assert "豁免理由：必填" in short.content.decode()
    challenge.refresh_from_db()
    assert challenge.screening_waivers == {}
    client.post(reverse("challenges:waive-check", args=[challenge.pk]),
                {"code": "time_limit_over", "reason": "中试线建设周期长，经评审同意延至4年"})
    client.post(reverse("challenges:challenge-publish", args=[challenge.pk]))
    challenge.refresh_from_db()
    assert challenge.state == "published"
    waiver = AuditEntry.objects.filter(model="challenges.challenge", action="update",
                                       object_id=str(challenge.pk)).get()
    assert "中试线建设周期长" in waiver.note and waiver.actor == staff
    assert waiver.changes["screening.time_limit_over"][1]["value"] == 48


def test_unreadable_targets_are_kept_as_text_and_a_too_long_one_is_refused(client, poster):
    client.force_login(poster)
    response = client.post(reverse("challenges:create"), _form(**{
        "ind-1-target": "x" * 301}))
    assert response.status_code == 422
    assert "第 2 项目标：不超过 300 个字" in response.content.decode()
    assert Challenge.objects.count() == 0 and AuditEntry.objects.count() == 0
    response = client.post(reverse("challenges:create"), _form(**{
        "ind-0-target": "≥4500×2500mm", "ind-1-target": "优于进口同类产品"}))
    assert response.status_code == 302
    rows = list(Challenge.objects.get().indicators.all())
    assert [(i.comparator, i.value, i.needs_review, i.raw_text) for i in rows] == [
        ("text", None, True, "≥4500×2500mm"), ("text", None, False, "优于进口同类产品")]


def test_researcher_workspace_shows_proposals_and_states(client, staff, researcher):
    challenge = make_challenge(state="published", staff=staff, title="电池管理系统SOC估计")
    make_proposal(challenge, researcher)
    client.force_login(researcher)
    response = client.get(reverse("challenges:workspace"))
    body = response.content.decode()
    assert "电池管理系统SOC估计" in body and "已揭榜" in body


def test_claim_page_prefills_team_and_results_from_the_profile(client, staff, researcher):
    challenge = make_challenge(state="published", staff=staff)
    client.force_login(researcher)
    response = client.get(reverse("challenges:claim", args=[challenge.pk]))
    assert response.context["data"]["team"] == researcher.researcher_profile.name
    assert response.context["data"]["budget"] == "200"


def test_failed_claim_writes_nothing_and_keeps_the_places(client, staff, researcher):
    challenge = make_challenge(state="published", staff=staff)
    client.force_login(researcher)
    response = client.post(reverse("challenges:claim", args=[challenge.pk]),
                           {"approach": "太短", "budget": "-5", "plan": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "技术路线：至少 20 个字" in body and "经费预算：不得为负数" in body
    challenge.refresh_from_db()
    assert challenge.open_claims == 0 and challenge.state == "published"
    assert Proposal.objects.count() == 0


def test_researcher_without_profile_is_sent_to_register_first(client, staff):
    challenge = make_challenge(state="published", staff=staff)
    client.force_login(make_user(Role.RESEARCHER))
    response = client.get(reverse("challenges:claim", args=[challenge.pk]))
    assert response.status_code == 302 and "/challenges/profile/" in response["Location"]


def test_proposals_are_seen_by_poster_and_staff_not_by_other_researchers(client, staff,
                                                                        poster, researcher):
    challenge = make_challenge(poster=poster, state="published", staff=staff)
    proposal = make_proposal(challenge, researcher)
    url = reverse("challenges:proposal", args=[proposal.pk])
    for user, status in ((researcher, 200), (poster, 200), (staff, 200),
                         (make_researcher(), 404), (make_poster(), 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_overview_is_for_staff_with_rates(client, staff, poster, researcher):
    challenge = make_challenge(poster=poster, state="published", staff=staff)
    make_challenge(poster=poster, state="published", staff=staff)
    make_proposal(challenge, researcher)
    client.force_login(poster)
    assert client.get(reverse("challenges:overview")).status_code == 403
    client.force_login(staff)
    response = client.get(reverse("challenges:overview"))
    o = response.context["o"]
    assert (o["published"], o["claimed"], o["claim_rate"]) == (2, 1, 0.5)
    assert o["match_rate"] == 0.0


def test_recommendation_slot_renders_nothing_when_empty(client, staff):
    challenge = make_challenge(state="published", staff=staff)
    response = client.get(reverse("challenges:detail", args=[challenge.pk]))
    assert 'id="recommendations"' not in response.content.decode()


def test_proposal_of_an_imported_profile_without_account_is_not_public(client, staff):
    from innolink.challenges.models import ResearcherProfile

    challenge = make_challenge(state="published", staff=staff)
    proposal = make_proposal(challenge)
    ResearcherProfile.objects.filter(pk=proposal.researcher_id).update(user=None)
    assert client.get(reverse("challenges:proposal", args=[proposal.pk])).status_code == 302
    from innolink.challenges import selectors
    from django.contrib.auth.models import AnonymousUser
    from innolink.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.proposal_for_user(AnonymousUser(), proposal.pk)


def test_board_is_available_in_english(client, staff):
    make_challenge(state="published", staff=staff)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("challenges:board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Challenge board" in body and "Funding" in body


def test_staff_post_on_behalf_of_an_enterprise_by_credit_code(client, staff):
    from innolink.enterprises.testing import make_enterprise

    enterprise = make_enterprise(name="晋江某鞋业有限公司")
    client.force_login(staff)
    response = client.post(reverse("challenges:create"),
                           _form(enterprise_code="91350582XXXXXXXXX0"))
    assert response.status_code == 422
    assert "企业库中没有该统一社会信用代码" in response.content.decode()
    response = client.post(reverse("challenges:create"),
                           _form(enterprise_code=enterprise.credit_code.lower()))
    assert response.status_code == 302
    assert Challenge.objects.get().enterprise == enterprise


@pytest.mark.parametrize("state,expected", [
    ("submitted", ["return", "reject", "publish"]),
    ("claimed", []),  # expire only once the deadline has passed
])
def test_staff_buttons_are_the_moves_the_table_allows_and_all_work(client, staff, state,
                                                                   expected):
    challenge = make_challenge(state="submitted" if state == "submitted" else "published",
                               staff=staff)
    if state == "claimed":
        make_proposal(challenge)
    client.force_login(staff)
    response = client.get(reverse("challenges:detail", args=[challenge.pk]))
    assert [t.action for t, _url, _label in response.context["actions"]] == expected
    for action in expected:
        assert reverse(f"challenges:challenge-{action}", args=[challenge.pk]) in \
            response.content.decode()


def test_staff_see_the_change_history_with_state_labels(client, staff):
    challenge = make_challenge(state="published", staff=staff)
    client.force_login(staff)
    audit = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert "待审核 → 已张榜" in audit and "草稿 → 待审核" in audit
    client.logout()
    assert "变更记录" not in client.get(reverse("challenges:detail",
                                               args=[challenge.pk])).content.decode()
