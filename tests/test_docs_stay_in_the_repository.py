"""No document cites a file outside the repository (issue 16): a reader with a clone has every
file a decision, guide or benchmark note points to. Paths of the machine a session ran on
(``/work/…``, ``../shared``, a home directory) are refused in every Markdown file and in the
run instructions of the benchmarks."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"(?<![\w.])(/work/|\.\./shared\b|/home/\w|~/)")


SKIP = {"node_modules", "var", "vendor", "__pycache__"}


def _documents() -> list[pathlib.Path]:
    found = [*ROOT.rglob("*.md"), *ROOT.joinpath("bench").glob("*.py")]
    return sorted(path for path in found
                  if not any(part.startswith(".") or part in SKIP
                             for part in path.relative_to(ROOT).parts[:-1]))


def test_no_document_cites_a_file_outside_the_repository():
    documents = _documents()
    assert len(documents) > 50
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}"
             for path in documents
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert found == []


def test_the_check_sees_such_a_path():
    assert OUTSIDE.search("See `/work/shared/anchors/ranking-anchors.md`.")
    assert OUTSIDE.search("cd ../shared && ls")
    assert not OUTSIDE.search("GET /api/work/items and docs/decisions/0201-ranking-methodology.md")
