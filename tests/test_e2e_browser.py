"""End to end in a real headless Chromium (Debian's package, driven by Playwright):
staff log in, import a small file, find the enterprise, and see its audit entry."""

import os
import shutil

import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD, make_user
from innolink.enterprises.tests.files import csv_bytes, row

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (scripts/test installs it)")
        pytest.skip("chromium is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM runs beside Playwright's loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_staff_import_find_and_audit(live_server, browser_page, tmp_path):
    page = browser_page
    staff = make_user(Role.ORGANIZER, username="e2e-organizer", display_name="林主任")
    data = tmp_path / "企业.csv"
    data.write_bytes(csv_bytes([row(1, 企业名称="晋江端到端测试鞋业有限公司"), row(2)],
                               encoding="gbk"))
    # log in
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")
    # import: dry run, then confirm
    page.click("text=批量导入")
    page.set_input_files("input[type=file]", str(data))
    page.click("text=上传并预检")
    page.wait_for_selector("#confirm-import")
    assert "新增企业 2 家" in page.inner_text("#import-summary")
    page.click("#confirm-import")
    page.wait_for_selector("text=已写入。")
    # find it
    page.click("text=企业库")
    page.fill("input[name=q]", "端到端")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=晋江端到端测试鞋业有限公司")
    page.click("text=晋江端到端测试鞋业有限公司")
    # and see who created it
    page.wait_for_selector("#audit")
    audit = page.inner_text("#audit")
    assert "林主任" in audit and "创建" in audit
    assert "营业收入" in page.inner_text("#indicators")
