"""Every route's HTTP methods match its action (issue 16), read from the views' source:

- A GET never writes. A page view that calls a write service (a ``@transaction.atomic``
  function of a ``services`` module) either accepts POST only, or calls it only on a branch that
  tests ``request.method`` / ``request.POST`` (a lambda handed to a form helper is the helper's
  business). A ``@router.get`` API handler calls none.
- One route per action: no route dispatches on an ``<action>`` segment of its URL; each action
  has its own URL name and view, in every app (the policies ledger's approve, reject, defer and
  pay included; no app is exempt).
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import textwrap

from django.urls import URLPattern, URLResolver, get_resolver

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _write_services() -> set[str]:
    names = set()
    for path in ROOT.joinpath("innolink").rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        if "tests" in rel or "migrations" in rel:
            continue
        if not (path.stem.endswith("services") or "services" in rel[:-1]):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and any(
                    "transaction.atomic" in ast.unparse(d) for d in node.decorator_list):
                names.add(node.name)
    return names


WRITES = _write_services()


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern):
            yield prefix, entry


def _function(view):
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    try:
        source = textwrap.dedent(inspect.getsource(view))
    except (OSError, TypeError):
        return None, None
    tree = ast.parse(source)
    return view, tree.body[0] if tree.body and isinstance(
        tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _writes_called(nodes) -> set[str]:
    out = set()
    for node in nodes:
        for sub in _walk_eager(node):
            if isinstance(sub, ast.Call):
                name = sub.func.attr if isinstance(sub.func, ast.Attribute) else getattr(
                    sub.func, "id", None)
                owner = ast.unparse(sub.func.value) if isinstance(sub.func, ast.Attribute) else ""
                if name in WRITES and (owner.endswith("services") or not owner):
                    out.add(name)
    return out


def _walk_eager(node):
    """``ast.walk`` without lambda bodies: a lambda handed to a form helper runs on POST only,
    which the helper (not this test) decides."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.Lambda):
            yield from _walk_eager(child)


def _unguarded_writes(body) -> set[str]:
    """Write calls reachable on a GET: outside ``if`` branches that test for POST."""
    found = set()
    for i, stmt in enumerate(body):
        if isinstance(stmt, ast.If):
            test = ast.unparse(stmt.test).replace("'", '"')
            gets = any(s in test for s in ('!= "POST"', '== "GET"', "not request.POST"))
            posts = not gets and ('"POST"' in test or "request.POST" in test)
            if posts:
                found |= _unguarded_writes(stmt.orelse)
                continue
            if gets:
                found |= _unguarded_writes(stmt.body)
                ends = stmt.body and isinstance(stmt.body[-1], (ast.Return, ast.Raise))
                if ends:  # ``if request.method != "POST": return ...``: the rest is POST
                    return found
                continue
            found |= _unguarded_writes(stmt.body) | _unguarded_writes(stmt.orelse)
        elif isinstance(stmt, (ast.With, ast.Try, ast.For)):
            inner = list(stmt.body)
            for handler in getattr(stmt, "handlers", []):
                inner += handler.body
            inner += getattr(stmt, "orelse", []) + getattr(stmt, "finalbody", [])
            found |= _unguarded_writes(inner)
        else:
            found |= _writes_called([stmt])
    return found


def _post_only(fn: ast.FunctionDef) -> bool:
    for dec in fn.decorator_list:
        text = ast.unparse(dec)
        if text.endswith("require_POST"):
            return True
        if "require_http_methods" in text and "GET" not in text:
            return True
    return False


def test_write_services_are_found():
    assert {"event_create", "project_close", "score_submit"} <= WRITES
    assert "event_slot_settings" not in WRITES


def test_a_get_never_writes_on_pages():
    wrong, seen = [], 0
    for ns, pattern in _patterns(get_resolver()):
        view, fn = _function(pattern.callback)
        if fn is None or not view.__module__.startswith("innolink."):
            continue
        seen += 1
        if _post_only(fn):
            continue
        called = _unguarded_writes(fn.body)
        if called:
            wrong.append((f"{ns}{pattern.name}", sorted(called)))
    assert seen > 100
    assert wrong == []


def test_a_get_never_writes_in_the_api():
    wrong, seen = [], 0
    for path in ROOT.joinpath("innolink").rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        if "tests" in rel or not (path.stem == "api" or "api" in rel[2:-1]):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    ast.unparse(d).startswith("router.get(") for d in node.decorator_list):
                seen += 1
                called = _writes_called(node.body)
                if called:
                    wrong.append((str(path.relative_to(ROOT)), node.name, sorted(called)))
    assert seen > 50
    assert wrong == []


def test_one_route_per_action():
    dispatch = set()
    for ns, pattern in _patterns(get_resolver()):
        if "action" in pattern.pattern.converters:
            dispatch.add(f"{ns}{pattern.name}")
    assert sorted(dispatch) == []


# --- one verb through URL name, view, API handler and service --------------------------------

#: Handlers whose name is not the verb of the write service they call, as ``(route or file,
#: handler)``; each with its reason. Rename instead of adding; this list only shrinks.
NAME_EXEMPT: set[tuple[str, str]] = {
    # pages that show a list (or a record) and take one small form on it: named for the page
    ("accounts:tokens", "api_tokens"),
    ("dashboard:briefs", "briefs"),
    ("matching:terms", "terms"),
    ("policies:scans", "scans"),
    ("policies:unpaid", "unpaid"),
    ("policies:calendar", "work_calendar"),
    ("rankings:runs", "run_list"),
    ("weather:forecasts", "forecasts"),
    ("weather:notice", "notice_detail"),
    ("challenges:interest-detail", "interest_detail"),
    ("policies:revision", "revision_detail"),
    # form pages whose service is a ``*_save`` shared by "new" and "edit" (or an open-for-edit)
    ("challenges:programme-create", "programme_edit"),
    ("challenges:programme-edit", "programme_edit"),
    ("compute:resource-edit", "resource_edit"),
    ("compute:resource-new", "resource_edit"),
    ("compute:solution-new", "solution_create"),
    ("rankings:declare", "declare"),
    ("policies:editor", "rules_edit"),
    # the 揭榜 / 申报 forms: one page, several services (stage, facts, submit; a proposal)
    ("challenges:claim", "claim"),
    ("policies:claim", "claim"),
    # one ``attachment_add`` service for three owners (challenge, proposal, offer)
    ("challenges:proposal-attachment", "proposal_attachment"),
    ("innolink/challenges/api/challenges.py", "challenge_attachment"),
    ("innolink/challenges/api/offers.py", "offer_attachment"),
    ("innolink/challenges/api/proposals.py", "proposal_attachment"),
}


def _services_called(fn) -> set[str]:
    """The write services a handler calls, lambdas included (a lambda handed to a step helper
    is still the handler's service)."""
    out = set()
    for sub in ast.walk(fn):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            if name in WRITES and (owner.endswith("services") or not owner):
                out.add(name)
    return out


def _write_verbs(decorators) -> bool:
    return any(ast.unparse(d).split("(")[0] in ("router.post", "router.put", "router.patch",
                                                 "router.delete") for d in decorators)


def _api_handlers():
    for path in ROOT.joinpath("innolink").rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        if "tests" in rel or not (path.stem == "api" or "api" in rel[2:-1]):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and _write_verbs(node.decorator_list):
                yield str(path.relative_to(ROOT)), node


def _misnamed_handlers() -> tuple[set[tuple[str, str]], int]:
    wrong, seen = set(), 0
    for ns, pattern in _patterns(get_resolver()):
        view, fn = _function(pattern.callback)
        if fn is None or not view.__module__.startswith("innolink."):
            continue
        called = _services_called(fn)
        if called:
            seen += 1
            if fn.name not in called:
                wrong.add((f"{ns}{pattern.name}", fn.name))
    for where, fn in _api_handlers():
        called = _services_called(fn)
        if called:
            seen += 1
            if fn.name not in called:
                wrong.add((where, fn.name))
    return wrong, seen


def test_a_handler_carries_the_verb_of_its_service():
    """A page view or API handler that calls a write service is named for it (the service
    ``offer_publish`` is called by the view ``offer_publish`` and the handler
    ``offer_publish``); a handler that calls several is named for one of them."""
    wrong, seen = _misnamed_handlers()
    assert seen > 100
    assert sorted(wrong - NAME_EXEMPT) == []
    assert NAME_EXEMPT <= wrong, f"renamed, remove from NAME_EXEMPT: {NAME_EXEMPT - wrong}"


def test_a_step_route_is_named_for_its_view():
    """The URL name of a view named for its service is that name, dashed (``offer-publish``),
    or its first or last words (``events:round-entries`` for ``round_entries_add``,
    ``projects:close`` for ``project_close``)."""
    wrong = []
    for ns, pattern in _patterns(get_resolver()):
        view, fn = _function(pattern.callback)
        if fn is None or not view.__module__.startswith("innolink.") or not pattern.name:
            continue
        if fn.name in _services_called(fn):
            words = pattern.name.replace("-", "_")
            if not (fn.name == words or fn.name.startswith(words + "_")
                    or fn.name.endswith("_" + words)):
                wrong.append((f"{ns}{pattern.name}", fn.name))
    assert wrong == []
