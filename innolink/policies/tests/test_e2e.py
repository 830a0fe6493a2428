"""End to end in headless Chromium: an enterprise logs in and sees what it can get, how much and
why not, and confirms a 免申即享 benefit; an officer runs a scan, approves, pays, and the ledger
and the metrics move."""


import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user
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
    assert "20 万元" in award.inner_text() and "免申即享" in award.inner_text()
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


def test_quick_lane_supply_a_figure_apply_in_place_and_the_materials_gate(live_server, browser,
                                                                           settings, tmp_path):
    """快申快享 end to end, by keyboard where a user would: the enterprise types the figure the
    answer lacks, the clause becomes payable in place, it applies from the same card (a typo
    comes back with everything kept), and the officer cannot approve until the materials are in
    (or gives an audited reason)."""
    from innolink.enterprises.testing import make_enterprise
    from innolink.policies.models import Application

    settings.MEDIA_ROOT = str(tmp_path / "media")
    base = live_server.url
    policy_sync(actor=None, source="test")
    enterprise = make_enterprise(name="晋江快申机械有限公司", years={2025: {"revenue": "50000000"}})
    owner = make_user(Role.ENTERPRISE, username="e2e-quick", enterprise=enterprise)
    officer = make_user(Role.POLICY_OFFICER, username="e2e-quick-officer")
    for width in (390, 1280):
        page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": 900})
        page.set_default_timeout(30_000)
        _login(page, base, owner)
        page.goto(f"{base}/policies/mine/?year=2025")
        card = page.locator("section.miss-clause", has_text="数字化改造项目补助")
        field = card.locator("input[name='fact-software_hardware_investment-2025']")
        if width == 390:
            field.focus()
            page.keyboard.type("三百")
            page.keyboard.press("Enter")
            page.wait_for_selector("text=应为数字，单位万元")
            assert card.locator("input[name^=fact-]").input_value() == "三百"
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.close()
            continue
        field.fill("300")
        page.keyboard.press("Enter")
        eligible = page.locator("section.eligible-clause", has_text="数字化改造项目补助")
        eligible.wait_for()
        assert "60 万元" in eligible.inner_text() and "自行填报" in eligible.inner_text()
        eligible.locator("a.claim").click()
        eligible.locator("#id_bank_name").fill("中国银行晋江支行")
        eligible.locator("#id_bank_account").fill("12-34")
        eligible.locator("#id_contact_name").fill("林会计")
        eligible.locator("#submit-claim").click()
        page.wait_for_selector("text=应为8至30位数字")
        assert eligible.locator("#id_contact_name").input_value() == "林会计"
        eligible.locator("#id_bank_account").fill("6217000012345678")
        eligible.locator("#submit-claim").click()
        page.wait_for_selector("#status")
        assert page.inner_text("#status") == "待审核"
        application = Application.objects.get(enterprise=enterprise)
        assert application.declared == {"2025": {"software_hardware_investment": "3000000.00"}}
        # the officer: no materials yet, so approval asks for a reason at its field
        _login(page, base, officer)
        page.goto(f"{base}/policies/applications/{application.pk}/")
        assert "必需材料未齐" in page.inner_text("#missing-materials")
        page.click("#approve")
        page.wait_for_selector("#id_override_reason-error")
        assert Application.objects.get(pk=application.pk).status == "submitted"
        page.fill("#id_override_reason", "原件已在窗口核验")
        page.click("#approve")
        page.wait_for_selector("text=已批准并记入台账")
        assert page.inner_text("#status") == "已批准"
        page.close()


def test_enterprise_lists_projects_on_the_claim_form_on_a_phone_and_the_officer_approves(live_server, browser):
    """快申快享 per project (p04 digital_projects: 20% each, 10万元 per project, 50万元 in all): the
    enterprise adds, removes and previews projects at 390 px in Chinese, a typing error comes
    back at its field with everything kept, it submits; the officer reads the projects and
    approves at 1280 px in English. ``PF_SHOTS=dir`` keeps screenshots of each step."""
    import os

    from innolink.policies.models import Application
    from innolink.policies.tests.factories import YEAR, clause

    shots = os.environ.get("PF_SHOTS")
    policy_sync(actor=None, source="test")
    from innolink.enterprises.testing import make_enterprise

    enterprise = make_enterprise(name="晋江数字化项目测试有限公司", industry_code="C3921",
                                 years={YEAR: {"revenue": "90000000"}})
    owner = make_user(Role.ENTERPRISE, username="e2e-projects", enterprise=enterprise)
    officer = make_user(Role.POLICY_OFFICER, username="e2e-projects-officer")
    projects = clause("p04_digital_transformation", "digital_projects")

    def shot(page, name):
        if shots:
            page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)

    base = live_server.url
    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    page.set_default_timeout(60_000)
    try:
        _login(page, base, owner)
        page.goto(f"{base}/policies/claim/{projects.pk}/?year={YEAR}")
        page.wait_for_selector("#claim-needs-items")
        shot(page, "zh-390-1-empty")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("#id_items-0-label", "仓储管理系统")
        page.select_option("#id_items-0-kind", "数字化改造")
        page.fill("#id_items-0-investment", "30")
        page.fill("#id_contact_name", "陈经理")
        page.click(f"#add-item-{projects.pk}")
        page.wait_for_selector("#id_items-1-label")
        assert page.input_value("#id_items-0-investment") == "30"
        assert page.input_value("#id_contact_name") == "陈经理"
        page.fill("#id_items-1-label", "设备联网平台")
        page.select_option("#id_items-1-kind", "数字化改造")
        page.fill("#id_items-1-investment", "八十")  # a typing error
        page.click(f"#preview-items-{projects.pk}")
        page.wait_for_selector("#id_items-1-investment-error")
        assert page.input_value("#id_items-1-label") == "设备联网平台"
        shot(page, "zh-390-2-error")
        page.fill("#id_items-1-investment", "80")
        page.click(f"#add-item-{projects.pk}")
        page.wait_for_selector("#id_items-2-label")
        page.fill("#id_items-2-label", "多余的一行")
        page.click("button[value=remove-2]")
        page.wait_for_selector("#id_items-1-label")
        assert page.locator("#id_items-2-label").count() == 0
        page.click(f"#preview-items-{projects.pk}")
        page.wait_for_selector(f"#item-preview-{projects.pk}")
        preview = page.inner_text(f"#item-preview-{projects.pk}")
        assert "按所填项目测算：16 万元" in preview and "仓储管理系统" in preview and "设备联网平台" in preview
        shot(page, "zh-390-3-preview")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("#id_bank_name", "中国银行晋江支行")
        page.fill("#id_bank_account", "6217000012345678")
        page.click("#submit-claim")
        page.wait_for_selector("#status")
        assert page.inner_text("#status") == "待审核"
        shot(page, "zh-390-4-submitted")
        application = Application.objects.get(enterprise=enterprise)
        assert application.amount_expected == 160000
        # the same pages in English at 1280 px
        page.set_viewport_size({"width": 1280, "height": 900})
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page.goto(f"{base}/policies/mine/?year={YEAR}")
        shot(page, "en-1280-5-mine")
        assert "应兑现" not in page.inner_text("main")

        # the officer reads the projects and approves (materials missing: a reason is needed)
        _login(page, base, officer)
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page.goto(f"{base}/policies/applications/{application.pk}/")
        items = page.inner_text("#application-items")
        assert "仓储管理系统" in items and "300,000.00" in items
        shot(page, "en-1280-6-officer")
        page.fill("#id_override_reason", "原件已在窗口核验")
        page.click("#approve")
        page.wait_for_selector("#status")
        page.wait_for_function("document.querySelector('#status').innerText !== 'Submitted'")
        assert Application.objects.get(pk=application.pk).status == "approved"
        shot(page, "en-1280-7-approved")
        page.set_viewport_size({"width": 390, "height": 844})
        page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
        page.goto(f"{base}/policies/applications/{application.pk}/")
        shot(page, "zh-390-8-officer")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.close()
