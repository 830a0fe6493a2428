"""The library of real clauses (innolink/policies/library): every clause from a named published
document, each with at least two worked cases, every case run through both evaluators.

The library is separate from the demo city's rule files: it is the evidence that the format
says published clauses as they are written (issue #11), and a stock officers can copy from.
"""

from pathlib import Path

import pytest

from innolink.engines.rules import explain, load_registry, load_test_cases, reference_evaluate
from innolink.engines.rules.fields import load_catalogue

LIBRARY = Path(__file__).resolve().parents[3] / "policies" / "library"
load_catalogue()
load_catalogue(LIBRARY / "data" / "catalogue.yaml")
_REGISTRY = load_registry(LIBRARY)
_CASES = [case for path in sorted((LIBRARY / "tests").glob("*.yaml")) for case in load_test_cases(path, _REGISTRY)]


@pytest.fixture(autouse=True)
def _library_catalogue():
    """Django tests in the same process may have made the registry's rows the catalogue; the
    library's own indicators are registered again before each test."""
    load_catalogue()
    load_catalogue(LIBRARY / "data" / "catalogue.yaml")


def _clauses():
    return [(p, v, c) for p in _REGISTRY.policies for v in p.versions for c in v.clauses]


def test_the_library_holds_at_least_thirty_real_clauses_with_their_sources():
    clauses = _clauses()
    assert len({(p.id, c.id) for p, _v, c in clauses}) >= 30
    for policy, version, clause in clauses:
        assert not policy.illustrative, policy.id
        assert policy.source and version.doc_number, policy.id
        assert clause.article, f"{policy.id}.{clause.id} names no article"


def test_every_clause_has_at_least_two_worked_cases():
    counts: dict[tuple[str, str], int] = {}
    for case in _CASES:
        for clause_id in case.expected:
            counts[(case.policy_id, clause_id)] = counts.get((case.policy_id, clause_id), 0) + 1
    missing = [(p.id, c.id) for p, _v, c in _clauses() if counts.get((p.id, c.id), 0) < 2]
    assert missing == []
    assert all(case.source for case in _CASES), [c.location for c in _CASES if not c.source]


def test_every_case_file_names_a_library_policy():
    for path in sorted((LIBRARY / "tests").glob("*.yaml")):
        assert (LIBRARY / path.name).exists(), path.name


@pytest.mark.parametrize("case", _CASES, ids=[f"{c.policy_id}:{c.name}" for c in _CASES])
def test_library_case(case):
    # given an enterprise from a worked case of the legal text
    answer = explain(_REGISTRY, case.record, case.year, policy_ids={case.policy_id}, history_from=case.history_from)
    reference = reference_evaluate(_REGISTRY, case.record, case.year, policy_ids={case.policy_id},
                                   history_from=case.history_from)
    by_clause = {a.clause_id: a for a in answer.eligible + answer.not_eligible}
    # then both evaluators give the legal amount
    for clause_id, (eligible, amount) in case.expected.items():
        got = by_clause[clause_id]
        assert (got.eligible, got.amount) == (eligible, amount), f"{case.location} {clause_id}: {got.steps or got.misses}"
        assert reference[(case.policy_id, clause_id)][:2] == (eligible, amount), f"{case.location} {clause_id} (reference)"
        if clause_id in case.statuses:
            assert got.status == case.statuses[clause_id], f"{case.location} {clause_id}: {got.status}"
    # and the named failing fields are among the reported misses
    for clause_id, fields in case.failing.items():
        reported = {m.field for m in by_clause[clause_id].misses}
        assert set(fields) <= reported, f"{case.location} {clause_id}: {reported}"
