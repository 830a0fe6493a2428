"""Keyboard only (issue 16, "keyboard-only use works for the main flows"; ADR 0795): an
enterprise posts a challenge (揭榜领题) with one indicator row and submits it for review, and a
researcher claims a published challenge with one milestone row, with Tab, Shift+Tab, typing,
arrow keys and Enter only — no click, no fill, no focus() call."""

import datetime as dt

import pytest
from django.utils import timezone

from innolink.challenges.models import Challenge, Proposal
from innolink.challenges.tests.factories import make_challenge, make_researcher
from innolink.core.testing import ACTIVE_ELEMENT, keyboard_sign_in, tab_to, type_into

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_an_enterprise_posts_a_challenge_with_the_keyboard_only(live_server, browser_page, poster):
    page = browser_page
    keyboard_sign_in(page, live_server.url, poster.username)
    # the skip link moves past the menu; 发布榜单 is on the workspace, a few Tabs on
    page.keyboard.press("Tab")
    assert "跳到正文" in page.evaluate(ACTIVE_ELEMENT)
    page.keyboard.press("Enter")
    tab_to(page, "发布榜单")
    page.keyboard.press("Enter")
    page.wait_for_url("**/challenges/new/")

    type_into(page, "title", "运动鞋大底耐磨橡胶配方攻关")
    tab_to(page, "domain")
    page.keyboard.press("ArrowDown")  # the first field, not left empty
    domain = page.input_value("select[name=domain]")
    assert domain
    type_into(page, "statement", "跑鞋大底磨损快，现有配方提高耐磨的同时湿地防滑下降，需兼顾两者。")
    type_into(page, "ind-0-name", "DIN 耐磨体积损失")
    type_into(page, "ind-0-target", "≤80mm³")
    type_into(page, "ind-0-test_method", "GB/T 9867")
    type_into(page, "funding|", "100")  # 万元, a fixed amount (the preselected kind)
    deadline = timezone.localdate() + dt.timedelta(days=45)
    # the native date input: digits per part, each part moving on by itself. Its parts follow
    # Chromium's own UI locale (LANG), not the page's zh-CN: month/day/year for the en-US/C
    # locale this test runs with here and in CI.
    tab_to(page, "claim_deadline")
    page.keyboard.type(deadline.strftime("%m%d%Y"))
    assert page.input_value("input[name=claim_deadline]") == deadline.isoformat()
    # the contact is prefilled from the account; Enter on the submit button sends the form
    tab_to(page, "save-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#state, #form-errors")
    assert page.locator("#form-errors").count() == 0, page.inner_text("#form-errors")
    assert page.inner_text("#state") == "待审核"
    assert "运动鞋大底耐磨橡胶配方攻关" in page.inner_text("main")
    challenge = Challenge.objects.get()
    assert challenge.state == "submitted" and challenge.domain == domain
    assert challenge.claim_deadline == deadline
    assert challenge.funding == 1_000_000
    assert [i.name for i in challenge.indicators.all()] == ["DIN 耐磨体积损失"]


def test_a_researcher_claims_a_challenge_with_the_keyboard_only(live_server, browser_page):
    page = browser_page
    challenge = make_challenge(state="published")
    researcher = make_researcher(display_name="李博士", name="李博士")
    keyboard_sign_in(page, live_server.url, researcher.username)
    page.goto(f"{live_server.url}/challenges/{challenge.pk}/")

    tab_to(page, "claim-link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/challenges/{challenge.pk}/claim/")
    type_into(page, "approach", "采用含氟苯并环丁烯单体共聚降低极化率，再以纳米孔结构降低介电常数。")
    type_into(page, "plan", "1-6 月小试，7-18 月中试，19-24 月客户验证。")
    type_into(page, "ms-0-title", "小试样品")
    type_into(page, "ms-0-month", "6")
    tab_to(page, "claim-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#proposal-state")
    assert page.inner_text("#proposal-state") == "已揭榜"
    proposal = Proposal.objects.get(challenge=challenge)
    assert proposal.researcher.user == researcher
    assert [(m["title"], int(m["month"])) for m in proposal.milestones] == [("小试样品", 6)]
