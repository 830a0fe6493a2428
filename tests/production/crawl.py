"""Drive a running production deployment with headless Chromium as every demo role.

    .venv/bin/python tests/production/crawl.py https://127.0.0.1:8443            # every role
    .venv/bin/python tests/production/crawl.py https://127.0.0.1:8443 enterprise  # some roles

For the anonymous visitor and each demo account: log in, run the role's main flow through the
service it uses (tests/production/flows.py: file a 诉求 and see it, sign one, apply for a
policy, claim a challenge, publish a forecast, book compute, open the overview and a brief...),
then open every menu page and the first detail links each list offers (one level deep, same
host). Every page is checked with axe-core (WCAG 2.1 A and AA rules, decision 0710).

Then a second pass as a phone user reading English (decision 0770): the same logged-in role
switches the language with the page's own switcher (the select in the top bar, which sets the
language cookie), narrows the window to 390 px and opens every menu page again. On that pass
each page also fails on horizontal overflow (the document wider than the window) and on Chinese
characters left in the page chrome: the menu, headings (h1, h2), buttons, labels and table
headers, except inside an element marked as data (`translate="no"` or a Chinese `lang`).
axe-core runs on the first pass only (its rules do not depend on width or language).

Fails on any 5xx answer, any request to a host other than the platform's, any browser console
error or uncaught page error, a flow that does not reach its end, any axe-core violation, and
on the phone/English pass, overflow or Chinese chrome.
Roles run in parallel worker processes (CRAWL_WORKERS, default 3), each with one Chromium that
gives every role it walks a fresh browser context. A page counts as loaded at its load event once
every request it made has been answered (Crawl.open), not after networkidle's 500 ms of silence.
Run by scripts/production-check in CI; prints one line per role.
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
import os
import re
import shutil
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flows  # noqa: E402  (the sibling module, when run as a script)

PASSWORD = "Jinjiang@2026"  # innolink.demo.generator.DEMO_PASSWORD
# Longest walks first, so the parallel workers finish together.
ROLES = ["admin", "organizer", "officer", "coordinator", "enterprise", "researcher", "handler",
         "leader", "reviewer", "cadre", "provider", "meteorologist"]
# links that change state or leave the page's language; the crawl only reads
SKIP = ("/accounts/logout", "/i18n/", "/admin/logout", "export", ".pdf", ".xlsx", ".csv",
        "/download", "/attachments/", "/media/")
MAX_DETAIL_PAGES = 25
# Both passes in CI; CRAWL_PASSES=phone (or desktop) narrows a local rerun while fixing pages.
PASSES = os.environ.get("CRAWL_PASSES", "desktop,phone").split(",")
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what GB/T 37668-2019 asks of public-service sites.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Swagger UI's rendered operations (/api/docs) are a vendored library's markup, not ours (nested
# expand buttons, grey version stamps); we cannot change them without forking it. The page
# around it (language, title, our override) is still checked. Decision 0710.
THIRD_PARTY = [[".swagger-ui"]]
AXE_RUN = """async ([tags, exclude]) => {
  const result = await axe.run({include: [["html"]], exclude: exclude},
                               {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")), count: v.nodes.length}));
}"""


# After a page's load event: how long no request may be outstanding before the page counts as
# settled (Crawl.open; Playwright's "networkidle" waits 500 ms).
QUIET_MS = 50
PHONE = {"width": 390, "height": 844}
# Pages meant to scroll sideways at phone width (none today; a wide table belongs in a
# scrolling container, which does not widen the document). Path regexes.
OVERFLOW_ALLOWED: list[str] = []
# The page chrome that must be English on an English page; data inside it (an enterprise's
# name in a heading) is marked translate="no" or lang="zh-..." by the template. Swagger UI's
# markup on /api/docs is left out as for axe: it renders the OpenAPI schema, whose summaries are
# written in Chinese whatever the page language (ADR 0770, "The API reference").
CHROME = "nav.mainnav a, nav.mainnav h2, main h1, main h2, button, label, th, .topbar a"
CHROME_CHECK = r"""(selector) => {
  const cjk = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]/;
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[translate="no"], [lang^="zh"]')) continue;
    if (el.closest(".swagger-ui")) continue;  // the API reference: see THIRD_PARTY, ADR 0770
    if (!el.getClientRects().length && !el.closest("nav.mainnav")) continue;  // hidden
    let text = "";
    for (const node of el.childNodes) {  // own text and inline children, not data islands
      if (node.nodeType === Node.TEXT_NODE) text += node.textContent;
      else if (node.nodeType === Node.ELEMENT_NODE  // a label's select lists data, not chrome
               && !node.matches('select, textarea, input, datalist')
               && !node.closest('[translate="no"], [lang^="zh"]')) text += node.textContent;
    }
    text = text.replace(/\s+/g, " ").trim();
    if (cjk.test(text)) found.push(el.tagName.toLowerCase() + ": " + text.slice(0, 60));
  }
  return [...new Set(found)].slice(0, 8);
}"""
OVERFLOW_CHECK = r"""() => {
  const width = window.innerWidth, doc = document.scrollingElement;
  if (doc.scrollWidth <= width) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let scrolls = false;  // inside a scrolling container: not the document's overflow
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden") { scrolls = true; break; }
      }
      if (scrolls) continue;
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string"
           ? "." + el.className.trim().split(/\s+/).join(".") : "");
      wide.push(name + " " + Math.round(box.right) + "px");
      if (wide.length >= 4) break;
    }
  }
  return {scrollWidth: doc.scrollWidth, width: width, wide: wide};
}"""


class Crawl:
    def __init__(self, base: str, page, who: str):
        self.base = base.rstrip("/")
        self.host = urlsplit(base).netloc
        self.page = page
        self.who = who
        self.problems: list[str] = []
        self.visited: set[str] = set()
        self.checked: set[str] = set()
        self.axe_seconds = 0.0
        self.axe_pages = 0
        self.phone_pages = 0
        self.phone = False  # the phone/English pass: layout and language checks, no axe
        self.axe_source = AXE_SOURCE.read_text(encoding="utf-8")
        self.pending: set = set()  # requests sent and not yet answered (see open)
        page.on("response", self._response)
        page.on("request", self._request)
        page.on("requestfinished", self._settled)
        page.on("requestfailed", self._settled)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error on {page.url}: {exc}"))

    def _response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} {response.url}")

    def _request(self, request) -> None:
        host = urlsplit(request.url).netloc
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        self.pending.add(request)
        if host != self.host:
            self.problems.append(f"request to another host: {request.url} (from {self.page.url})")

    def _settled(self, request) -> None:
        self.pending.discard(request)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    # -- pages ------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return urljoin(self.base + "/", path).split("#")[0]

    def open(self, url: str):
        """Open a page and wait until it has loaded and every request it made has its answer.

        Playwright's "networkidle" waits for 500 ms of network silence after the last request,
        on every one of the ~700 page loads of a crawl (~350 s of browser time). Our pages make
        no request later than their load event but the job page's 1 s poll, so this waits for
        the load event, then until no request is outstanding for QUIET_MS: every request a
        page makes is still answered, and its 5xx, console errors and foreign hosts seen, before
        the checks run (decision 0712)."""
        response = self.page.goto(url, wait_until="load")
        deadline = time.monotonic() + 30
        while True:
            self.page.wait_for_timeout(QUIET_MS)  # lets Playwright deliver pending events
            if not self.pending:
                return response
            if time.monotonic() > deadline:
                self.problems.append(f"no answer in 30 s on {self.page.url} to "
                                     f"{', '.join(sorted(r.url for r in self.pending)[:3])}")
                self.pending.clear()
                return response

    def goto(self, path: str):
        """Open a page (flows use this: no skip list, no visited set) and check it."""
        response = self.open(self.url(path))
        self.visited.add(self.page.url.split("#")[0])
        self.accessibility()
        return response

    def settle(self) -> None:
        """After a click that submits a form: wait for the answer page, then check it."""
        self.page.wait_for_load_state("networkidle")
        self.accessibility()

    def visit(self, path: str) -> None:
        url = self.url(path)
        if url in self.visited or urlsplit(url).netloc != self.host:
            return
        if any(s in url for s in SKIP):
            return
        self.visited.add(url)
        self.open(url)
        if self.phone:
            self.phone_checks()
        else:
            self.accessibility()

    def phone_checks(self) -> None:
        """At 390 px in English: no sideways scrolling of the document, no Chinese chrome."""
        if "html" not in (self.page.evaluate("document.contentType") or ""):
            return
        self.phone_pages += 1
        path = urlsplit(self.page.url).path
        lang = self.page.evaluate("document.documentElement.lang")
        if not lang.startswith("en"):
            self.problems.append(f"phone/en: {path} is not in English (html lang={lang!r})")
            return
        overflow = self.page.evaluate(OVERFLOW_CHECK)
        if overflow and not any(re.search(a, path) for a in OVERFLOW_ALLOWED):
            self.problems.append(
                f"phone/en: {path} overflows at {overflow['width']} px (document "
                f"{overflow['scrollWidth']} px; widest: {', '.join(overflow['wide']) or '?'})")
        chinese = self.page.evaluate(CHROME_CHECK, CHROME)
        if chinese:
            self.problems.append(f"phone/en: Chinese chrome on {path}: {' | '.join(chinese)}")

    def walk_phone_english(self) -> None:
        """Second pass: switch to English with the page's own switcher, narrow to 390 px and
        open every menu page again (no detail pages, no axe: decision 0770)."""
        self.page.set_viewport_size(PHONE)
        self.open(self.url("/"))
        with self.page.expect_navigation(wait_until="networkidle"):
            self.page.click("form.lang button[value=en]")
        self.phone = True
        self.visited = set()
        self.visit("/")
        for url in self.links("nav.mainnav a"):
            self.visit(url)

    def accessibility(self) -> None:
        """Run axe-core on the page as it stands; each violation is a problem.

        Pages that differ only in their ids (two challenge details) are checked once per role:
        they come from the same template, and axe is the slowest part of the walk."""
        if "html" not in (self.page.evaluate("document.contentType") or ""):
            return
        shape = re.sub(r"\d+", "N", urlsplit(self.page.url).path)
        if shape in self.checked:
            return
        self.checked.add(shape)
        started = time.monotonic()
        try:
            # evaluated through the DevTools protocol, so the page's CSP (no inline script)
            # does not stop it and the page itself never loads axe-core
            self.page.evaluate(self.axe_source)
            violations = self.page.evaluate(AXE_RUN, [AXE_TAGS, THIRD_PARTY])
        except PlaywrightError as exc:  # navigation during the run: report, don't hide
            self.problems.append(f"axe-core could not run on {self.page.url}: {exc}")
            return
        finally:
            self.axe_seconds += time.monotonic() - started
            self.axe_pages += 1
        for v in violations:
            self.problems.append(
                f"a11y {v['impact']} {v['id']} on {urlsplit(self.page.url).path}: {v['help']} "
                f"({v['count']} × e.g. {', '.join(v['targets'])})")

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
        self.accessibility()
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        if "/accounts/login" in self.page.url:
            self.problems.append(f"{username} could not log in")


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--ignore-certificate-errors", "--disable-component-update", "--disable-sync",
                "--no-first-run"]
_browser = None  # one Chromium per worker process, shared by the roles it walks


def _worker_browser():
    """This worker process's Chromium, launched on its first role (and again if it died).

    Each role still gets a fresh browser context (its own cookies, storage and cache), so roles
    stay as separate as with a browser each; launching Playwright's driver and Chromium once
    per worker instead of once per role saves ten launches per crawl (decision 0712)."""
    global _browser
    if _browser is None or not _browser.is_connected():
        playwright = sync_playwright().start()
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        _browser = playwright.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)

        def stop(browser=_browser, driver=playwright):
            with contextlib.suppress(Exception):
                browser.close()
            with contextlib.suppress(Exception):
                driver.stop()

        # a pool worker ends through multiprocessing's exit hooks, not atexit
        multiprocessing.util.Finalize(None, stop, exitpriority=10)
    return _browser


def walk(base: str, who: str) -> tuple[str, list[str]]:
    """One role's whole walk in its own browser context; returns the summary line and the
    problems."""
    started = time.monotonic()
    context = _worker_browser().new_context(locale="zh-CN", ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    crawl = Crawl(base, page, who)
    flow_note = "no flow"
    try:
        if who != "anonymous":
            crawl.log_in(who)
        if "desktop" in PASSES:
            flow = flows.FLOWS.get(who)
            if flow is not None:
                flow_started = time.monotonic()
                flow(crawl)
                flow_note = f"flow {time.monotonic() - flow_started:4.1f} s"
            crawl.walk_menu()
        if "phone" in PASSES:
            crawl.walk_phone_english()
    except Exception as exc:  # a flow step that did not happen, a page that never loaded
        first = (str(exc).strip().splitlines() or [""])[0]
        where = [f"{f.name}:{f.lineno}" for f in traceback.extract_tb(exc.__traceback__)
                 if f.filename.endswith("flows.py")]
        crawl.problems.append(f"stopped at {page.url}: {type(exc).__name__}: {first} "
                              f"({' '.join(where) or 'crawl'})")
    finally:
        context.close()
    line = (f"{who:<13} {len(crawl.visited):>3} pages  {time.monotonic() - started:5.1f} s  "
            f"{flow_note}  axe {crawl.axe_pages} pages {crawl.axe_seconds:4.1f} s  "
            f"phone/en {crawl.phone_pages} pages  "
            f"{len(crawl.problems)} problems")
    return line, crawl.problems


def main(base: str, only: list[str] | None = None) -> int:
    if not AXE_SOURCE.exists():
        print(f"!! {AXE_SOURCE} is missing: run scripts/setup (npm ci installs axe-core)")
        return 1
    roles = only or ["anonymous", *ROLES]
    workers = max(1, min(len(roles), int(os.environ.get("CRAWL_WORKERS", "3"))))
    started = time.monotonic()
    failures = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for line, problems in pool.map(walk, [base] * len(roles), roles):
            print(line, flush=True)
            for problem in problems[:40]:
                print(f"    {problem}")
            if len(problems) > 40:
                print(f"    ... and {len(problems) - 40} more")
            failures += len(problems)
    print(f"crawl: {len(roles)} roles, {workers} workers, {time.monotonic() - started:.1f} s, "
          f"{failures} problems", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:] or None))  # optional: the roles to walk
