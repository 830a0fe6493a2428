"""ADR 0006 in every app, read from the views' source: a page that catches a service's refusal
(``except ApplicationError``) lets ``NotFound`` (404) and ``PermissionDenied`` (403) through,
as the API does; only a refusal that depends on the record's state or the input becomes a
message or a field error on the page.

A handler keeps the rule when an earlier ``except`` of the same ``try`` re-raises both, when it
hands the error to a helper that re-raises them (``refusal_as_message`` and the apps' form
helpers built on it), or when it re-raises a 403/404 itself."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROPAGATED = {"NotFound", "PermissionDenied"}
#: Helpers that re-raise a 404/403 before showing the rest (each checked below).
RERAISING_HELPERS = {"refusal_as_message", "_form_refusal", "_refused"}


def _names(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    elts = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {ast.unparse(e).rsplit(".", 1)[-1] for e in elts}


def _reraises(handler: ast.ExceptHandler) -> bool:
    return len(handler.body) == 1 and isinstance(handler.body[0], ast.Raise) \
        and handler.body[0].exc is None


def _keeps_the_rule(handler: ast.ExceptHandler) -> bool:
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", None)
            if name in RERAISING_HELPERS:
                return True
        if isinstance(node, ast.If) and any(isinstance(s, ast.Raise) for s in node.body):
            test = ast.unparse(node.test)
            if ("403" in test and "404" in test) or PROPAGATED <= set(
                    n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)):
                return True
    return False


def _view_modules():
    for path in sorted(ROOT.joinpath("innolink").rglob("*.py")):
        rel = path.relative_to(ROOT).parts
        if "tests" in rel or not (path.stem == "views" or "views" in rel[:-1]):
            continue
        yield path


def _swallowed() -> tuple[list[str], int]:
    wrong, seen = [], 0
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            passed: set[str] = set()
            for handler in node.handlers:
                names = _names(handler)
                if _reraises(handler):
                    passed |= names
                    continue
                if names & {"ApplicationError", "Exception", "BaseException"}:
                    seen += 1
                    if not PROPAGATED <= passed and not _keeps_the_rule(handler):
                        wrong.append(f"{path.relative_to(ROOT)}:{handler.lineno}")
    return wrong, seen


def test_the_helpers_reraise_a_404_and_a_403():
    import inspect

    from innolink.core import flash
    from innolink.events import views as event_views
    from innolink.policies import views as policy_views

    for fn in (flash.refusal_as_message, event_views._form_refusal, policy_views._refused):
        source = inspect.getsource(fn)
        assert "refusal_as_message" in source or (
            "NotFound" in source and "PermissionDenied" in source and "raise" in source), fn


def test_pages_let_404_and_403_through():
    wrong, seen = _swallowed()
    assert seen > 20
    assert wrong == []


def test_a_page_refusal_that_swallows_a_403_is_found(tmp_path):
    """The check itself: a handler that turns every refusal into a message is reported."""
    source = (
        "def view(request):\n"
        "    try:\n"
        "        services.thing_do(actor=request.user)\n"
        "    except NotFound:\n"
        "        raise\n"
        "    except ApplicationError as exc:\n"
        "        messages.error(request, exc.message)\n")
    tree = ast.parse(source)
    handlers = [n for n in ast.walk(tree) if isinstance(n, ast.Try)][0].handlers
    passed = _names(handlers[0]) if _reraises(handlers[0]) else set()
    assert not PROPAGATED <= passed and not _keeps_the_rule(handlers[1])
