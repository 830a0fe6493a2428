"""Every workspace panel template reads its figures from ``panel`` (the context its app's
``nav.workspace_panels`` builds): a bare name renders as nothing, which is how the reviewer's
counts, the staff's event list and the projects count once showed blank."""

import re
from pathlib import Path

import pytest

import innolink

GLOBALS = {"panel", "user", "request", "perms", "csrf_token", "LANG", "forloop", "True",
           "False", "None"}
NAME = r"([A-Za-z_][A-Za-z0-9_]*)"


def _names_used(source: str) -> set[str]:
    used = set(re.findall(r"{{\s*" + NAME, source))
    used |= set(re.findall(r"{%\s*for\s+[\w, ]+\s+in\s+" + NAME, source))
    used |= set(re.findall(r"{%\s*(?:el)?if\s+(?:not\s+)?" + NAME, source))
    used |= set(re.findall(r"\bwith\s+(?:\w+=" + NAME + r"\S*\s*)", source))
    for args in re.findall(r"{%\s*blocktranslate[^%]*\bwith\b([^%]*)%}", source):
        used |= set(re.findall(r"\w+=" + NAME, args))
    return used


def _names_bound(source: str) -> set[str]:
    bound = set()
    for targets in re.findall(r"{%\s*for\s+([\w, ]+?)\s+in\s", source):
        bound |= {t.strip() for t in targets.split(",")}
    for args in re.findall(r"{%\s*(?:blocktranslate|with)\b([^%]*)%}", source):
        bound |= set(re.findall(r"(\w+)=", args))
    bound |= set(re.findall(r"\bcount\s+(\w+)=", source))
    bound |= set(re.findall(r"\bas\s+(\w+)", source))
    return bound


PANELS = sorted(Path(innolink.__file__).parent.glob("*/templates/*/_workspace*.html"))


@pytest.mark.parametrize("path", PANELS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_panel_template_reads_only_its_panel_context(path):
    source = path.read_text(encoding="utf-8")
    stray = _names_used(source) - _names_bound(source) - GLOBALS
    assert not stray, f"{path.name} reads {sorted(stray)} outside ``panel``"


def test_the_check_finds_a_bare_name():
    assert _names_used("{{ todo }} {% for e in events %}{{ e }}{% endfor %}") - \
        _names_bound("{% for e in events %}") - GLOBALS == {"todo", "events"}
