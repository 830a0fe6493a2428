"""The services package's public surface (ADR 0798): every public name an entity module defines
is re-exported by ``innolink.policies.services``, and is the same object there."""

from __future__ import annotations

import ast
import importlib
import pathlib

from innolink.policies import services

PACKAGE = pathlib.Path(services.__file__).parent


def _defined(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return {n for n in names if not n.startswith("_")}


def test_every_public_name_of_a_module_is_reexported_as_itself():
    seen = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(f"innolink.policies.services.{path.stem}")
        for name in _defined(path):
            assert name not in seen, f"{name} defined in {seen.get(name)} and {path.stem}"
            seen[name] = path.stem
            assert getattr(services, name) is getattr(module, name), f"{path.stem}.{name}"
    assert set(services.__all__) == set(seen)
    # the names callers use across the project, one per module
    assert {"policy_sync", "scan_now", "application_submit", "ledger_reverse",
            "calendar_days_add", "revision_publish", "check_year"} <= set(seen)
