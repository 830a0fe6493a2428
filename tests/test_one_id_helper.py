"""The id range check is written once, in ``innolink/core/ids.py`` (ADR 0720, 0750).

Every other module reads ids with ``parse_id`` / ``is_id`` / ``id_or_none`` / ``valid_ids``; a
module that compares with ``2**63`` or ``2**31``, keeps its own ``MAX_ID``, or compares with
``MAX_ID`` wrote the check again.
"""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HOME = "innolink/core/ids.py"
#: Not an id: the engines' integer bounds (pure code, cannot import core) and array sizes.
NOT_IDS = {"innolink/engines/rules/budget.py", "innolink/engines/ranking/uncertainty.py"}

RANGE_CHECK = re.compile(
    r"""(
        \b0\s*<\s*[\w.]+\s*<=?\s*(2\s*\*\*\s*(63|31)|MAX_ID|\d{10,})   # 0 < x <= MAX
      | <=?\s*MAX_ID\b | \bMAX_ID\s*>=?                              # x <= MAX_ID
      | ^\s*MAX_ID\s*=                                               # a copy of the bound
      | <=?\s*2\s*\*\*\s*(63|31)\b                                   # x < 2**63
    )""", re.X | re.M)


def _offenders() -> list[str]:
    found = []
    for path in sorted((ROOT / "innolink").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == HOME or rel in NOT_IDS or "/tests/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        for match in RANGE_CHECK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{rel}:{line}: {match.group(0).strip()}")
    return found


def test_no_module_writes_the_id_range_check_again():
    offenders = _offenders()
    assert not offenders, ("read the id with innolink.core.ids (parse_id, is_id, id_or_none):\n"
                           + "\n".join(offenders))


@pytest.mark.parametrize("line", [
    "    if not 0 < pk <= MAX_ID:",
    "    return number if 0 < number < 2**63 else None",
    "MAX_ID = 2**63 - 1",
    "    if not 0 < value <= 2**63 - 1:",
    "filter(pk=report_id if 0 < report_id < 2**31 else 0)",
])
def test_the_pattern_sees_each_variant_the_apps_had(line):
    assert RANGE_CHECK.search(line)


@pytest.mark.parametrize("line", [
    "pk = parse_id(pk)",
    "    if not is_id(filters.policy):",
    "    seed = _int_param(data, 'seed', '抽签号', 0, 2**31 - 1)",
])
def test_the_pattern_leaves_the_helper_calls_alone(line):
    assert not RANGE_CHECK.search(line)
