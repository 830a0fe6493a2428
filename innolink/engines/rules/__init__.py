"""Policy rules engine: load dated policy rules (YAML), validate them, scan a whole registry of
enterprises in one vectorised pass, and explain one enterprise's answer in Chinese.

Pure Python + numpy; never imports Django. Typical use::

    registry = load_registry()                          # innolink/policies/rulesets/*.yaml
    population = population_from_records(rows, 2024)    # rows: see population.py
    result = scan(registry, population)                 # every eligible enterprise per clause
    answer = explain(registry, rows[0], 2024)           # one enterprise: answers.EnterpriseAnswer

The catalogue (indicators, qualification types, item kinds) is data: the seed in
``catalogue.yaml`` is registered on import; the Django app registers the registry's rows.
"""

from . import fields as _fields
from ._errors import ErrorCode, RulesError
from .answers import (
    Choice, ClauseAnswer, ConditionCheck, EnterpriseAnswer, InputNeed, ItemLine, Level, LevelInfo,
    PaymentNote, PolicyDates, Route,
)
from .budget import FIRST_COME, PRO_RATA, SHORTFALL_RULES, Proration, prorate
from .evaluate import ClauseScan, ScanResult, scan, split_by_shares
from .explain import explain, explain_population_row
from .fields import (
    ATTRIBUTES, INDICATORS, ITEMS, QUALIFICATIONS, TAGS, TOWNS, FieldSpec, field_spec, load_catalogue,
    register_indicator, register_item_kind, register_qualification,
)
from .load import DEFAULT_RULESETS_DIR, TestCase, load_policy_file, load_policy_text, load_registry, load_test_cases
from .model import Clause, Policy, PolicyVersion, Registry
from .population import Population, population_from_records
from .reference import reference_evaluate

_fields.load_catalogue()

__all__ = [
    "ATTRIBUTES",
    "INDICATORS",
    "ITEMS",
    "QUALIFICATIONS",
    "TAGS",
    "TOWNS",
    "DEFAULT_RULESETS_DIR",
    "FIRST_COME",
    "PRO_RATA",
    "SHORTFALL_RULES",
    "Proration",
    "prorate",
    "Choice",
    "Clause",
    "ClauseAnswer",
    "ClauseScan",
    "ConditionCheck",
    "EnterpriseAnswer",
    "ErrorCode",
    "FieldSpec",
    "InputNeed",
    "ItemLine",
    "Level",
    "LevelInfo",
    "PaymentNote",
    "Policy",
    "PolicyDates",
    "PolicyVersion",
    "Population",
    "Registry",
    "Route",
    "RulesError",
    "ScanResult",
    "TestCase",
    "explain",
    "explain_population_row",
    "field_spec",
    "load_catalogue",
    "load_policy_file",
    "load_policy_text",
    "load_registry",
    "load_test_cases",
    "population_from_records",
    "reference_evaluate",
    "register_indicator",
    "register_item_kind",
    "register_qualification",
    "scan",
    "split_by_shares",
]
