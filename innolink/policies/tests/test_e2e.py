"""End to end in headless Chromium: an enterprise logs in and sees what it can get, how much and
why not, and confirms a 免申即享 benefit; an officer runs a scan, approves, pays, and the ledger
and the metrics move."""


import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD, make_user
from innolink.policies.services import policy_sync
from innolink.policies.tests.factories import high_tech_enterprise, rd_enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")


def test_enterprise_sees_and_claims_officer_scans_approves_and_pays(live_server, browser_page):
    page, base = browser_page, live_server.url
    policy_sync(actor=None, source="test")
    enterprise = high_tech_enterprise(name="晋江端到端鞋业有限公司")
    rd_enterprise()  # a second enterprise the scan will find
    owner = make_user(Role.ENTERPRISE, username="e2e-enterprise", enterprise=enterprise)
    officer = make_user(Role.POLICY_OFFICER, username="e2e-officer")

    # the enterprise sees what it can get, how much, and why not
    _login(page, base, owner)
    page.click("nav >> text=我能享受的政策")
    page.wait_for_selector("#eligible-total")
    assert page.inner_text("#eligible-total") == "20.00"
    award = page.locator("section.eligible-clause", has_text="高新技术企业认定奖励")
    assert "20.00" in award.inner_text() and "免申即享" in award.inner_text()
    why_not = page.inner_text("#not-eligible")
    assert "研发经费" in why_not and ("缺少数据" in why_not or "还差" in why_not)
    # step 2 of 3: confirm consent and the (prefilled) bank account
    award.locator("a.claim").click()
    assert page.input_value("#id_account_holder") == "晋江端到端鞋业有限公司"
    page.fill("#id_bank_name", "中国银行晋江支行")
    page.fill("#id_bank_account", "6217000012345678")
    page.click("#submit-claim")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "待审核"

    # the officer runs a scan
    _login(page, base, officer)
    page.goto(f"{base}/policies/scans/")
    page.click("#start-scan")
    page.wait_for_selector("#scan-summary")
    assert "新发现" in page.inner_text("#scan-summary")
    # approves in bulk from the review list
    page.click("nav >> text=兑现审核")
    page.check("input[name=ids]")
    page.click("#bulk-approve")
    page.wait_for_selector("text=已批准 1 条申请")
    # pays it
    page.click("#applications a[href*='/policies/applications/']")
    page.click("#pay")
    page.wait_for_selector("text=拨付已记入台账")
    assert page.inner_text("#status") == "已拨付"
    # the ledger and the metrics moved
    page.click("nav >> text=政策台账")
    row = page.locator("#ledger-summary tr", has_text="晋江市高新技术企业认定奖励").last
    assert "20.00" in row.locator("td.committed").inner_text()
    assert "20.00" in row.locator("td.paid").inner_text()
    page.click("nav >> text=兑现统计")
    assert page.inner_text("#m-paid") == "1"
    assert page.inner_text("#m-applied") == "1"
