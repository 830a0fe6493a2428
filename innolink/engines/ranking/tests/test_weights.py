import math

import numpy as np
import pytest

from innolink.engines.ranking import entropy_weights, equal_weights, given_weights

from . import reference


def test_entropy_treats_zero_log_zero_as_zero():
    # given a column with zeros, a constant column and a one-hot column
    x = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [2.0, 1.0, 4.0]])

    # when entropy weights are computed
    w = entropy_weights(x)

    # then e = (1.5 ln2)/(2 ln2) = 0.75, 1 and 0, so d = 0.25, 0, 1 and w = 0.2, 0, 0.8
    assert w.tolist() == pytest.approx([0.2, 0.0, 0.8], abs=1e-15)


def test_entropy_a_single_zero_does_not_capture_the_weight():
    # given 100 firms: a near-uniform indicator with one zero, and an informative one
    # (pymcdm's entropy_weights sets e = 0 for a column holding a 0 and gives it ~0.86)
    rng = np.random.default_rng(0)
    uniform = rng.uniform(0.9, 1.1, 100)
    uniform[17] = 0.0
    informative = rng.lognormal(0.0, 1.0, 100)
    x = np.column_stack([uniform, informative])

    # when
    w = entropy_weights(x)

    # then the near-uniform column stays a minor weight, equal to the loop reference
    assert w[0] < 0.1
    assert w.tolist() == pytest.approx(reference.entropy([uniform.tolist(), informative.tolist()]),
                                       rel=1e-12)


def test_entropy_without_information_falls_back_to_equal_weights():
    assert entropy_weights(np.array([[1.0, 0.0], [1.0, 0.0]])).tolist() == [0.5, 0.5]
    assert entropy_weights(np.array([[3.0, 1.0]])).tolist() == [0.5, 0.5]


def test_entropy_refuses_negative_or_missing_values():
    with pytest.raises(ValueError):
        entropy_weights(np.array([[-1.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(ValueError):
        entropy_weights(np.array([[math.nan, 1.0], [1.0, 1.0]]))


def test_entropy_matches_reference_on_random_matrix_with_zeros():
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (60, 5)) * (rng.random((60, 5)) > 0.4)
    want = reference.entropy([x[:, j].tolist() for j in range(5)])
    assert entropy_weights(x).tolist() == pytest.approx(want, rel=1e-12)


def test_given_and_equal_weights():
    assert given_weights([35, 15, 50]).tolist() == pytest.approx([0.35, 0.15, 0.5])
    assert equal_weights(5).tolist() == [0.2] * 5
