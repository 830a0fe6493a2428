"""Policy rules engine: load dated policy rules (YAML), validate them, scan a whole registry of
enterprises in one vectorised pass, and explain one enterprise's answer in Chinese.

Pure Python + numpy; never imports Django. Typical use::

    registry = load_registry()                          # innolink/policies/rulesets/*.yaml
    population = population_from_records(rows, 2024)    # rows: see population.py
    result = scan(registry, population)                 # every eligible enterprise per clause
    answer = explain(registry, rows[0], 2024)           # one enterprise, with arithmetic and gaps
"""

from ._errors import ErrorCode, RulesError
from .budget import FIRST_COME, PRO_RATA, SHORTFALL_RULES, Proration, prorate
from .evaluate import ClauseScan, ScanResult, scan, split_by_shares
from .explain import ClauseAnswer, ConditionCheck, EnterpriseAnswer, explain, explain_population_row
from .fields import ATTRIBUTES, INDICATORS, TAGS, TOWNS, FieldSpec, field_spec
from .load import DEFAULT_RULESETS_DIR, TestCase, load_policy_file, load_policy_text, load_registry, load_test_cases
from .model import Clause, Policy, PolicyVersion, Registry
from .population import Population, population_from_records
from .reference import reference_evaluate

__all__ = [
    "ATTRIBUTES",
    "INDICATORS",
    "TAGS",
    "TOWNS",
    "DEFAULT_RULESETS_DIR",
    "FIRST_COME",
    "PRO_RATA",
    "SHORTFALL_RULES",
    "Proration",
    "prorate",
    "Clause",
    "ClauseAnswer",
    "ClauseScan",
    "ConditionCheck",
    "EnterpriseAnswer",
    "ErrorCode",
    "FieldSpec",
    "Policy",
    "PolicyVersion",
    "Population",
    "Registry",
    "RulesError",
    "ScanResult",
    "TestCase",
    "explain",
    "explain_population_row",
    "field_spec",
    "load_policy_file",
    "load_policy_text",
    "load_registry",
    "load_test_cases",
    "population_from_records",
    "reference_evaluate",
    "scan",
    "split_by_shares",
]
