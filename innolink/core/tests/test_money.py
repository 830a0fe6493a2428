"""Every money input goes through one parser: a clear message for anything beyond its column,
an exponent, NaN or Infinity, on pages and in the API (a 4xx), never a 500; nothing written."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.challenges.models import Challenge, Proposal, TechnologyOffer
from innolink.challenges.tests.factories import (challenge_data, make_challenge, make_poster,
                                                 make_researcher, proposal_data)
from innolink.core.models import AuditEntry
from innolink.core.money import WAN, MoneyInvalid, parse_money
from innolink.core.testing import assert_json_error
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db
BAD = ["1e30", "1E5", "1" + "0" * 40, "NaN", "Infinity", "-inf", "12.3.4", "0x10", ""]


@pytest.mark.parametrize("raw,expected", [
    ("1,200,000.5", Decimal("1200000.50")), (" 80 ", Decimal("80.00")), (120, Decimal("120.00")),
    (Decimal("0.005"), Decimal("0.01")), (1200.25, Decimal("1200.25")),
    ("999999999999.99", Decimal("999999999999.99")),
])
def test_plain_amounts_are_read_exactly(raw, expected):
    assert parse_money(raw, label="金额") == expected


def test_units_places_sign_and_the_column_limit():
    assert parse_money("80", label="资金", unit=WAN) == Decimal("800000.00")
    assert parse_money("-5", label="净利润", allow_negative=True) == Decimal("-5.00")
    for raw, kwargs, words in [
        ("-5", {}, "不得为负数"), ("0", {"allow_zero": False}, "应大于 0"),
        ("1.005", {"round_places": False}, "两位小数"),
        ("1000000000000", {}, "金额过大，不能超过 999,999,999,999.99 元"),
        ("100000000", {"unit": WAN}, "金额过大"),
        ("99999999999999.99", {"max_digits": 16}, None),
    ]:
        if words is None:
            assert parse_money(raw, label="金额", **kwargs) == Decimal(raw)
            continue
        with pytest.raises(MoneyInvalid) as exc:
            parse_money(raw, label="金额", **kwargs)
        assert exc.value.message.startswith("金额：") and words in exc.value.message


@pytest.mark.parametrize("raw", [*BAD, True, None, [], Decimal("NaN"), float("inf")])
def test_anything_else_is_a_message_never_an_exception_of_another_kind(raw):
    with pytest.raises(MoneyInvalid) as exc:
        parse_money(raw, label="资金投入")
    assert exc.value.message.startswith("资金投入：")


@pytest.mark.parametrize("raw", [Decimal("1e999999999"), Decimal("-1e999999999"),
                                 Decimal("1e-999999999")])
def test_a_decimal_with_a_huge_exponent_is_answered_at_once(raw):
    """A JSON number such as 1e999999999 reaches the parser as a Decimal (the API's schema
    parses it); writing it out in full would take a gigabyte and most of a minute."""
    import time

    started = time.perf_counter()
    if raw.adjusted() > 0:
        with pytest.raises(MoneyInvalid) as exc:
            parse_money(raw, label="资金投入")
        assert "金额过大" in exc.value.message
    else:
        assert parse_money(raw, label="资金投入") == Decimal("0.00")
    assert time.perf_counter() - started < 0.5


# --- through the pages and the API of each money input --------------------------------------

def _api(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("raw", ["1e30", "1" + "0" * 40, "NaN", "Infinity"])
def test_challenge_funding(client, raw):
    poster = make_poster()
    client.force_login(poster)
    body = assert_json_error(_api(client, "/api/challenges", challenge_data(funding=raw)), 422,
                             "invalid")
    assert body["extra"]["fields"]["funding"][0].startswith("资金投入")
    page = client.post(reverse("challenges:create"), {
        **{k: v for k, v in challenge_data().items() if k != "indicators"},
        "funding": raw, "ind-0-name": "介电常数", "ind-0-comparator": "le", "ind-0-value": "2.7"})
    assert page.status_code == 422 and "资金投入" in page.content.decode()
    assert Challenge.objects.count() == 0 and AuditEntry.objects.count() == 0


@pytest.mark.parametrize("raw", ["1e30", "1" + "0" * 40, "-Infinity"])
def test_proposal_budget(client, raw):
    challenge = make_challenge(state="published")
    researcher = make_researcher()
    client.force_login(researcher)
    before = AuditEntry.objects.count()
    body = assert_json_error(_api(client, f"/api/challenges/{challenge.pk}/claim",
                                  proposal_data(budget=raw)), 422, "invalid")
    assert body["extra"]["fields"]["budget"][0].startswith("经费预算")
    data = proposal_data(budget=raw)
    page = client.post(reverse("challenges:claim", args=[challenge.pk]), {
        **{k: v for k, v in data.items() if k != "milestones"},
        "ms-0-title": "小试", "ms-0-month": "6", "ms-0-deliverable": "样品"})
    assert page.status_code == 422 and "经费预算" in page.content.decode()
    assert Proposal.objects.count() == 0 and AuditEntry.objects.count() == before


@pytest.mark.parametrize("raw", ["1e30", "1" + "0" * 40, "nan"])
def test_offer_price(client, raw):
    researcher = make_user(Role.RESEARCHER)
    client.force_login(researcher)
    offer = {"title": "高耐磨再生橡胶鞋底材料", "domain": "materials", "trl": 6,
             "summary": "以废旧轮胎胶粉为原料，经动态脱硫和纳米补强制备的鞋底材料，耐磨达到原生胶水平。",
             "applications": "运动鞋大底", "ip_status": "patent_granted",
             "cooperation_mode": "licence", "asking_price": raw, "contact_name": "李博士",
             "contact_phone": "13700000000"}
    body = assert_json_error(_api(client, "/api/challenges/offers", offer), 422, "invalid")
    assert "asking_price" in body["extra"]["fields"]
    page = client.post(reverse("challenges:offer-create"), {**offer, "trl": "6"})
    assert page.status_code == 422 and TechnologyOffer.objects.count() == 0


@pytest.mark.parametrize("raw", ["1e30", "1" + "0" * 40, "NaN"])
def test_policy_payment(client, raw):
    from innolink.policies import services
    from innolink.policies.models import LedgerEntry
    from innolink.policies.tests.factories import high_tech_enterprise, submitted
    from innolink.policies.tests.conftest import synced  # noqa: F401

    services.policy_sync(actor=None)
    application = submitted(high_tech_enterprise())
    services.application_approve(actor=None, application_id=application.pk)
    client.force_login(make_user(Role.POLICY_OFFICER))
    body = assert_json_error(_api(client, f"/api/policies/applications/{application.pk}/pay",
                                  {"amount": raw}), 422, "invalid")
    assert "amount" in body["extra"]["fields"]
    assert not LedgerEntry.objects.filter(kind="payment").exists()


@pytest.mark.parametrize("raw", ["1e30", "1" + "0" * 40, "NaN", "abc"])
def test_ranking_declaration_values(client, raw):
    from innolink.enterprises.testing import make_enterprise
    from innolink.rankings.models import Declaration

    enterprise = make_enterprise(legal_representative="陈立新")
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprise))
    values = {"revenue": raw, "total_assets": "60000000", "net_profit": "200000",
              "tax_paid": "2000000", "employees": "150", "rd_expense": "900000"}
    body = assert_json_error(_api(client, "/api/rankings/declarations", {
        "year": 2025, "values": values, "submit": False}), 422, "invalid")
    assert [f for f in body["extra"]["fields"] if f.endswith("revenue")]
    assert not Declaration.objects.exists()
