"""Each app lists the refusal codes it raises in one module, and every refusal reads in English.

The test reads the source (no import, no database): every call of an ``ApplicationError``
class, or of an exception class of ours that carries a ``code`` into one (``ImportFileError``,
``SpreadsheetRefused`` ...), in an app's code outside its tests

- passes ``code=`` as a name imported from that app's ``errors`` module (core's from
  ``core.errors``), never as a string written at the call, and the name is declared there;
- passes its message as a msgid (``_("…")``, possibly ``% {…}``) or a value computed elsewhere,
  never as a bare literal or an f-string, and every such msgid has an English ``msgstr`` in the
  app's ``locale/en`` catalogue (or the project's ``innolink/locale``).

ADR 0750 says why; the walker below is small enough to read when it refuses something.
"""

from __future__ import annotations

import ast
import gettext
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
APP_ROOT = ROOT / "innolink"
BASE = {"ApplicationError", "NotAuthenticated", "PermissionDenied", "NotFound", "Conflict",
        "ValidationFailed", "Throttled"}
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "_lazy"}
#: packages that are not an app with refusals of its own
NOT_APPS = {"engines", "api", "static", "templates", "locale"}


def _modules() -> dict[pathlib.Path, ast.Module]:
    out = {}
    for path in sorted(APP_ROOT.rglob("*.py")):
        rel = path.relative_to(APP_ROOT)
        if rel.parts[0] in NOT_APPS or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        out[rel] = ast.parse(path.read_text(encoding="utf-8"))
    return out


MODULES = _modules()


def _carriers() -> set[str]:
    """The error base and its subclasses, and our exception classes that carry a refusal code
    into one (a keyword-only ``code`` in their ``__init__``: ``ImportFileError`` ...)."""
    names = set(BASE)
    grew = True
    while grew:
        grew = False
        for tree in MODULES.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and (
                        any(_name(b) in names for b in node.bases) or _takes_code(node)):
                    names.add(node.name)
                    grew = True
    return names


def _takes_code(node: ast.ClassDef) -> bool:
    return any(isinstance(f, ast.FunctionDef) and f.name == "__init__"
               and any(a.arg == "code" for a in f.args.kwonlyargs) for f in node.body)


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


CARRIERS = _carriers()


def _declared(app: str) -> set[str]:
    """The names bound to a string in the app's errors module."""
    path = APP_ROOT / app / "errors.py"
    if not path.exists():
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {t.id for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for t in node.targets if isinstance(t, ast.Name)}


def _imported_codes(tree: ast.Module, app: str) -> dict[str, str]:
    """Local name -> declared name, for names imported from the app's own errors module."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == f"innolink.{app}.errors":
            for alias in node.names:
                out[alias.asname or alias.name] = alias.name
    return out


def _find_calls() -> list[tuple[pathlib.Path, ast.Module, ast.Call]]:
    return [(rel, tree, node) for rel, tree in MODULES.items() for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _name(node.func) in CARRIERS]


CALLS = _find_calls()


def _calls():
    return CALLS


def _message(call: ast.Call) -> ast.AST | None:
    """The message argument (ValidationFailed takes its fields first)."""
    for kw in call.keywords:
        if kw.arg == "message":
            return kw.value
    position = 1 if _name(call.func) == "ValidationFailed" else 0
    return call.args[position] if len(call.args) > position else None


def _msgid(node: ast.AST) -> str | None:
    """The msgid of ``_("…")`` or ``_("…") % {…}``; None for anything else."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left
    if (isinstance(node, ast.Call) and _name(node.func) in GETTEXT and node.args
            and isinstance(node.args[-1], ast.Constant) and isinstance(node.args[-1].value, str)):
        return node.args[-1].value
    return None


def _literal(node: ast.AST) -> bool:
    """Text written at the call that no catalogue can translate (either branch of a
    conditional counts: ``"甲" if x else _("乙")`` is a literal)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    if isinstance(node, ast.IfExp):
        return _literal(node.body) or _literal(node.orelse)
    return False


def _catalogue(app: str) -> dict[str, str]:
    """The compiled English catalogues (the .mo Django reads; fuzzy entries are not in them)."""
    out: dict[str, str] = {}
    for mo in (APP_ROOT / "locale" / "en" / "LC_MESSAGES" / "django.mo",
               APP_ROOT / app / "locale" / "en" / "LC_MESSAGES" / "django.mo"):
        if mo.exists():
            with mo.open("rb") as handle:
                out.update({k: v for k, v in gettext.GNUTranslations(handle)._catalog.items()
                            if isinstance(k, str) and k and v})
    return out


def test_the_walker_sees_the_refusals():
    calls = list(_calls())
    assert len(calls) > 300
    assert {"ImportFileError", "SpreadsheetRefused", "FileUnreadable"} <= CARRIERS


def test_every_code_is_declared_in_its_apps_errors_module():
    wrong = []
    for rel, tree, call in _calls():
        app = rel.parts[0]
        imported = _imported_codes(tree, app)
        declared = _declared(app)
        for kw in call.keywords:
            if kw.arg != "code":
                continue
            where = f"innolink/{rel}:{kw.value.lineno}"
            if isinstance(kw.value, ast.Constant):
                wrong.append(f"{where}: code {kw.value.value!r} written at the call")
            elif isinstance(kw.value, ast.Name) and kw.value.id.isupper():
                local = kw.value.id
                ok = (imported.get(local) in declared if app != "core"
                      else local in declared)
                if not ok:
                    wrong.append(f"{where}: {local} is not declared in innolink/{app}/errors.py")
    assert not wrong, "declare the code in the app's errors.py:\n" + "\n".join(wrong)


def test_every_declared_code_is_raised_and_unique():
    for path in sorted(APP_ROOT.glob("*/errors.py")):
        app = path.parent.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        values = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                  and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
        assert len(values) == len(set(values)), f"{app}: a code is declared twice"
        if app == "core":
            continue
        used = set()
        for rel, tree_, _call in _calls():
            if rel.parts[0] == app:
                used |= set(_imported_codes(tree_, app).values())
        unused = _declared(app) - used
        assert not unused, f"innolink/{app}/errors.py declares codes nobody raises: {unused}"


#: Modules that still refuse with Chinese literals (issue 16: "five of six apps raise Chinese
#: literals"), with how many calls: the count may only go down, and a module leaves the list
#: when it reaches 0. Nothing may be added.
LITERAL_MESSAGES_LEFT: dict[str, int] = {}


def test_every_refusal_message_is_a_translated_msgid():
    untranslatable, untranslated = [], []
    left: dict[str, int] = {}
    catalogues: dict[str, dict[str, str]] = {}
    for rel, _tree, call in _calls():
        app = rel.parts[0]
        message = _message(call)
        where = f"innolink/{rel}:{call.lineno}"
        if message is None:
            continue
        if _literal(message):
            if rel.as_posix() in LITERAL_MESSAGES_LEFT:
                left[rel.as_posix()] = left.get(rel.as_posix(), 0) + 1
            else:
                untranslatable.append(where)
            continue
        msgid = _msgid(message)
        if msgid is None:
            continue
        catalogue = catalogues.setdefault(app, _catalogue(app))
        if msgid not in catalogue:
            untranslated.append(f"{where}: {msgid}")
    assert not untranslatable, ("wrap the message in _() (a msgid):\n"
                                + "\n".join(untranslatable))
    assert not untranslated, ("give the msgid an English msgstr (makemessages -l en in the app):\n"
                              + "\n".join(untranslated))
    for module, count in LITERAL_MESSAGES_LEFT.items():
        assert left.get(module, 0) <= count, f"innolink/{module}: more literal refusals than listed"
        assert left.get(module, 0) == count, (
            f"innolink/{module}: {left.get(module, 0)} literal refusals left, fewer than listed: "
            "lower the count in LITERAL_MESSAGES_LEFT (remove the module at 0)")


@pytest.mark.parametrize("source, expected", [
    ('raise Conflict("已结项", code="closed")', ["literal message", "literal code"]),
    ('raise Conflict(_("已结项"), code=CLOSED)', []),
    ('raise Conflict(f"{x} 已结项")', ["literal message"]),
])
def test_the_walker_tells_a_literal_from_a_msgid(source, expected):
    call = ast.parse(source).body[0].exc
    found = []
    if _literal(_message(call)):
        found.append("literal message")
    if any(kw.arg == "code" and isinstance(kw.value, ast.Constant) for kw in call.keywords):
        found.append("literal code")
    assert found == expected


# ------------------------------------------------------------------ field refusals (ADR 0791)

#: Helpers that build a field's refusal from a message, and the position of that message:
#: events' ``_fail(field, message)``, the ``Errors`` collectors' ``add(field, message)``
#: (challenges, projects), the import checks' ``fail(key, reason)``.
FIELD_MESSAGE_AT = {"_fail": 1, "add": 1, "fail": 1}
#: Helpers that take a field's *label* and translate it inside (``_("%(label)s…") % {"label":
#: _(label)}``): the label is a ``N_("…")`` msgid, never a literal. The ``Errors`` methods take
#: the label translated by the caller (``_("榜单名称")``), so a literal is refused there too.
FIELD_LABEL_AT = {"_int_in": 2, "_text": 3, "text": 2, "choice": 2, "integer": 2, "decimal": 2,
                  "money": 2, "date": 2}
MSGIDS = GETTEXT | {"N_", "gettext_noop", "Message"}


def _chinese(node: ast.AST) -> bool:
    """A literal (or f-string, or either branch of a conditional) holding Chinese text."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any("\u4e00" <= c <= "\u9fff" for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_chinese(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _chinese(node.left) or _chinese(node.right)
    if isinstance(node, ast.IfExp):
        return _chinese(node.body) or _chinese(node.orelse)
    return False


def _field_messages(tree: ast.Module):
    """(node, what) for every message or label handed to a field-refusal helper, and every
    message in a field list: ``ValidationFailed({field: [message]})``, ``errors[field] =
    [message]``, ``errors.setdefault(field, []).append(message)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            for table, what in ((FIELD_MESSAGE_AT, "message"), (FIELD_LABEL_AT, "label")):
                at = table.get(name or "")
                if at is not None and len(node.args) > at:
                    yield node.args[at], f"{what} of {name}()"
            if name == "ValidationFailed" and node.args and isinstance(node.args[0], ast.Dict):
                for value in node.args[0].values:
                    for item in (value.elts if isinstance(value, (ast.List, ast.Tuple))
                                 else [value]):
                        yield item, "field message of ValidationFailed()"
            if (name == "append" and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Call)
                    and _name(node.func.value.func) == "setdefault" and node.args):
                yield node.args[0], "field message appended"
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and any(
                isinstance(t, ast.Subscript) for t in node.targets):
            for item in node.value.elts:
                yield item, "field message assigned"


def _msgid_of(node: ast.AST) -> str | None:
    """Like ``_msgid``, also for ``N_("…")`` (a label translated inside the helper)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left
    if (isinstance(node, ast.Call) and _name(node.func) in MSGIDS and node.args
            and isinstance(node.args[-1], ast.Constant) and isinstance(node.args[-1].value, str)):
        return node.args[-1].value
    return None


def test_the_field_walker_sees_the_helpers():
    seen = {what for tree in MODULES.values() for _node, what in _field_messages(tree)}
    assert {"message of _fail()", "message of add()", "label of _int_in()", "label of _text()",
            "field message of ValidationFailed()", "field message assigned"} <= seen


def test_every_field_refusal_is_a_translated_msgid():
    """A Chinese literal handed to a field-refusal helper (or written in a field list) would
    show Chinese on an English page: it must be a msgid with an English msgstr."""
    untranslatable, untranslated = [], []
    catalogues: dict[str, dict[str, str]] = {}
    for rel, tree in MODULES.items():
        app = rel.parts[0]
        for node, what in _field_messages(tree):
            where = f"innolink/{rel}:{node.lineno}"
            if _chinese(node):
                untranslatable.append(f"{where}: {what}")
                continue
            msgid = _msgid_of(node)
            if msgid is None or not any("\u4e00" <= c <= "\u9fff" for c in msgid):
                continue
            catalogue = catalogues.setdefault(app, _catalogue(app))
            if msgid not in catalogue:
                untranslated.append(f"{where}: {msgid}")
    assert not untranslatable, ("wrap the message in _() (a label translated inside the "
                                "helper in N_()):\n" + "\n".join(untranslatable))
    assert not untranslated, ("give the msgid an English msgstr in the app's catalogue:\n"
                              + "\n".join(untranslated))


@pytest.mark.parametrize("source, refused", [
    ('raise _fail("rooms", "请至少填写一间会议室")', True),
    ('raise _fail("rooms", _("请至少填写一间会议室"))', False),
    ('e.add("domain", f"{x}：必填")', True),
    ('e.add("domain", _("主领域：必填"))', False),
    ('n = _int_in(v, "slot_count", "时段数", 1, 40)', True),
    ('n = _int_in(v, "slot_count", N_("时段数"), 1, 40)', False),
    ('errors["title"] = ["请填写活动名称"]', True),
    ('raise ValidationFailed({"x": ["甲" if a else _("乙")]})', True),
    ('errors.setdefault(k, []).append(f"{label}为必填项")', True),
])
def test_the_field_walker_tells_a_literal_from_a_msgid(source, refused):
    found = [node for node, _what in _field_messages(ast.parse(source)) if _chinese(node)]
    assert bool(found) == refused
