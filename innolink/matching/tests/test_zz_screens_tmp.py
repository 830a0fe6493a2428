"""TEMPORARY (not committed): screenshots of the recommendation pages at 1280/390, zh/en."""
import pytest

from innolink.accounts.roles import Role
from innolink.challenges import services as board
from innolink.challenges.tests.factories import proposal_data
from innolink.core.testing import PASSWORD, make_user
from innolink.matching.tests.factories import (institution, make_challenge, make_profile,
                                               make_researcher_user)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OUT = "/tmp/screens"


def _login(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workspace/")


def test_screens(live_server, browser):
    staff = make_user(Role.ORGANIZER, username="scr-staff", display_name="陈主任")
    poster = make_user(Role.ENTERPRISE, username="scr-ent", display_name="王工")
    foam = make_challenge(poster=poster, staff=staff, title="超临界流体发泡TPU鞋中底材料规模化制备",
                          statement="鞋材企业需要以超临界流体为发泡剂、可回收、高回弹的TPU中底发泡材料及其规模化制备技术，替代难以回收的EVA中底。回弹率不低于60%。",
                          keywords="超临界发泡 TPU 中底", indicators=[
                              {"name": "回弹率", "comparator": "ge", "value": "60", "unit": "%"}])
    make_challenge(staff=staff, title="超临界流体发泡TPU鞋中底材料规模化制备（第二批）",
                   statement="另一家鞋企同样需要超临界流体发泡的TPU中底材料，要求可回收、高回弹，可规模化生产。",
                   keywords="超临界发泡 TPU", indicators=[
                       {"name": "回弹率", "comparator": "ge", "value": "55", "unit": "%"}])
    make_challenge(staff=staff, title="超临界二氧化碳无水染色鞋材",
                   statement="鞋材企业希望用超临界二氧化碳替代水作介质给鞋材染色，省水并减少印染废水。",
                   keywords="无水染色 超临界二氧化碳 鞋材", indicators=[
                       {"name": "节水率", "comparator": "ge", "value": "90", "unit": "%"}])
    claimed = make_challenge(staff=staff, title="发泡鞋底回弹率与耐久性提升",
                             statement="现有EVA发泡鞋底回弹率偏低、压缩变形大，企业希望提升回弹率和耐久性。",
                             keywords="发泡 鞋底 回弹", indicators=[
                                 {"name": "回弹率", "comparator": "ge", "value": "55", "unit": "%"}])
    make_challenge(staff=staff, title="龙伯透镜天线保护罩材料", domain="it",
                   statement="天线厂商为新研发的龙伯透镜天线寻找天线罩材料：高效率、低损耗，极端气候下可靠耐久。",
                   keywords="龙伯透镜 天线罩 透波材料", indicators=[
                       {"name": "介电损耗", "comparator": "le", "value": "0.002", "unit": ""}])
    nb = institution("中国科学院宁波材料技术与工程研究所", "institute")
    user, me = make_researcher_user(inst=nb, name="聚合物微孔发泡团队", research_fields="聚合物发泡，超临界流体",
                                    keywords="超临界二氧化碳发泡，TPU，爆米花中底，高回弹",
                                    achievements="以超临界二氧化碳为发泡剂制备TPU发泡中底，回弹率 65%，与鞋企合作量产。",
                                    discipline="材料科学与工程", domains=["materials"])
    user.username = "scr-res"; user.save()
    board.proposal_create(actor=user, challenge=claimed, data=proposal_data())
    make_profile(inst=institution("大连工业大学", "university"), name="超临界CO2无水染色团队",
                 research_fields="无水染色", keywords="超临界二氧化碳，无水染色，工程化",
                 achievements="超临界二氧化碳无水染色装备与工艺的工程化。", domains=["materials"])
    make_profile(inst=institution("泉州师范学院", "university"), name="绿色环保功能鞋材工程研究中心",
                 research_fields="运动鞋材，高分子材料", keywords="高性能鞋材，发泡鞋底，环境友好鞋材",
                 achievements="高性能运动鞋材与发泡鞋底的清洁生产，回弹率 58%。", domains=["materials"])
    make_profile(inst=institution("中北大学", "university"), name="透波材料博士后团队",
                 research_fields="电磁透波材料", keywords="龙伯透镜，天线罩，低损耗",
                 achievements="天线保护罩透波复合材料。", domains=["materials", "it"])
    pages = [("staff", staff, f"/matching/challenges/{foam.pk}/"),
             ("researcher", user, "/matching/researchers/me/"),
             ("poster", poster, f"/matching/challenges/{foam.pk}/")]
    for lang in ("zh-hans", "en"):
        for width in (1280, 390):
            for role, who, path in pages:
                ctx = browser.new_context(viewport={"width": width, "height": 900},
                                          locale="zh-CN" if lang == "zh-hans" else "en-US")
                ctx.add_cookies([{"name": "django_language", "value": lang,
                                  "url": live_server.url}])
                page = ctx.new_page()
                page.set_default_timeout(60_000)
                _login(page, live_server.url, who)
                page.goto(f"{live_server.url}{path}")
                page.screenshot(path=f"{OUT}/{role}-{lang}-{width}.png", full_page=True)
                ctx.close()
