"""The columnar conversion: the records path goes through it, decimal text is exact on its fast
path, a population survives a round trip through plain arrays, and concatenation equals a fresh
conversion of the same rows."""

import random
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from innolink.engines.rules import ErrorCode, RulesError, population_from_records
from innolink.engines.rules.population import (
    concat_populations,
    population_differences,
    population_from_arrays,
    population_from_columns,
    population_to_arrays,
)
from innolink.engines.rules.synthetic import synthetic_records


def test_arrays_round_trip_and_concat_equal_a_fresh_conversion():
    records = synthetic_records(600, 2024, seed=9)
    whole = population_from_records(records, 2024)
    assert population_differences(population_from_arrays(population_to_arrays(whole)), whole) == []
    parts = [population_from_records(records[a:b], 2024) for a, b in ((0, 7), (7, 300), (300, 600))]
    assert population_differences(concat_populations(parts), whole) == []
    # labels no row uses any more disappear, as in a fresh conversion of the rows kept
    keep = np.arange(0, 600, 3)
    fresh = population_from_records([records[i] for i in keep], 2024)
    assert population_differences(concat_populations([whole.take(keep)]), fresh) == []


def test_decimal_text_fast_path_agrees_with_decimal():
    rng = random.Random(4)
    texts = [rng.choice(["-", ""]) + str(rng.randint(0, 10**12)) + rng.choice(["", ".", ".5", ".25", ".125", ".1255"])
             for _ in range(3000)]
    texts = [t.rstrip(".") for t in texts] + ["1E+3", "0.005", "-0.00", "7"]
    for kind, place in (("revenue", Decimal("0.01")), ("energy_consumption", Decimal("0.001"))):
        pop = population_from_records([{"credit_code": f"A{i}", "indicators": {2024: {kind: t}}}
                                       for i, t in enumerate(texts)], 2024)
        expected = [int(Decimal(t).quantize(place, rounding=ROUND_HALF_UP) / place) for t in texts]
        assert pop.indicator[(kind, 0)][0].tolist() == expected


def test_columns_refuse_bad_values_with_the_position():
    with pytest.raises(RulesError) as info:
        population_from_columns(2024, credit_code=["A", "B"], indicators={2024: ([1], {"employees": ["1.5"]})})
    assert (info.value.code, info.value.location) == (ErrorCode.BAD_RECORD, "record[1].indicators.2024.employees")
    with pytest.raises(RulesError) as info:
        population_from_columns(2024, credit_code=["A", "B"], tags=([1], ["no_such_tag"]))
    assert info.value.location == "record[1].tags"
    with pytest.raises(RulesError):
        population_from_columns(2024, credit_code=["A"], indicators={2024: ([0, 0], {"revenue": ["1", "2"]})})


def test_damaged_arrays_are_refused():
    arrays = population_to_arrays(population_from_records(synthetic_records(20, 2024, seed=1), 2024))
    arrays["tags_known"] = arrays["tags_known"][:5]
    with pytest.raises(ValueError):
        population_from_arrays(arrays)


def test_with_rows_equals_a_fresh_conversion_and_leaves_both_inputs_alone():
    rng = random.Random(12)
    records = synthetic_records(400, 2024, seed=3)
    whole = population_from_records(records, 2024)
    before = population_from_arrays(population_to_arrays(whole))  # an independent copy
    for trial in range(6):
        at = sorted(rng.sample(range(400), rng.randint(0, 40)))
        replacement = synthetic_records(len(at), 2024, seed=100 + trial)
        for k, r in enumerate(replacement):
            if trial == 1:  # a label no other row has: the open vocabulary grows
                r["industry_code"] = f"Z{k:04d}"
            elif trial == 2:  # rows keep their values: every column is shared, nothing copied
                replacement[k] = records[at[k]]
        edited = list(records)
        for k, i in enumerate(at):
            edited[i] = replacement[k]
        other = population_from_records(replacement, 2024)
        patched = whole.with_rows(np.array(at, dtype=np.int64), other)
        assert population_differences(patched, population_from_records(edited, 2024)) == []
        assert population_differences(whole, before) == []  # the input was not written
        if trial == 2:
            assert patched.tags_known is whole.tags_known and patched.indicator == whole.indicator
            assert all(patched.tables[k] is whole.tables[k] for k in whole.tables)
    # the last user of an industry code changes: the label disappears, as in a fresh build
    tiny = population_from_records([{"credit_code": "A", "industry_code": "C1"},
                                    {"credit_code": "B", "industry_code": "C2"}], 2024)
    patched = tiny.with_rows([0], population_from_records([{"credit_code": "A", "industry_code": "C2"}], 2024))
    assert patched.category["industry_code"].labels == ("C2",)
    assert patched.category["industry_code"].codes.tolist() == [0, 0]


def test_with_rows_refuses_mismatched_input():
    pop = population_from_records(synthetic_records(5, 2024, seed=1), 2024)
    two = pop.take([0, 1])
    for positions, other in (([0], two), ([0, 0], two), ([4, 5], two), ([0, 1], pop.take([0, 1]).take([0]))):
        with pytest.raises(ValueError):
            pop.with_rows(positions, other)
    with pytest.raises(ValueError):
        pop.with_rows([0], population_from_records(synthetic_records(1, 2025, seed=1), 2025))
