"""Dependencies point one way (issue 16), read from the source with ``ast`` so it stays true:

- ``innolink.core`` and ``innolink.accounts`` know no domain app: they import only each other,
  the pure engines and libraries. Domain knowledge reaches them through registries the apps
  fill (``nav.py``, ``overview_section``, job runners), never through an import.
- No app imports the ``innolink.api`` package that assembles the apps' routers (the shared error
  body is ``innolink.core.schemas``).
- No two modules import each other, not even inside a function (services <-> tasks used to;
  tasks import services, services start jobs by kind). There is no exception list.

Imports inside functions count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "innolink"
FOUNDATION = ("innolink.core", "innolink.accounts", "innolink.engines")
def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, pathlib.Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).parts
        if "migrations" in rel or "tests" in rel or ".venv" in rel:
            continue
        found[_module_name(path)] = path
    return found


def _resolve(name: str, known: dict[str, pathlib.Path]) -> str | None:
    """The longest known module that ``name`` is or lies in."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: pathlib.Path, known: dict[str, pathlib.Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # ``from pkg import mod`` depends on pkg.mod when that is a module
            names = [f"{stem}.{alias.name}" for alias in node.names] + [stem]
            names = [n for n in names if n in known] or [stem]
        else:
            continue
        for name in names:
            if name.startswith("innolink"):
                target = _resolve(name, known)
                if target and target != module:
                    out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    known = _sources()
    return {module: _imports(module, path, known) for module, path in known.items()}


def _inside(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_graph_is_read():
    graph = _graph()
    assert "innolink.events.services.events" in graph
    assert "innolink.core.errors" in graph["innolink.events.services.events"]


def test_core_and_accounts_know_no_domain_app():
    wrong = sorted((module, target) for module, targets in _graph().items()
                   if _inside(module, ("innolink.core", "innolink.accounts"))
                   for target in targets
                   if not _inside(target, FOUNDATION))
    assert wrong == []


def test_apps_do_not_import_the_api_package():
    wrong = sorted((module, target) for module, targets in _graph().items()
                   if not _inside(module, ("innolink.api",))
                   for target in targets if _inside(target, ("innolink.api",)))
    assert wrong == []


def test_no_two_modules_import_each_other():
    graph = _graph()
    pairs = {tuple(sorted((a, b))) for a, targets in graph.items() for b in targets
             if a in graph.get(b, ())
             # a package's __init__ re-exporting its own modules is not a cycle
             and not (b.startswith(a + ".") or a.startswith(b + "."))}
    assert sorted(pairs) == []


def test_an_import_inside_a_function_counts(tmp_path):
    """A lazy import cannot hide a cycle: ``_imports`` reads function bodies, relative imports
    and ``from pkg import module`` alike."""
    known = {"innolink.x.a": tmp_path / "a.py", "innolink.x.b": tmp_path / "b.py",
             "innolink.x": tmp_path / "__init__.py"}
    path = tmp_path / "a.py"
    path.write_text("def f():\n    from innolink.x.b import g\n    return g\n", encoding="utf-8")
    assert _imports("innolink.x.a", path, known) == {"innolink.x.b"}
    path.write_text("def f():\n    from . import b\n    return b\n", encoding="utf-8")
    assert "innolink.x.b" in _imports("innolink.x.a", path, known)
    path.write_text("class C:\n    def m(self):\n        import innolink.x.b\n", encoding="utf-8")
    assert _imports("innolink.x.a", path, known) == {"innolink.x.b"}
