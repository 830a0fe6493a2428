"""Every notification is stored as a msgid with values (ADR 0790), read from the source.

Each call of ``notify`` (and of an app's helper that forwards a title to it: ``_send``,
``_notify_poster``, ``_notify_parties``, ``_notify_declarant``) outside tests passes its title
and body as a msgid marked with ``N_`` (``gettext_noop``), a ``Message(N_(...), ...)``, a
conditional between such, or a name the helper received: never a string literal, an f-string,
a ``%``-formatted or ``gettext``-translated text, which would fix the sender's language. Every
such msgid has an English translation.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.utils import translation

ROOT = pathlib.Path(__file__).resolve().parents[1]
FORWARDERS = {"notify", "_send", "_notify_poster", "_notify_parties", "_notify_declarant"}
# positional index of the title in the forwarders that take it positionally
POSITIONAL_TITLE = {"_notify_poster": 1, "_notify_parties": 1, "_notify_declarant": 1}


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _sources():
    for path in sorted(ROOT.joinpath("innolink").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or path.name == "conftest.py":
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _calls():
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in FORWARDERS:
                yield path, node


def _messages(node: ast.Call) -> list[tuple[str, ast.expr]]:
    found = [(k.arg, k.value) for k in node.keywords if k.arg in ("title", "body")]
    index = POSITIONAL_TITLE.get(_name(node.func))
    if index is not None and len(node.args) > index:
        found.append(("title", node.args[index]))
    return found


def _msgids(value: ast.expr) -> list[str] | None:
    """The msgids ``value`` stands for ([] for a forwarded name or an empty body), or None when
    it is text worded at send time."""
    if isinstance(value, ast.Call) and _name(value.func) == "N_":
        arg = value.args[0] if value.args else None
        return [arg.value] if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
            else None
    if isinstance(value, ast.Call) and _name(value.func) == "Message" and value.args:
        return _msgids(value.args[0])
    if isinstance(value, ast.IfExp):
        a, b = _msgids(value.body), _msgids(value.orelse)
        return None if a is None or b is None else a + b
    if isinstance(value, ast.Constant) and value.value == "":
        return []
    if isinstance(value, ast.Name):
        return []  # a parameter of a forwarder, or a variable checked where it is assigned
    return None


def test_the_walk_finds_the_call_sites():
    sites = list(_calls())
    assert len(sites) >= 45, len(sites)  # a renamed helper would otherwise pass unchecked
    assert {p.relative_to(ROOT).parts[1] for p, _n in sites} >= {  # the app, package or not
        "challenges", "compute", "matching", "projects", "rankings", "servicedesk", "policies",
        "events"}


def test_no_notification_title_or_body_is_worded_at_send_time():
    bad = []
    for path, node in _calls():
        for field, value in _messages(node):
            if _msgids(value) is None:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {field}={ast.unparse(value)}")
    assert not bad, "notify() needs N_ msgids with params (ADR 0790):\n" + "\n".join(bad)


def test_variables_handed_to_notify_hold_msgids():
    """A name passed as title or body is assigned only msgids in its function (or is one of
    the function's own parameters, checked at the function's callers)."""
    bad = []
    for path, tree in _sources():
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = {a.arg for a in func.args.args + func.args.kwonlyargs}
            names = {v.id for node in ast.walk(func) if isinstance(node, ast.Call)
                     and _name(node.func) in FORWARDERS
                     for _f, v in _messages(node) if isinstance(v, ast.Name)} - params
            for node in ast.walk(func):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        pairs = (zip(target.elts, node.value.elts)
                                 if isinstance(target, ast.Tuple)
                                 and isinstance(node.value, ast.Tuple) else [(target, node.value)])
                        for t, v in pairs:
                            if isinstance(t, ast.Name) and t.id in names and _msgids(v) is None:
                                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {t.id}")
    assert not bad, bad


@pytest.mark.django_db
def test_every_notification_msgid_reads_in_english():
    msgids = {m for _p, node in _calls() for _f, v in _messages(node) for m in _msgids(v) or []}
    for path, tree in _sources():  # and the msgids held in variables first
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "Message" and node.args:
                msgids.update(_msgids(node.args[0]) or [])
    assert len(msgids) >= 60
    with translation.override("en"):
        untranslated = sorted(m for m in msgids if translation.gettext(m) == m)
    assert not untranslated
