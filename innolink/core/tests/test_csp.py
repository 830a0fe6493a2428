"""Content-Security-Policy without inline script: every page sends a policy whose scripts come
from the platform only, and no template carries inline script (a <script> with code, an on…=
attribute, a javascript: link, htmx's eval-based hx-on)."""

import re
from pathlib import Path

import pytest

from innolink.enterprises.testing import make_user

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in ROOT.rglob("*.html") if "templates" in p.parts)
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
     "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\bhx-on", re.I), "hx-on (htmx evaluates it)"),
    (re.compile(r"\bhx-vals=['\"]\s*js:", re.I), "hx-vals js: (eval)"),
]


def test_templates_are_found():
    assert len(TEMPLATES) > 100 and any(p.name == "base.html" for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_carries_inline_script(path):
    text = path.read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert found == [], f"{path}: {found}"


@pytest.mark.django_db
@pytest.mark.parametrize("url,login", [("/", False), ("/accounts/login/", False),
                                       ("/workspace/", True), ("/api/docs", False),
                                       ("/admin/", True), ("/healthz", False)])
def test_every_response_sends_the_policy(client, url, login):
    if login:
        client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
