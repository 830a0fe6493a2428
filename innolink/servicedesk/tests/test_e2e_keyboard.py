"""Keyboard only (issue 16, "keyboard-only use works for the main flows"; ADR 0795): an
enterprise user signs in, reaches the 诉求 form from the menu, fills it in and submits it, and
reads the answer, with Tab, typing, arrow keys and Enter only — no click, no focus() call. The
first Tab reaches the skip link, which moves past the menu to the page's content."""

import pytest

from innolink.core.testing import ACTIVE_ELEMENT, PASSWORD, tab_to
from innolink.servicedesk.models import ServiceRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_an_enterprise_submits_a_request_with_the_keyboard_only(live_server, browser_page, desk,
                                                                 owner):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "username")
    page.keyboard.type(owner.username)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/")

    # the first Tab is the skip link; Enter moves focus into the page, past the menu
    page.keyboard.press("Tab")
    assert "跳到正文" in page.evaluate(ACTIVE_ELEMENT)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    page.keyboard.press("Shift+Tab")  # back into the menu, where 提交诉求 is
    for _ in range(60):
        if "提交诉求" in page.evaluate(ACTIVE_ELEMENT):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/servicedesk/new/")

    tab_to(page, "category")
    before = page.input_value("select[name=category]")
    page.keyboard.press("ArrowDown")  # a focused select changes with the arrow keys
    chosen = page.input_value("select[name=category]")
    assert chosen != before
    tab_to(page, "description")
    page.keyboard.type("厂房消防验收排期太久，影响投产，请协调尽快安排验收。")
    tab_to(page, "提交")
    page.keyboard.press("Enter")
    page.wait_for_url("**/servicedesk/requests/*/")
    assert "诉求已提交" in page.inner_text("main")
    created = ServiceRequest.objects.get(enterprise=owner.enterprise)
    assert created.description.startswith("厂房消防验收排期太久")
    assert created.category.code == chosen
