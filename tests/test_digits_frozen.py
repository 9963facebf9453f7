"""Add-if-silent with frozen cells (Fukushima 2013/2014), ``competitive._present(frozen=True)``:
hand-worked sequences and a plain-loop oracle (``naive_digits.add_if_silent_frozen``)."""

import naive_digits
import numpy as np
import pytest

from neocognitron.digits import competitive
from neocognitron.digits.layers import _gaussian

THETA, Q, AREA, MIN_ACTIVITY = 0.7, 10.0, 7, 0.95


def _image(pixels, shape=(7, 7)):
    u = np.zeros((1,) + shape)
    for y, x in pixels:
        u[0, y, x] = 1.0
    return u


def _field(pixels):
    """A 3x3 pattern of ones at ``pixels`` (field coordinates), one input plane."""
    return _image(pixels, (3, 3))


# Four 7x7 inputs, all centred on (3, 3). With c the Gaussian of width 1 (centre 1, sides
# e^-1/2 = 0.607, corners e^-1 = 0.368) each input's V_C is largest at (3, 3) and below
# 0.95 of that everywhere else (a bar: 1.268 / 1.488 one cell along it), so only (3, 3)
# is active and each input seeds at most one plane there.
VBAR = _image([(2, 3), (3, 3), (4, 3)])
HBAR = _image([(3, 2), (3, 3), (3, 4)])
# the vertical bar with an extra pixel on the upper right: c-weighted cosine with the bar
# 2.213 / (1.488 * sqrt(2.213 + 0.368)) = 0.926 > 0.7
BENT = _image([(2, 3), (3, 3), (4, 3), (2, 4)])
DIAG = _image([(2, 2), (3, 3), (4, 4)])
SEQUENCE = [VBAR, HBAR, BENT, DIAG]


def _run(frozen, capacity=6):
    X = np.zeros((capacity, 1, 3, 3))
    c = _gaussian(3, 1.0)
    n, history = 0, []
    for u in SEQUENCE:
        n, winners, seeds = competitive._present(X, n, u, c, THETA, Q, AREA, MIN_ACTIVITY,
                                                 frozen=frozen)
        history.append((n, winners, seeds, X[:n].copy()))
    return history


def test_frozen_sequence_hand_worked():
    history = _run(frozen=True)
    # 1. no plane: the bar seeds plane 0 at (3, 3).
    # 2. the horizontal bar shares only the centre with it: cosine 1 / 2.213 = 0.45, and
    #    (1 + 10) / (1 + 0.7 * 14.88 * 1.488) = 0.67 < 1, silent: plane 1 at (3, 3).
    # 3. the bent bar: plane 0 answers at (3, 3) (cosine 0.926), nothing is silent where
    #    the input is active, so nothing is added and, frozen, nothing learns.
    # 4. the diagonal shares only the centre with either bar: cosine
    #    1 / (1.488 * sqrt(1 + 2 e^-1)) = 0.51 < 0.7, silent: plane 2 at (3, 3).
    assert [h[:3] for h in history] == [(1, [], [(3, 3)]), (2, [], [(3, 3)]), (2, [], []),
                                        (3, [], [(3, 3)])]
    want = [Q * _field([(0, 1), (1, 1), (2, 1)]), Q * _field([(1, 0), (1, 1), (1, 2)]),
            Q * _field([(0, 0), (1, 1), (2, 2)])]
    for n, _, _, X in history:
        # every plane is still the patch it was generated from, bit for bit
        np.testing.assert_array_equal(X, np.stack(want[:n]))


def test_not_frozen_still_reinforces():
    history = _run(frozen=False)
    # the same planes are generated, but at step 3 plane 0 wins at (3, 3) and adds q
    # times the bent bar's patch; the other planes had no winner
    assert [h[:3] for h in history] == [(1, [], [(3, 3)]), (2, [], [(3, 3)]),
                                        (2, [(0, 3, 3)], []), (3, [], [(3, 3)])]
    X = history[-1][3]
    np.testing.assert_array_equal(X[0], Q * _field([(0, 1), (1, 1), (2, 1)])
                                  + Q * _field([(0, 1), (1, 1), (2, 1), (0, 2)]))
    np.testing.assert_array_equal(X[1], Q * _field([(1, 0), (1, 1), (1, 2)]))
    np.testing.assert_array_equal(X[2], Q * _field([(0, 0), (1, 1), (2, 2)]))
    # the default is the 2003 rule
    X_default = np.zeros((6, 1, 3, 3))
    n = 0
    for u in SEQUENCE:
        n, _, _ = competitive._present(X_default, n, u, _gaussian(3, 1.0), THETA, Q, AREA,
                                       MIN_ACTIVITY)
    np.testing.assert_array_equal(X_default[:n], X)


def test_frozen_sequence_against_naive():
    c = _gaussian(3, 1.0)
    patterns = []
    for u, (n, winners, seeds, X) in zip(SEQUENCE, _run(frozen=True), strict=True):
        patterns, want_seeds = naive_digits.add_if_silent_frozen(patterns, u, c, THETA, Q,
                                                          MIN_ACTIVITY, 6)
        assert (n, winners, seeds) == (len(patterns), [], want_seeds)
        np.testing.assert_allclose(X, np.stack(patterns), rtol=1e-12, atol=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frozen_random_inputs_against_naive(seed):
    # sparse random inputs on two planes: several seeds per input, later inputs partly
    # answered by frozen planes, and a capacity that one sequence reaches (seed 1)
    rng = np.random.default_rng(seed)
    c = _gaussian(3, 1.0)
    capacity = 18
    X = np.zeros((capacity, 2, 3, 3))
    n, patterns, n_seeded = 0, [], []
    for _ in range(6):
        u = rng.random((2, 8, 8)) * (rng.random((2, 8, 8)) < 0.15)
        before = X[:n].copy()
        n, winners, seeds = competitive._present(X, n, u, c, 0.5, 3.0, 5, 0.7, frozen=True)
        patterns, want_seeds = naive_digits.add_if_silent_frozen(patterns, u, c, 0.5, 3.0, 0.7,
                                                          capacity)
        assert winners == [] and seeds == want_seeds and n == len(patterns)
        np.testing.assert_array_equal(X[: len(before)], before)  # frozen, bit for bit
        np.testing.assert_allclose(X[:n], np.stack(patterns), rtol=1e-12, atol=0)
        n_seeded.append(len(seeds))
    # a meaningful run: the first input seeds several planes, later ones fewer but some
    assert n_seeded[0] >= 4 and 0 < sum(n_seeded[1:]) and n_seeded[-1] < n_seeded[0]


def test_frozen_must_be_a_bool():
    X = np.zeros((2, 1, 3, 3))
    with pytest.raises(TypeError, match="frozen"):
        competitive._present(X, 0, VBAR, _gaussian(3, 1.0), THETA, Q, AREA, MIN_ACTIVITY,
                             frozen="yes")
