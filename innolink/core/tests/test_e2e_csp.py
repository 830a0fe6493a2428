"""Under the Content-Security-Policy, in headless Chromium: no violation is reported, the
language switch (data-autosubmit) and Swagger UI still work, htmx still swaps."""

import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pages_work_under_the_policy(live_server, browser_page):
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    admin = make_user(Role.ADMIN, username="csp-admin", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/accounts/login/")
    policy = page.evaluate("() => fetch(location.href).then(r => "
                           "r.headers.get('content-security-policy'))")
    assert "script-src 'self'" in policy
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")
    # the language switch is a plain button (no script, and nothing changes on focus or arrow
    # keys: WCAG 3.2.2)
    page.click("form.lang button[value=en]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.click("form.lang button[value=zh-hans]")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    # the admin and Swagger UI render
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    # htmx: the job list's live search form and the board's filters swap without eval
    page.goto(f"{live_server.url}/challenges/")
    page.fill("input[name=q]", "光刻胶")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], \
        problems
    assert problems == [], problems
