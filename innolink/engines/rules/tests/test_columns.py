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
        population_from_columns(2024, credit_code=["A", "B"], tags=([1], ["unicorn"]))
    assert info.value.location == "record[1].tags"
    with pytest.raises(RulesError):
        population_from_columns(2024, credit_code=["A"], indicators={2024: ([0, 0], {"revenue": ["1", "2"]})})


def test_damaged_arrays_are_refused():
    arrays = population_to_arrays(population_from_records(synthetic_records(20, 2024, seed=1), 2024))
    arrays["tags"] = arrays["tags"][:5]
    with pytest.raises(ValueError):
        population_from_arrays(arrays)
