"""Ranking engine: composite-indicator lists (民营企业百强 and thematic lists) from a
columnar data snapshot and a methodology file. Pure Python + numpy/scipy; never imports Django.

Typical use::

    from innolink.engines.ranking import Snapshot, load_methodologies, run_rankings
    snap = Snapshot.build(2025, ids, current_columns, previous_columns)
    result = run_rankings(load_methodologies(METHODOLOGY_DIR), snap)

Input (what ``innolink/rankings/fetch.py`` produces)::

    Snapshot.build(
        year,                      # int: the data year (e.g. 2025), must be in the file's years
        enterprise_ids,            # 1-D int array, unique
        current={                  # one array per field, same length and row order as the ids
            "town": [...],                 # str, e.g. "陈埭镇" (full or short town name)
            "industry_code": [...],        # str, GB/T 4754-2017, section letter first: "C1951"
            "ownership": [...],            # private/state/collective/foreign/hmt/mixed
            "serious_violation": bool array, "dishonest": bool array,
            "revenue": [...], ...          # yearly fields: float or Decimal, NaN/None = missing
        },
        previous={"revenue": [...], ...},  # last year's yearly fields for the same rows (optional)
    )

Yearly fields: revenue, total_assets, net_profit, tax_paid, rd_expense, invention_patents,
exports, imports, employees, energy_consumption (tce), equipment_investment,
fiscal_contribution (money in yuan). See ``fields.py``; other names are refused.

Output: ``RunResult.lists[list_id]`` is a :class:`ListResult`; its ``entries`` (members, in
display order) and ``review`` (uncertain non-members) are :class:`RankedEntry` objects with
``rank``, ``position``, ``score``, ``tied``, ``median_rank``, ``rank_p05``, ``rank_p95``,
``in_list_frequency``, ``uncertain``, ``indicators``, ``normalized`` and ``imputed``.
``to_dict()``/``from_dict()`` give a JSON-ready form for storage.

See ``docs/decisions/0201-ranking-methodology.md`` for the conventions.
"""

from ._errors import RankingError
from .aggregate import aggregate, geometric_mean, weighted_sum
from .compare import compare_lists
from .derive import BUILTIN_DERIVED, DerivedSpec, evaluate_indicator
from .engine import ENGINE_VERSION, prepare_list, run_list, run_rankings, validate_run
from .fields import FIELDS, FieldSpec, JINJIANG_TOWNS, field_names, register_field
from .methodology import (
    Eligibility,
    IndicatorSpec,
    Methodology,
    TieRule,
    UncertaintySpec,
    load_methodologies,
    load_methodology,
    parse_methodology,
)
from .normalize import efficacy, minmax, normalize, percentile_rank, winsorize, zscore
from .rank import rank_scores, tie_order
from .types import EntryChange, ListComparison, ListResult, RankedEntry, RunResult, Snapshot
from .uncertainty import RankBands, draw_perturbations, rank_bands
from .weights import entropy_weights, equal_weights, given_weights

__all__ = [
    "BUILTIN_DERIVED",
    "ENGINE_VERSION",
    "FIELDS",
    "JINJIANG_TOWNS",
    "DerivedSpec",
    "Eligibility",
    "EntryChange",
    "FieldSpec",
    "IndicatorSpec",
    "ListComparison",
    "ListResult",
    "Methodology",
    "RankBands",
    "RankedEntry",
    "RankingError",
    "RunResult",
    "Snapshot",
    "TieRule",
    "UncertaintySpec",
    "aggregate",
    "compare_lists",
    "draw_perturbations",
    "efficacy",
    "entropy_weights",
    "equal_weights",
    "evaluate_indicator",
    "field_names",
    "geometric_mean",
    "given_weights",
    "load_methodologies",
    "load_methodology",
    "minmax",
    "normalize",
    "parse_methodology",
    "percentile_rank",
    "prepare_list",
    "rank_bands",
    "rank_scores",
    "register_field",
    "run_list",
    "run_rankings",
    "tie_order",
    "validate_run",
    "weighted_sum",
    "winsorize",
    "zscore",
]
