"""Competitive learning with add-if-silent in the digit neocognitron (Fukushima 2003,
2007; ``digits.competitive``), on cases small enough to work out by hand."""

import numpy as np
import pytest

from neocognitron import cells
from neocognitron.digits import competitive
from neocognitron.digits.layers import _gaussian


def test_silent_mask_hand_worked():
    v = np.array([[0.0, 1.0, 2.0], [4.0, 0.5, 3.0]])
    u_s = np.zeros((2, 2, 3))
    u_s[0, 0, 2] = 0.3
    u_s[1, 1, 0] = 0.1
    # active: v > 0 and v >= 0.25 * 4 = 1; silent: no plane above zero
    want = np.array([[False, True, False], [False, False, True]])
    np.testing.assert_array_equal(competitive._silent_mask(u_s, v, 0.25), want)
    # min_activity 0: every position with v > 0 counts, (1, 1) too; (0, 0) has v = 0
    want0 = np.array([[False, True, False], [False, True, True]])
    np.testing.assert_array_equal(competitive._silent_mask(u_s, v, 0.0), want0)
    # no plane yet: every active position is silent
    np.testing.assert_array_equal(competitive._silent_mask(np.zeros((0, 2, 3)), v, 0.25),
                                  [[False, True, True], [True, False, True]])
    # a blank input is never silent
    assert not competitive._silent_mask(np.zeros((2, 2, 3)), np.zeros((2, 3)), 0.2).any()


def _bars():
    """Plane 0 learned a vertical bar, plane 1 a horizontal bar (3x3 fields, one input plane)."""
    vert = np.zeros((1, 3, 3))
    vert[0, :, 1] = 1.0
    horiz = np.zeros((1, 3, 3))
    horiz[0, 1, :] = 1.0
    return vert, horiz


@pytest.mark.parametrize("area", [3, 7])
@pytest.mark.parametrize("which", [0, 1])
def test_winner_is_the_plane_whose_pattern_is_shown(which, area):
    vert, horiz = _bars()
    X = np.stack([2.0 * vert, 3.0 * horiz])  # capacity 2: no plane can be added
    X0 = X.copy()
    u = np.zeros((1, 7, 7))
    if which == 0:
        u[0, 2:5, 3] = 1.0  # a vertical bar centred on (3, 3)
    else:
        u[0, 3, 2:5] = 1.0
    c = _gaussian(3, 1.0)
    theta, q = 0.6, 5.0
    # the other plane is silent everywhere (its c-weighted cosine with the bar is < 0.6)
    a = c[None, None] * X
    b = np.sqrt((c[None, None] * X * X).sum(axis=(1, 2, 3)))  # sqrt(sum a^2 / c)
    u_s = cells.s_layer_theta(u, a, b, c, theta)
    assert u_s[which].max() > 0 and u_s[1 - which].max() == 0
    n, winners, seeds = competitive._present(X, 2, u, c, theta, q, area, 0.2)
    assert (n, winners, seeds) == (2, [(which, 3, 3)], [])
    # the winner's plane grew by exactly q times the patch under its field; the other kept
    np.testing.assert_array_equal(X[which], X0[which] + q * u[:, 2:5, 2:5])
    np.testing.assert_array_equal(X[1 - which], X0[1 - which])


def test_each_plane_wins_where_its_pattern_is():
    vert, horiz = _bars()
    X = np.stack([vert, horiz])
    X0 = X.copy()
    u = np.zeros((1, 9, 12))
    u[0, 2:5, 2] = 1.0  # vertical bar at (3, 2)
    u[0, 5, 7:10] = 2.0  # horizontal bar at (5, 8)
    q = 3.0
    n, winners, seeds = competitive._present(X, 2, u, _gaussian(3, 1.0), 0.6, q, 3, 0.2)
    assert winners == [(0, 3, 2), (1, 5, 8)] and n == 2 and seeds == []
    np.testing.assert_array_equal(X[0], X0[0] + q * u[:, 2:5, 1:4])
    np.testing.assert_array_equal(X[1], X0[1] + q * u[:, 4:7, 7:10])


def test_no_plane_is_added_where_an_existing_plane_answers_everywhere():
    # a plane of ones answers a uniform input everywhere: interior cosine 1, a corner
    # (4 of 9 taps inside) 4 / (3 * 2) = 2/3 > 0.5, a side 6 / (3 sqrt 6) > 0.5
    X = np.zeros((4, 1, 3, 3))
    X[0] = 1.0
    u = np.ones((1, 6, 6))
    c = np.ones((3, 3))
    n, winners, seeds = competitive._present(X, 1, u, c, 0.5, 10.0, 6, 0.0)
    assert n == 1 and seeds == [] and len(winners) == 1
    np.testing.assert_array_equal(X[0], 1.0 + 10.0 * np.ones((1, 3, 3)))  # interior winner
    np.testing.assert_array_equal(X[1:], 0.0)


def _dot_case(capacity):
    """One bright dot at (6, 6); plane 0 learned a bar along the top row of its field.

    With ``c`` a Gaussian of width 1 (centre 1, sides e^-1/2, corners e^-1), the V_C-cells
    are ``2 sqrt(c)`` of the dot's offset: 2 at (6, 6), 1.558 on the four sides, 1.213 on
    the corners. Plane 0 answers where the dot falls on its bar, i.e. at (7, 5), (7, 6) and
    (7, 7), with c-weighted cosines sqrt(e^-1 / s) = 0.52, sqrt(e^-1/2 / s) = 0.67 and 0.52
    (``s = 2 e^-1 + e^-1/2``) above theta = 0.5; it is silent elsewhere.
    """
    X = np.zeros((capacity, 1, 3, 3))
    X[0, 0, 0, :] = 1.0
    u = np.zeros((1, 11, 11))
    u[0, 6, 6] = 2.0
    return X, u, _gaussian(3, 1.0)


def _dot_patch(dy, dx):
    p = np.zeros((1, 3, 3))
    p[0, 1 + dy, 1 + dx] = 2.0
    return p


@pytest.mark.parametrize(
    "min_activity, seeds",
    [
        # only the largest V_C (2 >= 0.9 * 2; the sides 1.558 < 1.8) is active
        (0.9, [(6, 6)]),
        # the four sides are active too (1.558 >= 1.4), the corners (1.213) are not;
        # plane 0 answers at (7, 6); ties in v_C go in row-major order
        (0.7, [(6, 6), (5, 6), (6, 5), (6, 7)]),
        # corners active as well (>= 1.0); plane 0 answers at (7, 5) and (7, 7)
        (0.5, [(6, 6), (5, 6), (6, 5), (6, 7), (5, 5), (5, 7)]),
        # min_activity 0: nothing else has v_C > 0
        (0.0, [(6, 6), (5, 6), (6, 5), (6, 7), (5, 5), (5, 7)]),
    ],
)
def test_add_if_silent_seeds_hand_worked(min_activity, seeds):
    X, u, c = _dot_case(capacity=10)
    q = 4.0
    np.testing.assert_allclose(cells.v_c(u, c)[5:8, 5:8],
                               2 * np.sqrt(c), rtol=1e-12)
    n, winners, got = competitive._present(X, 1, u, c, 0.5, q, 5, min_activity)
    assert got == seeds
    assert n == 1 + len(seeds)
    # plane 0 won where the dot sits under the middle of its bar, and learned that patch
    assert winners == [(0, 7, 6)]
    want0 = np.zeros((1, 3, 3))
    want0[0, 0, :] = 1.0
    np.testing.assert_array_equal(X[0], want0 + q * _dot_patch(-1, 0))
    # each new plane is q times the patch at its seed, learned in one shot
    for k, (y, x) in enumerate(seeds, start=1):
        np.testing.assert_array_equal(X[k], q * _dot_patch(6 - y, 6 - x))
    np.testing.assert_array_equal(X[n:], 0.0)


def test_add_if_silent_respects_max_planes():
    X, u, c = _dot_case(capacity=3)
    n, _, seeds = competitive._present(X, 1, u, c, 0.5, 4.0, 5, 0.5)
    assert n == 3 and seeds == [(6, 6), (5, 6)]
    X, u, c = _dot_case(capacity=1)  # full already: only reinforcement
    n, winners, seeds = competitive._present(X, 1, u, c, 0.5, 4.0, 5, 0.5)
    assert n == 1 and seeds == [] and winners == [(0, 7, 6)]


def test_first_presentation_seeds_without_winners():
    X, u, c = _dot_case(capacity=4)
    X[:] = 0.0
    n, winners, seeds = competitive._present(X, 0, u, c, 0.5, 4.0, 5, 0.9)
    assert (n, winners, seeds) == (1, [], [(6, 6)])
    np.testing.assert_array_equal(X[0], 4.0 * _dot_patch(0, 0))
    # a blank input changes nothing
    n, winners, seeds = competitive._present(X, 1, np.zeros((1, 11, 11)), c, 0.5, 4.0, 5, 0.2)
    assert (n, winners, seeds) == (1, [], [])
    np.testing.assert_array_equal(X[0], 4.0 * _dot_patch(0, 0))


def test_a_new_plane_answers_around_its_seed_so_no_duplicates():
    # a vertical 3-pixel bar, c = 1: v_C = sqrt(3) at (4, 3), (4, 4), (4, 5) (the whole bar
    # in one column of the field) and sqrt(2) at the six positions above and below them;
    # with min_activity 0.8 (>= 1.386) all nine are active and silent
    u = np.zeros((1, 9, 9))
    u[0, 3:6, 4] = 1.0
    c = np.ones((3, 3))
    X = np.zeros((5, 1, 3, 3))
    n, winners, seeds = competitive._present(X, 0, u, c, 0.5, 1.0, 3, 0.8)
    # (4, 3) seeds first (ties go row-major); its plane (bar in the right column) answers
    # at (3, 3) and (5, 3) (cosine 2/sqrt(6) = 0.82 > 0.5) but not at (4, 4) (cosine 0),
    # which seeds next, and so on: three planes cover the nine positions
    assert (n, winners, seeds) == (3, [], [(4, 3), (4, 4), (4, 5)])
    for k, col in enumerate([2, 1, 0]):
        want = np.zeros((1, 3, 3))
        want[0, :, col] = 1.0
        np.testing.assert_array_equal(X[k], want)
    # afterwards nothing active is silent any more
    a = c[None, None] * X[:n]
    b = np.sqrt((c[None, None] * X[:n] ** 2).sum(axis=(1, 2, 3)))
    u_s = cells.s_layer_theta(u, a, b, c, 0.5)
    assert not competitive._silent_mask(u_s, cells.v_c(u, c), 0.8).any()
    assert competitive._silent_mask(u_s[:0], cells.v_c(u, c), 0.8).sum() == 9
