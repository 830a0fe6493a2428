"""End to end in headless Chromium: an enterprise posts a challenge, staff publish it, a
researcher finds it through search and claims it, staff shortlist and match, the contract is
recorded — all through the pages, as a new user would."""

import datetime as dt

import pytest
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.challenges.models import Challenge
from innolink.challenges.tests.factories import make_researcher
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, url, user):
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")


def test_post_publish_find_claim_shortlist_match_contract(live_server, browser_page):
    page = browser_page
    url = live_server.url
    poster = make_user(Role.ENTERPRISE, username="e2e-ent", display_name="陈经理",
                       phone="13905950000")
    staff = make_user(Role.ORGANIZER, username="e2e-staff", display_name="林主任")
    researcher = make_researcher(display_name="李博士", name="李博士")
    researcher.username = "e2e-res"
    researcher.save()

    # the enterprise posts (contact prefilled), first with a time limit over 36 months
    login(page, url, poster)
    page.goto(f"{url}/challenges/new/")
    assert page.input_value("input[name=contact_name]") == "陈经理"
    page.fill("input[name=title]", "运动鞋大底耐磨橡胶配方攻关")
    page.select_option("select[name=domain]", "materials")
    page.fill("input[name=keywords]", "鞋底 耐磨 橡胶")
    page.fill("textarea[name=statement]",
              "跑鞋大底磨损快，现有配方在提高耐磨的同时湿地防滑下降，需要兼顾两者的新配方。")
    page.fill("input[name=ind-0-name]", "DIN 耐磨体积损失")
    page.fill("input[name=ind-0-target]", "≤80mm³")
    page.fill("input[name=ind-0-test_method]", "GB/T 9867")
    page.fill("input[name=ind-1-name]", "湿地防滑性能")
    page.fill("input[name=ind-1-target]", "优于进口同类产品")
    page.select_option("select[name=funding_kind]", "range")
    page.fill("input[name=funding]", "80")
    page.fill("input[name=funding_max]", "120")
    page.fill("input[name=time_limit_months]", "48")
    deadline = (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    page.fill("input[name=claim_deadline]", deadline)
    page.select_option("select[name=ip_ownership]", "joint_open")
    page.click("#save-submit")
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "待审核"
    assert "80–120 万元" in page.inner_text("#funding")
    # the enterprise sees what the organizer will screen
    assert "时限超过 36 个月" in page.inner_text("#screening")
    challenge = Challenge.objects.get()
    assert challenge.time_limit_months == 48

    # staff cannot publish before the exception, then grant it with a reason and publish
    login(page, url, staff)
    page.goto(f"{url}/challenges/manage/?state=submitted")
    page.click("text=运动鞋大底耐磨橡胶配方攻关")
    page.click("button[value=publish]")
    page.wait_for_selector(".messages >> text=发布前请处理审核筛查项")
    assert page.inner_text("#state") == "待审核"
    page.fill("li[data-check=time_limit_over] input[name=reason]", "配方需跨两个鞋季验证，同意延至4年")
    page.click("li[data-check=time_limit_over] button")
    page.wait_for_selector("text=已豁免")
    page.click("button[value=publish]")
    page.wait_for_selector("text=已张榜发布")
    assert page.inner_text("#state") == "已张榜"

    # the researcher finds it by searching in Chinese and claims it
    login(page, url, researcher)
    page.click("nav >> text=揭榜领题")
    page.fill("input[name=q]", "鞋底的耐磨")
    page.keyboard.press("Enter")
    page.wait_for_selector("#board >> text=运动鞋大底耐磨橡胶配方攻关")
    page.click("#board >> text=运动鞋大底耐磨橡胶配方攻关")
    assert "13905950000" not in page.inner_text("#contact")
    assert "≤ 80 mm³" in page.inner_text("#indicators")
    page.click("#claim-link")
    page.fill("textarea[name=approach]",
              "采用溶聚丁苯与高顺式顺丁橡胶并用，白炭黑高分散补强，兼顾耐磨与湿滑性能。")
    page.fill("textarea[name=plan]", "1-6 月小试，7-12 月中试，13-18 月量产验证。")
    page.fill("input[name=ms-0-title]", "小试样品")
    page.fill("input[name=ms-0-month]", "6")
    page.click("#claim-submit")
    page.wait_for_selector("#proposal-state")
    assert page.inner_text("#proposal-state") == "已揭榜"

    # staff shortlist and match
    login(page, url, staff)
    page.goto(f"{url}/challenges/{challenge.pk}/")
    page.click("#proposals >> text=入围")
    page.wait_for_selector("text=已入围")
    page.click("#proposals >> text=确认对接成功")
    page.wait_for_selector("text=已确认对接成功")
    assert page.inner_text("#state") == "对接成功"

    # the enterprise records the contract (milestones prefilled from the proposal)
    login(page, url, poster)
    page.goto(f"{url}/challenges/{challenge.pk}/")
    page.click("#contract-link")
    assert page.input_value("input[name=ms-0-title]") == "小试样品"
    page.fill("input[name=amount]", "110")
    page.fill("input[name=ms-0-payment]", "30")
    page.click("#contract-submit")
    page.wait_for_selector("#contract")
    assert page.inner_text("#state") == "已签约"
    assert "110 万元" in page.inner_text("#contract")
    challenge.refresh_from_db()
    assert str(challenge.contract_amount) == "1100000.00"
    # the matched researcher now sees the contact
    login(page, url, researcher)
    page.goto(f"{url}/challenges/{challenge.pk}/")
    assert "13905950000" in page.inner_text("#contact")


def test_researcher_import_checks_in_a_job_then_imports(live_server, browser_page, tmp_path):
    """A file too large to check within the request: the job page shows the check, the
    organizer confirms, the import job's page shows what was written."""
    from innolink.accounts.models import Institution
    from innolink.challenges.models import ResearcherProfile
    from innolink.challenges.tests.files import csv_bytes, rows

    page = browser_page
    url = live_server.url
    Institution.objects.create(name="华侨大学", kind="university")
    staff = make_user(Role.ORGANIZER, username="e2e-import", display_name="林主任")
    data = tmp_path / "科研人员.csv"
    data.write_bytes(csv_bytes(rows(1500)))
    login(page, url, staff)
    page.goto(f"{url}/challenges/researchers/import/")
    page.set_input_files("input[type=file]", str(data))
    page.click("#import-form button[type=submit]:not([name])")
    page.wait_for_selector("#confirm-import")
    assert "共 1500 行：新增 1500，更新 0，无变化 0。" in page.inner_text("#import-summary")
    assert "检查通过，尚未导入" in page.inner_text("#import-summary")
    assert page.get_attribute("#job [data-status]", "data-status") == "succeeded"
    assert ResearcherProfile.objects.count() == 0
    page.click("#confirm-import")
    page.wait_for_selector("#import-summary >> text=已导入")
    assert "导入科研人员：科研人员.csv" in page.inner_text("h1")
    assert ResearcherProfile.objects.count() == 1500
    page.goto(f"{url}/challenges/researchers/import/")
    assert "导入科研人员：科研人员.csv" in page.inner_text("#recent-imports")
