"""The production crawl's phone/English checks (tests/production/crawl.py, decision 0770) catch
what they are meant to catch and nothing else, on small pages built here in the browser."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "production"))
import crawl  # noqa: E402

pytestmark = pytest.mark.e2e

CHROME_PAGE = """<!doctype html><html lang="en"><body>
<nav class="mainnav"><a href="/a">Policies</a><a href="/b">{nav}</a></nav>
<main><h1>Workspace · <span translate="no">晋江利盛机械有限公司</span></h1>
<h2 translate="no">陈博士</h2>
<h2 lang="zh-Hans">中文通知</h2>
<label>Town<select><option>青阳街道</option></select></label>
<label>{label}</label>
<button>{button}</button>
<p>正文中的企业描述（数据）</p>
</main></body></html>"""


def chrome(page, **parts) -> list[str]:
    page.set_content(CHROME_PAGE.format(**{"nav": "Rankings", "label": "Amount (10k yuan)",
                                           "button": "Save", **parts}))
    return page.evaluate(crawl.CHROME_CHECK, crawl.CHROME)


def test_english_chrome_with_marked_data_passes(browser_page):
    assert chrome(browser_page) == []


@pytest.mark.parametrize("part, text, found", [
    ("nav", "榜单", "a: 榜单"),
    ("button", "保存", "button: 保存"),
    ("label", "Paid（10k yuan）", "label: Paid（10k yuan）"),
])
def test_chinese_left_in_the_chrome_is_found(browser_page, part, text, found):
    assert chrome(browser_page, **{part: text}) == [found]


def overflow(page, body: str):
    page.set_viewport_size(crawl.PHONE)
    page.set_content(f"<!doctype html><html><head><meta name='viewport' "
                     f"content='width=device-width, initial-scale=1'></head>"
                     f"<body style='margin:0'>{body}</body></html>")
    return page.evaluate(crawl.OVERFLOW_CHECK)


def test_a_wide_element_overflows_the_phone_width(browser_page):
    result = overflow(browser_page, "<table id='wide' style='width:600px'><tr><td>x</td></tr>"
                                    "</table>")
    assert result["width"] == 390 and result["scrollWidth"] >= 600
    assert any(w.startswith("table#wide") for w in result["wide"])


def test_a_wide_table_in_a_scrolling_container_does_not(browser_page):
    assert overflow(browser_page, "<div style='overflow-x:auto'><table style='width:600px'>"
                                  "<tr><td>x</td></tr></table></div><p>text</p>") is None


# -- page loads (Crawl.open, decision 0712): settled without networkidle's 500 ms -------------
LATE_PAGE = """<!doctype html><html lang="en"><body><h1>Late</h1><script>
addEventListener("load", () => setTimeout(() => fetch("/late"), 20));
</script></body></html>"""


def test_a_request_made_after_the_load_event_is_still_answered_and_checked(browser_page):
    """A page that asks for more after its load event: Crawl.open waits for the answer, so its
    5xx is reported on that page, as with Playwright's networkidle."""
    def serve(route):
        if route.request.url.endswith("/late"):
            route.fulfill(status=500, body="boom")
        else:
            route.fulfill(status=200, content_type="text/html", body=LATE_PAGE)

    browser_page.route("https://crawl.test/**", serve)
    walk = crawl.Crawl("https://crawl.test", browser_page, "anonymous")
    walk.open("https://crawl.test/page")
    assert "500 https://crawl.test/late" in walk.problems
    assert not walk.pending
