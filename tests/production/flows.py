"""The main flow of each service, driven in the browser as the demo role that uses it.

Each flow gets the logged-in `Crawl` (tests/production/crawl.py) and works like a user: it opens
pages, fills forms and presses buttons, then checks that the page it lands on says what the
user expects (a success message, the new record in the list). A step that does not happen raises
FlowFailed; the crawl reports it with the page it stopped on. Flows only rely on what
`demo_seed` creates, and each role's flow stands alone, so the roles can run in parallel.
"""

from __future__ import annotations

import datetime as dt
import re


class FlowFailed(AssertionError):
    pass


def _messages(crawl) -> str:
    return " / ".join(crawl.page.locator(".messages li, .alert, .field-error, .errorlist")
                      .all_inner_texts())


def expect_success(crawl, what: str) -> None:
    if crawl.page.locator(".messages li.success").count() == 0:
        raise FlowFailed(f"{what}: no success message on {crawl.page.url} "
                         f"(page says: {_messages(crawl)[:300] or 'nothing'})")


def expect_text(crawl, text: str, what: str) -> None:
    if text not in crawl.page.locator("main").inner_text():
        raise FlowFailed(f"{what}: {text!r} not on {crawl.page.url}")


def submit(crawl, button) -> None:
    button.click()
    crawl.settle()


def first_href(crawl, selector: str, what: str) -> str:
    hrefs = crawl.links(selector)
    if not hrefs:
        raise FlowFailed(f"{what}: no link matching {selector} on {crawl.page.url}")
    return hrefs[0]


def stamp() -> str:
    return dt.datetime.now().strftime("%H%M%S%f")[:9]


# -- 诉求 (service desk) -----------------------------------------------------------------------
def enterprise(crawl) -> None:
    """Files a 诉求 and finds it in its list; applies for a policy it qualifies for; asks for
    compute and books the best offer."""
    page = crawl.page
    title = f"厂区道路积水影响出货（巡检 {stamp()}）"
    crawl.goto("/servicedesk/new/")
    page.select_option("#id_category", index=1)
    page.fill("#id_title", title)
    page.fill("#id_description", "厂区门口道路每逢下雨积水，货车无法进出，希望协调排水改造。")
    submit(crawl, page.locator("main form button[type=submit]"))
    expect_success(crawl, "诉求 filed")
    if not re.search(r"/servicedesk/requests/\d+/$", page.url):
        raise FlowFailed(f"诉求 filed: landed on {page.url}, not the request")
    crawl.goto("/servicedesk/requests/")
    expect_text(crawl, title, "the new 诉求 in the enterprise's list")

    # 政策: apply for the first clause that offers it; when none does, supply a missing figure
    # where the answer asks for it (快申快享), which brings the application form
    crawl.goto("/policies/mine/")
    claims = crawl.links("main a.claim")
    facts = page.locator("#not-eligible form.facts-form")
    if not claims and facts.count():
        for field in facts.first.locator("input[type=text]").all():
            field.fill("900")
        submit(crawl, facts.first.locator("button[type=submit]"))
        claims = crawl.links("main a.claim")
    for href in claims[:5]:
        crawl.goto(href)
        form = page.locator("form.claim-form")
        if form.count() == 0:
            continue
        for name, value in (("account_holder", "演示企业"), ("bank_name", "晋江农商银行"),
                            ("bank_account", "6217000012345678"),
                            ("contact_name", "王经理"), ("contact_phone", "0595-85600000")):
            field = form.locator(f"[name={name}]")
            if field.count() and not field.input_value():
                field.fill(value)
        consent = form.locator("[name=consent]")
        if consent.count():
            consent.check()
        submit(crawl, form.locator("button[type=submit]"))
        if not re.search(r"/policies/applications/\d+/$", page.url):
            raise FlowFailed(f"policy application: landed on {page.url} "
                             f"(page says: {_messages(crawl)[:300]})")
        break
    else:
        raise FlowFailed("policy application: no clause on 我的政策 offers an application")

    # 算力: a need, the ranked offers, a booking of the first
    crawl.goto("/compute/requests/new/")
    page.fill("#title", "鞋面缺陷检测模型训练（巡检）")
    page.fill("#card_hours", "64")
    submit(crawl, page.locator("#request-form button[type=submit]"))
    expect_success(crawl, "compute need")
    book = page.locator("main form[action*='/book/'] button[type=submit]")
    if book.count() == 0:
        raise FlowFailed(f"compute need: no offer to book on {page.url}")
    submit(crawl, book.first)
    expect_success(crawl, "compute booking")


def handler(crawl) -> None:
    """Opens the queue's 待签收 tab and signs a 诉求 assigned to the department."""
    page = crawl.page
    crawl.goto("/servicedesk/requests/?status=assigned")
    hrefs = [h for h in crawl.links("main table a[href*='/servicedesk/requests/']")
             if re.search(r"/servicedesk/requests/\d+/$", h)]
    for href in list(dict.fromkeys(hrefs))[:10]:
        crawl.goto(href)
        if page.locator("#sign").count():
            submit(crawl, page.locator("#sign"))
            expect_success(crawl, "sign")
            return
    raise FlowFailed("sign: no assigned 诉求 with a 签收 button")


# -- 揭榜挂帅 (challenges) ------------------------------------------------------------------------
def researcher(crawl) -> None:
    """Claims a challenge from the board with a proposal and sees the proposal."""
    page = crawl.page
    crawl.goto("/challenges/")
    for href in crawl.links("main a")[:40]:
        if not re.fullmatch(r"/challenges/\d+/", href):
            continue
        crawl.goto(href)
        claim = page.locator("main a[href$='/claim/']")
        if claim.count() == 0:
            continue
        claim.first.click()
        crawl.settle()
        if page.locator("#claim-form").count() == 0:
            continue
        page.fill("#claim-form [name=approach]", "以多光谱成像与小样本学习识别鞋面瑕疵，分三期交付。")
        page.fill("#claim-form [name=plan]", "第 1—3 月采集样本，第 4—6 月样机联调，第 7 月验收。")
        if not page.input_value("#claim-form [name=budget]"):
            page.fill("#claim-form [name=budget]", "30")
        page.fill("#claim-form [name=ms-0-title]", "样机")
        page.fill("#claim-form [name=ms-0-month]", "3")
        page.fill("#claim-form [name=ms-0-deliverable]", "检测样机与测试报告")
        submit(crawl, page.locator("#claim-submit"))
        if re.search(r"/challenges/proposals/\d+/$", page.url):
            expect_success(crawl, "challenge claim")
            return
        raise FlowFailed(f"challenge claim: stayed on {page.url} ({_messages(crawl)[:300]})")
    raise FlowFailed("challenge claim: no open challenge with a 揭榜 link on the board")


# -- 气象 ----------------------------------------------------------------------------------------
def meteorologist(crawl) -> None:
    """Publishes a forecast product and sees it listed."""
    page = crawl.page
    title = f"晋江沿海大风提示（巡检 {stamp()}）"
    crawl.goto("/weather/forecasts/")
    summary = page.locator("details:has(#summary) > summary")
    if summary.count():
        summary.first.click()
    page.select_option("#area", "finance")
    page.fill("#title", title)
    page.fill("#summary", "未来三天沿海阵风 7 级，户外作业注意防风。")
    page.fill("#advice", "加固临时设施，暂停高空作业。")
    submit(crawl, page.locator("form:has(#summary) button[type=submit]"))
    expect_success(crawl, "forecast published")
    expect_text(crawl, title, "the new forecast in the list")


# -- 算力 (provider side) -----------------------------------------------------------------------
def provider(crawl) -> None:
    """Opens its compute home and confirms a requested booking when one waits."""
    page = crawl.page
    crawl.goto("/compute/")
    for href in crawl.links("main a[href*='/compute/bookings/']")[:10]:
        crawl.goto(href)
        confirm = page.locator("form[action$='/confirm/'] button[type=submit]")
        if confirm.count():
            submit(crawl, confirm)
            expect_success(crawl, "booking confirmed")
            return
    # nothing waiting: the provider's resources must at least be listed
    crawl.goto("/compute/")
    if page.locator("main a[href*='/compute/resources/']").count() == 0:
        raise FlowFailed("provider: neither a booking to confirm nor a resource listed")


# -- 领导驾驶舱 -----------------------------------------------------------------------------------
def leader(crawl) -> None:
    """Opens the overview (figures and the map) and the weekly briefs."""
    page = crawl.page
    crawl.goto("/overview/")
    if page.locator("main table, main .stat").count() == 0:
        raise FlowFailed("overview: no figures")
    crawl.goto("/overview/briefs/")
    submit(crawl, page.locator("main form[method=post] button").first)
    expect_success(crawl, "weekly brief generated")
    href = first_href(crawl, "main a[href$='.pdf']", "the new brief's PDF")
    response = page.request.get(crawl.url(href))
    if response.status != 200 or not response.body().startswith(b"%PDF"):
        raise FlowFailed(f"brief {href}: {response.status}, not a PDF")


FLOWS = {"enterprise": enterprise, "handler": handler, "researcher": researcher,
         "meteorologist": meteorologist, "provider": provider, "leader": leader}
