"""End to end in headless Chromium at phone width: a red typhoon warning pushed through the API
reaches an enterprise, which confirms and reports its measures; the meteorologist then sees no
one missing in that enterprise's town."""

import pytest

from innolink.accounts.models import Department
from innolink.accounts.roles import Role
from innolink.core.testing import PASSWORD
from innolink.enterprises.testing import make_enterprise, make_user
from innolink.weather import services
from innolink.weather.capdocs import cap
from innolink.weather.models import CapSender, Notice

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")


def test_enterprise_confirms_a_red_warning_on_a_phone(live_server, browser):
    from django.utils import timezone

    from innolink.weather.capdocs import SENDER

    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    page.set_default_timeout(30_000)
    base = live_server.url
    CapSender.objects.create(sender=SENDER, name="晋江市气象台")
    department, _ = Department.objects.get_or_create(code="qxj", defaults={"name": "气象局"})
    meteorologist = make_user(Role.METEOROLOGIST, username="e2e-qx", department=department)
    enterprise = make_enterprise(name="深沪港口物流有限公司", town="深沪")
    owner = make_user(Role.ENTERPRISE, username="e2e-port", enterprise=enterprise)
    services.profile_save(actor=meteorologist, enterprise=enterprise, exposures=["port_logistics"])
    result = services.cap_ingest(data=cap(identifier="E2E-1", sent=timezone.now().replace(
        microsecond=0), city=True), source="push")
    assert result.applied

    _login(page, base, owner)
    assert "待确认" in page.inner_text("#workspace-weather")
    page.goto(f"{base}/weather/")
    page.click("#notices a.button")
    page.check("input[name=done] >> nth=0")
    page.fill("#measures", "船舶已回港，集装箱已绑扎")
    page.click("#acknowledge button[type=submit]")
    page.wait_for_url("**/weather/")
    assert "已确认" in page.inner_text("#notices")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 2")
    notice = Notice.objects.get(enterprise=enterprise)
    assert notice.acknowledged_at and "船舶已回港" in notice.measures

    _login(page, base, meteorologist)
    page.goto(f"{base}/weather/warnings/{result.warning_id}/")
    assert "全部已回应" in page.inner_text("#non-responders")
