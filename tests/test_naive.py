"""The oracles' own bookkeeping (tests/naive.py), on cases worked out by hand."""

import math

import naive_digits
import numpy as np
import pytest


def test_fit_top_reports_each_decisions_distance_from_a_tie():
    # one position (the centre), theta 0.5, q 1; the digits in the order the stream draws
    digits = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    order = np.random.default_rng(0).permutation(3)
    W = np.empty((3, 1, 2))
    W[order, 0] = digits
    margins = []
    X, labels, added = naive_digits.fit_top(W, np.zeros(3, int), 0.5, 1.0, 1, 0, 0, margins)
    # [1, 0]: no plane yet, nothing to decide; it seeds plane 0
    # [0, 1]: plane 0 scores 1 / (1 + 0.5) = 2/3, silent: 1/3 below the threshold; plane 1
    # [1, 1]: planes 0 and 1 tie exactly at 2 / (1 + 0.5 sqrt 2) (the rule picks plane 0,
    #         in any precision): only the threshold counts
    assert margins == pytest.approx([math.inf, 1 / 3, 2 / (1 + 0.5 * math.sqrt(2)) - 1])
    np.testing.assert_array_equal(X, [[2.0, 1.0], [0.0, 1.0]])
    assert labels.tolist() == [0, 0] and added == [2]
