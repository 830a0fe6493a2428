"""Keyboard only (issue 16, "keyboard-only use works for the main flows"; ADR 0795): an
enterprise opens 我能享受的政策, types the figure a 快申快享 clause lacks, applies for the clause
from its card and reads the application's state, with Tab, typing and Enter only — no click, no
fill, no focus() call."""

import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import keyboard_sign_in, tab_to, type_into
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.policies.models import Application
from innolink.policies.services import policy_sync

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_an_enterprise_applies_for_a_quick_lane_clause_with_the_keyboard_only(live_server,
                                                                             browser_page):
    page, base = browser_page, live_server.url
    policy_sync(actor=None, source="test")
    enterprise = make_enterprise(name="晋江键盘机械有限公司", years={2025: {"revenue": "50000000"}})
    owner = make_user(Role.ENTERPRISE, username="kb-quick", enterprise=enterprise)

    keyboard_sign_in(page, base, owner.username)
    page.goto(f"{base}/policies/mine/?year=2025")

    # the clause lacks one figure: type it at the clause's own field and press Enter
    type_into(page, "fact-software_hardware_investment-2025", "300")
    page.keyboard.press("Enter")
    eligible = page.locator("section.eligible-clause", has_text="数字化改造项目补助")
    eligible.wait_for()
    assert "60 万元" in eligible.inner_text()

    # from the now payable clause, Tab reaches 一键申请; Enter opens the form in place
    tab_to(page, "一键申请")
    page.keyboard.press("Enter")
    eligible.locator("#id_bank_name").wait_for()
    type_into(page, "bank_name", "中国银行晋江支行")
    type_into(page, "bank_account", "6217000012345678")
    type_into(page, "contact_name", "林会计")
    tab_to(page, "submit-claim")
    page.keyboard.press("Enter")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "待审核"
    application = Application.objects.get(enterprise=enterprise)
    assert application.status == "submitted"
    assert application.declared == {"2025": {"software_hardware_investment": "3000000.00"}}
