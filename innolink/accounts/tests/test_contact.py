"""Contact fields start from what the platform knows: the contact the account gave last, else
the account's own name and phone, never a login name or a role label."""

import pytest

from innolink.accounts.contact import account_contact, contact_initial
from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def test_a_person_is_offered_a_label_or_login_name_is_not():
    person = make_user(Role.ENTERPRISE, display_name="蔡雅琴", phone="0595-85601234")
    assert account_contact(person)["contact_name"] == "蔡雅琴"
    assert account_contact(person)["contact_phone"] == "0595-85601234"
    for label in ("企业用户 · 晋江某某有限公司", "企业用户", ""):
        user = make_user(Role.ENTERPRISE, display_name=label, phone="")
        assert account_contact(user)["contact_name"] == ""
    login = make_user(Role.RESEARCHER, username="chen01", display_name="chen01")
    assert account_contact(login)["contact_name"] == ""


def test_the_last_contact_given_comes_before_the_accounts_own():
    from types import SimpleNamespace

    user = make_user(Role.ENTERPRISE, display_name="蔡雅琴", phone="0595-1")
    earlier = SimpleNamespace(contact_name="林会计", contact_phone="")
    assert contact_initial(user, None, earlier) == {
        "contact_name": "林会计", "contact_phone": "0595-1", "contact_email": ""}


def test_new_challenge_and_offer_forms_are_prefilled(client):
    enterprise_user = make_user(Role.ENTERPRISE, display_name="蔡雅琴", phone="0595-85601234")
    client.force_login(enterprise_user)
    page = client.get("/challenges/new/").content.decode()
    assert 'value="蔡雅琴"' in page and 'value="0595-85601234"' in page
    labelled = make_user(Role.ENTERPRISE, display_name="企业用户 · 晋江某某有限公司")
    client.force_login(labelled)
    page = client.get("/challenges/new/").content.decode()
    assert "企业用户 · 晋江某某有限公司\"" not in page.split('name="contact_name"')[1][:200]
    researcher = make_user(Role.RESEARCHER, display_name="陈思远", phone="0595-22690000")
    client.force_login(researcher)
    page = client.get("/challenges/offers/new/").content.decode()
    assert 'value="陈思远"' in page and 'value="0595-22690000"' in page


def test_a_first_claim_offers_the_accounts_contact(client):
    from innolink.policies.selectors import claim_prefill

    user = make_user(Role.ENTERPRISE, display_name="蔡雅琴", phone="0595-85601234")
    prefill = claim_prefill(user, user.enterprise)
    assert (prefill["contact_name"], prefill["contact_phone"]) == ("蔡雅琴", "0595-85601234")
    assert prefill["account_holder"] == user.enterprise.name


def test_a_label_stored_earlier_is_not_offered_again():
    from types import SimpleNamespace

    user = make_user(Role.ENTERPRISE, display_name="蔡雅琴")
    stale = SimpleNamespace(contact_name="企业用户 · 晋江某某有限公司", contact_phone="0595-2")
    assert contact_initial(user, stale)["contact_name"] == "蔡雅琴"
    assert contact_initial(user, stale)["contact_phone"] == "0595-2"
