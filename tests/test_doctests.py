"""Docstring examples are tests: every example in the package (the pure engines, core's helpers
and every app module that carries one) runs here, so an example that no longer holds fails CI
instead of misleading the next reader."""

from __future__ import annotations

import doctest
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: Modules whose examples are known to be out of date, with who owns the fix. Keep it empty.
STALE: set[str] = set()


def _modules() -> list[str]:
    names = []
    for path in sorted((ROOT / "innolink").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if ">>> " in path.read_text(encoding="utf-8") and ".".join(parts) not in STALE:
            names.append(".".join(parts))
    return names


MODULES = _modules()


def test_the_engines_and_the_apps_carry_examples():
    assert len([m for m in MODULES if m.startswith("innolink.engines.")]) > 20
    assert {"innolink.core.ids", "innolink.core.files", "innolink.policies.present",
            "innolink.events.judging"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=True)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0, f"{result.failed} example(s) in {name} fail (see the output)"
