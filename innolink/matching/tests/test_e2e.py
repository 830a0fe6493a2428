"""End to end in Debian's Chromium: staff open a challenge's recommendation page and see an
explained recommendation with a highlighted term."""


import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user
from innolink.matching.tests.factories import make_challenge, make_profile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_see_an_explained_recommendation(live_server, browser_page):
    page = browser_page
    staff = make_user(Role.ORGANIZER, username="e2e-matching", display_name="陈主任")
    challenge = make_challenge(staff=staff)
    make_profile(name="林一帆", keywords="BCB光刻胶，先进封装",
                 achievements="研制BCB光刻胶，10 GHz下介电常数 2.5")
    make_profile(name="王磊", keywords="鞋底，橡胶", achievements="DIN磨耗 60 mm³",
                 domains=["materials"])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")
    page.goto(f"{live_server.url}/matching/challenges/{challenge.pk}/")
    first = page.locator("article.recommendation").first
    assert "林一帆" in first.locator("h3").inner_text()
    marks = first.locator("mark").all_inner_texts()
    assert "光刻胶" in marks
    status = first.locator("tr[data-status]").first
    assert status.get_attribute("data-status") == "meets" and "满足" in status.inner_text()
    assert first.locator(".signal[data-signal=indicator] .progress span").count() == 1
