"""The ``Examples:`` blocks of the engine's docstrings are tests too."""

import doctest
import importlib

import pytest

MODULES = [
    "_errors", "aggregate", "compare", "derive", "engine", "fields", "methodology", "normalize",
    "rank", "synthetic", "types", "uncertainty", "weights",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"innolink.engines.ranking.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
