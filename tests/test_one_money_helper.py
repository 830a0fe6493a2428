"""Money is shown through one module, ``innolink/core/money.py`` (ADR 0793).

Eight copies of "yuan → 万元" had grown in the apps (one returned a float). A function whose
name says it formats or converts money (a ``wan`` word, or ``yuan``/``fen`` alone or with
``_text``) defined anywhere else is a new copy: call ``core.money`` instead.
"""

from __future__ import annotations

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HOME = "innolink/core/money.py"
#: the pure engines cannot import Django's core; they keep their own fen arithmetic
PURE = "innolink/engines/"

MONEY_NAME = re.compile(r"^_*(?:\w+_)?wan(?:_\w+)?$|^_*(?:yuan|fen)(?:_text)?$")


def _offenders(paths, root: pathlib.Path = ROOT) -> list[str]:
    found = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        if rel == HOME or rel.startswith(PURE) or "/tests/" in rel or "/migrations/" in rel:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) \
                    and MONEY_NAME.match(node.name):
                found.append(f"{rel}:{node.lineno}: def {node.name}")
    return found


def test_no_module_writes_its_own_money_helper():
    offenders = _offenders(sorted((ROOT / "innolink").rglob("*.py")))
    assert not offenders, ("format money with innolink.core.money (wan, wan_number, wan_input, "
                           "money_text, yuan_number, to_fen, from_fen):\n" + "\n".join(offenders))


@pytest.mark.parametrize("name", ["_wan", "wan", "_wan_text", "to_wan", "yuan", "_yuan",
                                  "_yuan_text", "_fen", "wan_cell"])
def test_the_pattern_sees_each_copy_the_apps_had(name):
    assert MONEY_NAME.match(name)


@pytest.mark.parametrize("name", ["yuan_values", "to_yuan", "swan_song", "fence", "funding_text",
                                  "wanted", "parse_money"])
def test_the_pattern_leaves_other_names_alone(name):
    assert not MONEY_NAME.match(name)


def test_the_walk_finds_a_new_copy(tmp_path):
    app = tmp_path / "innolink" / "shop"
    app.mkdir(parents=True)
    (app / "views.py").write_text("class Cart:\n    def _wan(self, x):\n        return x / 10000\n",
                                  encoding="utf-8")
    assert _offenders([app / "views.py"], tmp_path) == ["innolink/shop/views.py:2: def _wan"]
