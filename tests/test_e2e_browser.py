"""End to end in a real headless Chromium (Debian's package, driven by Playwright):
staff log in, import a small file, find the enterprise, and see its audit entry."""


import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user
from innolink.enterprises.tests.files import csv_bytes, row

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
