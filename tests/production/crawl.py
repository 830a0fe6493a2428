"""Drive a running production deployment with headless Chromium as every demo role.

    .venv/bin/python tests/production/crawl.py https://127.0.0.1:8443

For the anonymous visitor and each demo account: log in, open every menu page and the first
detail link each list offers (one level deep, same host), switch to English and back. Fails on
any 5xx answer, any request to a host other than the platform's, any browser console error or
uncaught page error. Run by scripts/production-check in CI; prints one line per role.
"""

from __future__ import annotations

import shutil
import sys
import time
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import sync_playwright

PASSWORD = "Jinjiang@2026"  # innolink.demo.generator.DEMO_PASSWORD
ROLES = ["admin", "organizer", "officer", "handler", "reviewer", "researcher", "enterprise",
         "leader", "coordinator", "cadre", "provider", "meteorologist"]
# links that change state or leave the page's language; the crawl only reads
SKIP = ("/accounts/logout", "/i18n/", "/admin/logout", "export", ".pdf", ".xlsx", ".csv",
        "/download", "/attachments/")
MAX_DETAIL_PAGES = 25


class Crawl:
    def __init__(self, base: str, page):
        self.base = base.rstrip("/")
        self.host = urlsplit(base).netloc
        self.page = page
        self.problems: list[str] = []
        self.visited: set[str] = set()
        page.on("response", self._response)
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error on {page.url}: {exc}"))

    def _response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} {response.url}")

    def _request(self, request) -> None:
        host = urlsplit(request.url).netloc
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host != self.host:
            self.problems.append(f"request to another host: {request.url} (from {self.page.url})")

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def visit(self, url: str) -> None:
        url = urljoin(self.base + "/", url).split("#")[0]
        if url in self.visited or urlsplit(url).netloc != self.host:
            return
        if any(s in url for s in SKIP):
            return
        self.visited.add(url)
        self.page.goto(url, wait_until="networkidle")

    def links(self, selector: str) -> list[str]:
        return [h for h in self.page.eval_on_selector_all(
            selector, "els => els.map(e => e.getAttribute('href'))") if h and h.startswith("/")]

    def walk_menu(self) -> None:
        self.visit("/")
        menu = self.links("nav.mainnav a")
        for url in menu:
            self.visit(url)
            # one detail page per list: the first in-content link not already in the menu
            details = [u for u in self.links("main a") if u not in menu]
            for detail in details[:2]:
                if len(self.visited) < len(menu) + MAX_DETAIL_PAGES:
                    self.visit(detail)

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        if "/accounts/login" in self.page.url:
            self.problems.append(f"{username} could not log in")


def main(base: str, only: list[str] | None = None) -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    failures = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--ignore-certificate-errors",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for who in only or ["anonymous", *ROLES]:
            started = time.monotonic()
            context = browser.new_context(locale="zh-CN", ignore_https_errors=True)
            page = context.new_page()
            page.set_default_timeout(60_000)
            crawl = Crawl(base, page)
            if who != "anonymous":
                crawl.log_in(who)
            crawl.walk_menu()
            print(f"{who:<11} {len(crawl.visited):>3} pages  {time.monotonic() - started:5.1f} s  "
                  f"{len(crawl.problems)} problems", flush=True)
            for problem in crawl.problems[:20]:
                print(f"    {problem}")
            failures += len(crawl.problems)
            context.close()
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:] or None))  # optional: the roles to walk
