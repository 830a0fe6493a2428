"""Every YAML test case in innolink/policies/rulesets/tests runs through both evaluators."""

import pytest

from innolink.engines.rules import DEFAULT_RULESETS_DIR, explain, load_registry, load_test_cases, reference_evaluate

_REGISTRY = load_registry()
_CASES = [
    case
    for path in sorted((DEFAULT_RULESETS_DIR / "tests").glob("*.yaml"))
    for case in load_test_cases(path, _REGISTRY)
]


def test_every_policy_has_yaml_cases():
    # given the registry and the loaded cases
    covered = {c.policy_id for c in _CASES}
    # then every policy has at least three cases
    assert covered == {p.id for p in _REGISTRY.policies}
    for policy in _REGISTRY.policies:
        assert sum(c.policy_id == policy.id for c in _CASES) >= 3, policy.id


def test_every_case_file_is_named_after_its_policy():
    for path in sorted((DEFAULT_RULESETS_DIR / "tests").glob("*.yaml")):
        assert (DEFAULT_RULESETS_DIR / path.name).exists(), path.name


@pytest.mark.parametrize("case", _CASES, ids=[f"{c.policy_id}:{c.name}" for c in _CASES])
def test_yaml_case(case):
    # given an enterprise record from the case file
    # when it is explained (vectorised path) and evaluated by the reference
    answer = explain(_REGISTRY, case.record, case.year, policy_ids={case.policy_id})
    reference = reference_evaluate(_REGISTRY, case.record, case.year, policy_ids={case.policy_id})
    by_clause = {a.clause_id: a for a in answer.eligible + answer.not_eligible}
    # then eligibility and amount per clause match the expectation on both paths
    for clause_id, (eligible, amount) in case.expected.items():
        got = by_clause[clause_id]
        assert (got.eligible, got.amount) == (eligible, amount), f"{case.location} {clause_id}"
        assert reference[(case.policy_id, clause_id)][:2] == (eligible, amount), f"{case.location} {clause_id} (reference)"
    # and the named failing fields are among the reported misses
    for clause_id, fields in case.failing.items():
        reported = {m.field for m in by_clause[clause_id].misses}
        assert set(fields) <= reported, f"{case.location} {clause_id}: {reported}"
