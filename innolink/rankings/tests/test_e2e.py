"""End to end in headless Chromium: staff run the demo year's lists, review the uncertain
entries, open and close the 公示, publish; a phone opens the address in the QR code."""

import io
import os

import pytest
import segno

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user
from innolink.demo import generator
from innolink.enterprises.services import registry_import
from innolink.rankings.models import RankingRun
from innolink.rankings.tests.factories import published_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_publish_the_demo_year_and_a_phone_scans_the_qr_code(live_server, browser):
    registry_import(content=generator.enterprise_csv(seed=2026, count=2000), filename="demo.csv",
                    actor=None, commit=True, source="demo", demo=True)
    staff = make_user(Role.ORGANIZER, username="e2e-organizer", display_name="林主任")
    published_run(2024, staff)  # last year's edition, so the change against it shows

    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(20_000)
    asked: list[str] = []  # ending the 公示 early and publishing each ask first (issue 16)
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")

    # run the demo year (2025): a background job, then the run page
    page.click("nav.mainnav >> text=\"500强榜单\"")
    page.select_option("#id_year", "2025")
    page.click("#run-start button[type=submit]")
    page.wait_for_selector("#workflow")
    assert "已计算" in page.inner_text("h1")
    if os.environ.get("RANKINGS_E2E_SCREENSHOT"):
        page.screenshot(path=os.environ["RANKINGS_E2E_SCREENSHOT"] + ".run.png", full_page=True)
    assert "晋江市纳税贡献突出民营企业" in page.inner_text("#lists")
    run = RankingRun.objects.get(year=2025)

    # review: query one uncertain entry with a note (htmx), confirm the rest
    page.click("#go-review")
    if os.environ.get("RANKINGS_E2E_SCREENSHOT"):
        page.screenshot(path=os.environ["RANKINGS_E2E_SCREENSHOT"] + ".review.png")
    first = page.locator("#review tbody tr").first
    row_id = first.get_attribute("id")
    first.locator("select[name=decision]").select_option("queried")
    first.locator("input[name=note]").fill("纳税数据与税务口径待核实")
    first.locator("button.review-submit").click()
    page.wait_for_selector(f"#{row_id}[data-review=queried]")
    page.fill("#confirm-pending input[name=note]", "已核对申报数据")
    page.click("#confirm-pending button")
    page.wait_for_selector("text=已确认")
    page.click("#back-to-run")
    page.click("#mark-reviewed")
    page.wait_for_selector("#open-notice")

    # 公示: open with the default closing date, then close it, then publish
    page.click("#open-notice button")
    page.wait_for_selector("#close-notice")
    assert "公示中" in page.inner_text("h1")
    page.click("#close-notice")
    page.click("#publish")
    page.wait_for_selector("text=榜单已发布。")
    assert [m[:4] for m in asked] == ["公示期至", "发布后榜"], asked
    run.refresh_from_db()
    assert run.status == "published"

    # the public page's QR code, read with a phone-sized browser
    page.goto(f"{live_server.url}/rankings/public/2025/comprehensive_100/")
    url = page.get_attribute("[data-qr-url]", "href")
    svg = page.request.get(f"{live_server.url}/rankings/public/2025/comprehensive_100/qr.svg")
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="svg", scale=6, border=2, title="榜单二维码")
    assert svg.body() == expected.getvalue()  # the QR code encodes exactly this address

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=3, locale="zh-CN")
    mobile = phone.new_page()
    mobile.goto(url)
    mobile.wait_for_selector("#list-table")
    assert "晋江市民营企业综合实力100强" in mobile.inner_text("h1")
    rows = mobile.locator("#list-table tbody tr")
    assert rows.count() == 100
    assert rows.first.locator("td.rank").inner_text().startswith("1")
    assert "评价方法说明" in mobile.inner_text("#methodology")
    # the page and the table fit the phone: nothing to scroll sideways
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    assert mobile.evaluate("document.querySelector('#list-table').getBoundingClientRect().right") <= 390
    assert mobile.locator("#list-table tbody tr").first.locator(".rk-phone-only").is_visible()
    assert any(t in mobile.inner_text("#list-table") for t in ("↑", "↓", "新上榜"))
    if os.environ.get("RANKINGS_E2E_SCREENSHOT"):
        mobile.screenshot(path=os.environ["RANKINGS_E2E_SCREENSHOT"] + ".phone.png")
    phone.close()
