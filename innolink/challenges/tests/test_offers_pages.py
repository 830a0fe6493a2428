"""Technology offer pages, the researcher directory, workspace panels and list query counts."""

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.challenges import services
from innolink.challenges.models import OfferInterest, TechnologyOffer
from innolink.challenges.tests.factories import make_challenge, make_proposal, make_researcher
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db

OFFER = {"title": "高耐磨再生橡胶鞋底材料", "domain": "materials", "trl": "6",
         "summary": "以废旧轮胎胶粉为原料，经动态脱硫和纳米补强制备的鞋底材料，耐磨达到原生胶水平。",
         "applications": "运动鞋大底", "ip_status": "patent_granted",
         "cooperation_mode": "licence", "asking_price": "50", "contact_name": "李博士",
         "contact_phone": "13700000000"}


def published_offer(researcher, staff):
    offer = services.offer_create(actor=researcher, data=dict(OFFER, asking_price="500000"))
    services.offer_submit(actor=researcher, offer=offer)
    services.offer_publish(actor=staff, offer=offer)
    return offer


def test_researcher_posts_an_offer_in_wan_yuan_and_submits(client, researcher, staff):
    client.force_login(researcher)
    response = client.post(reverse("challenges:offer-create"), {**OFFER, "then": "submit"})
    offer = TechnologyOffer.objects.get()
    assert response.status_code == 302
    assert (offer.state, str(offer.asking_price)) == ("submitted", "500000.00")
    assert offer.institution_id == researcher.institution_id
    assert staff.notifications.filter(kind="offer.submitted").exists()


def test_bad_offer_is_refused_naming_the_field(client, researcher):
    client.force_login(researcher)
    response = client.post(reverse("challenges:offer-create"), {**OFFER, "trl": "12"})
    assert response.status_code == 422
    assert "技术成熟度（TRL）：不得大于 9" in response.content.decode()
    assert TechnologyOffer.objects.count() == 0


def test_enterprise_expresses_interest_and_converses(client, researcher, staff):
    offer = published_offer(researcher, staff)
    buyer = make_user(Role.ENTERPRISE)
    client.force_login(buyer)
    page = client.get(reverse("challenges:offer-detail", args=[offer.pk])).content.decode()
    assert "13700000000" not in page and "表达合作意向" in page
    response = client.post(reverse("challenges:offer-interest", args=[offer.pk]),
                           {"message": "希望许可使用"})
    interest = OfferInterest.objects.get()
    assert response["Location"] == reverse("challenges:interest-detail", args=[interest.pk])
    page = client.get(reverse("challenges:offer-detail", args=[offer.pk])).content.decode()
    assert "13700000000" in page
    client.force_login(researcher)
    client.post(reverse("challenges:interest-detail", args=[interest.pk]), {"body": "欢迎考察"})
    assert [m.body for m in interest.messages.all()] == ["希望许可使用", "欢迎考察"]
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(reverse("challenges:interest-detail",
                              args=[interest.pk])).status_code == 404
    assert client.post(reverse("challenges:interest-detail", args=[interest.pk]),
                       {"body": "插话"}).status_code == 404
    assert interest.messages.count() == 2


def test_unpublished_offer_is_hidden_like_a_missing_one(client, researcher):
    offer = services.offer_create(actor=researcher, data=dict(OFFER, asking_price="1"))
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(reverse("challenges:offer-detail", args=[offer.pk])).status_code == 404
    assert client.get(reverse("challenges:offer-detail", args=[offer.pk + 99])).status_code \
        == 404


def test_offer_board_query_count_is_fixed(client, researcher, staff, django_assert_num_queries):
    for _ in range(5):
        published_offer(researcher, staff)
    with django_assert_num_queries(2):
        response = client.get(reverse("challenges:offers"), {"q": "鞋底"})
    assert response.context["page"].paginator.count == 5


def test_manage_list_query_count_is_fixed(client, staff, django_assert_num_queries):
    for _ in range(6):
        make_challenge(state="submitted", staff=staff)
    client.force_login(staff)
    # session, user, unread badge, count, page
    with django_assert_num_queries(5):
        response = client.get(reverse("challenges:manage"), {"state": "submitted"})
    assert response.context["page"].paginator.count == 6


def test_researcher_directory_for_staff_and_enterprises_only(client, staff, researcher):
    client.force_login(staff)
    response = client.get(reverse("challenges:researchers"), {"q": "光刻胶"})
    assert [r.pk for r in response.context["page"]] == [researcher.researcher_profile.pk]
    client.force_login(make_researcher())
    assert client.get(reverse("challenges:researchers")).status_code == 403
    other = make_researcher()
    assert client.get(reverse("challenges:researcher",
                              args=[other.researcher_profile.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.ENTERPRISE, Role.ORGANIZER])
def test_workspace_panels_render_for_each_role(client, staff, role):
    challenge = make_challenge(state="published", staff=staff, title="储能电池簇主动均衡")
    user = make_researcher() if role == Role.RESEARCHER else (
        challenge.created_by if role == Role.ENTERPRISE else staff)
    if role == Role.RESEARCHER:
        make_proposal(challenge, user)
    client.force_login(user)
    response = client.get(reverse("dashboard:workspace"))
    assert response.status_code == 200
    body = response.content.decode()
    if role == Role.ORGANIZER:
        assert "待审核榜单" in body
    else:
        assert "储能电池簇主动均衡" in body
