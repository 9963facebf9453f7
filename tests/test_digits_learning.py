"""Learning in the digit neocognitron (Fukushima 2003, 2007) on cases small enough to work
out by hand: competitive learning with add-if-silent (``digits.competitive``), supervised
competitive learning of the top planes (``digits.top``, also against a plain
one-digit-at-a-time reimplementation) and the interpolating-vector readout
(``digits.interpolating``, against a brute-force search along the segment)."""

import naive
import numpy as np
import pytest

from neocognitron import cells
from neocognitron.digits import _kernels as digits_kernels
from neocognitron.digits import competitive, interpolating, top
from neocognitron.digits.layers import _gaussian

# ======================================================================= competitive


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


# ======================================================================= top


def test_windows_against_slicing():
    rng = np.random.default_rng(0)
    u = rng.random((2, 3, 5, 6))
    w = top._windows(u, (3, 4))
    assert w.shape == (2, 3 * 3, 3 * 3 * 4)
    for n in range(2):
        for py in range(3):
            for px in range(3):
                np.testing.assert_array_equal(w[n, py * 3 + px],
                                              u[n, :, py : py + 3, px : px + 4].ravel())


def test_top_scores_formula():
    dots = np.array([[2.0, 0.0]])
    norms = np.array([3.0])
    b = np.array([1.0, 4.0])
    np.testing.assert_allclose(top._top_scores(dots, norms, b, 0.5),
                               [[3.0 / 2.5, 1.0 / 7.0]])


def test_top_max_scores_by_hand():
    f32 = np.float32
    dots = np.array([[[1.0, 3.0], [2.0, 0.0]]], dtype=f32)  # one digit, 2 positions, 2 planes
    norms = np.array([[1.0, 2.0]], dtype=f32)
    b = np.array([1.0, 1.0], dtype=f32)
    # position 0: 2/1.5, 4/1.5; position 1: 3/2, 1/2
    np.testing.assert_allclose(top.top_max_scores(dots, norms, b, 0.5), [[1.5, 4 / 1.5]],
                               rtol=1e-6)


@pytest.mark.parametrize("shape", [(1, 1, 1), (7, 9, 130), (33, 4, 5)])
def test_top_max_scores_is_the_numpy_expression_bit_for_bit(shape):
    rng = np.random.default_rng(sum(shape))
    dots = (rng.random(shape, dtype=np.float32) * 50).astype(np.float32)
    norms = rng.random(shape[:2], dtype=np.float32) * 10
    norms[0, 0] = 0  # a blank window
    b = rng.random(shape[2], dtype=np.float32) * 100
    # the expression written out here, not top._top_scores (a sibling in the library)
    want = ((1.0 + dots) / (1.0 + 0.5 * norms[..., None] * b)).max(axis=1)
    assert want.dtype == np.float32
    np.testing.assert_array_equal(top.top_max_scores(dots, norms, b, 0.5), want)


@pytest.mark.parametrize("shape", [(1, 1, 1), (5, 9, 7), (3, 25, 40)])
def test_top_max_scores_kernel_against_naive(shape):
    # the private kernel itself (neocognitron.digits._kernels), on the float32 arrays the
    # public function passes it, against plain loops in float64
    rng = np.random.default_rng(shape[1])
    dots = (rng.random(shape, dtype=np.float32) * 50).astype(np.float32)
    norms = rng.random(shape[:2], dtype=np.float32) * 10
    b = rng.random(shape[2], dtype=np.float32) * 100
    out = np.empty((shape[0], shape[2]), dtype=np.float32)
    digits_kernels._top_max_scores(dots, norms, b, np.float32(0.7), out)
    np.testing.assert_allclose(out, naive.top_max_scores(dots, norms, b, 0.7), rtol=2e-6)


def test_top_max_scores_rejects_bad_input():
    f = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(TypeError, match="float32"):
        top.top_max_scores(f.astype(np.float64), f[:, :, 0], f[0, 0], 0.5)
    with pytest.raises(ValueError, match="norms"):
        top.top_max_scores(f, f[:, :2, 0], f[0, 0], 0.5)
    with pytest.raises(ValueError, match="b"):
        top.top_max_scores(f, f[:, :, 0], f[0, 0, :3], 0.5)
    with pytest.raises(ValueError, match="position"):
        top.top_max_scores(f[:, :0], f[:, :0, 0], f[0, 0], 0.5)


def test_topstate_add_reinforce_and_grow():
    st = top._TopState(3, np.float64, capacity=2)
    for i in range(5):
        assert st.add(np.array([i, 1.0, 0.0]), i % 2, 2.0) == i
    assert st.n == 5 and st.X.shape[0] >= 5
    np.testing.assert_array_equal(st.X[:5, 0], 2.0 * np.arange(5))
    np.testing.assert_array_equal(st.labels[:5], [0, 1, 0, 1, 0])
    st.reinforce(3, np.array([0.0, 0.0, 1.0]), 2.0)
    np.testing.assert_array_equal(st.X[3], [6.0, 2.0, 2.0])
    assert st.b[3] == pytest.approx(np.sqrt(36 + 4 + 4), rel=1e-12)
    np.testing.assert_allclose(st.b[:5], np.linalg.norm(st.X[:5], axis=1), rtol=1e-12)


def _state_with(x, label, q):
    st = top._TopState(len(x), np.float64)
    st.add(np.asarray(x, dtype=float), label, q)
    return st


# three positions, the central one is 1
CENTRE = 1


def test_top_wrong_winner_makes_a_plane_of_the_right_class():
    q, theta = 10.0, 0.8
    st = _state_with([1.0, 0.0, 0.0], 0, q)
    W = np.array([[[0.0, 0.0, 1.0], [1.0, 0.1, 0.0], [0.0, 1.0, 0.0]]])
    # plane 0 answers at position 1: (1 + 10)/(1 + 0.8 * 10 * sqrt(1.01)) = 1.217 > 1
    assert top._present_batch(st, W, np.array([1]), CENTRE, theta, q) == 1
    assert st.n == 2
    np.testing.assert_array_equal(st.labels[:2], [0, 1])
    np.testing.assert_array_equal(st.X[0], [10.0, 0.0, 0.0])  # the winner did not learn
    np.testing.assert_array_equal(st.X[1], q * W[0, CENTRE])
    assert st.b[1] == pytest.approx(np.linalg.norm(q * W[0, CENTRE]), rel=1e-12)


def test_top_right_winner_is_reinforced_at_its_position():
    q, theta = 10.0, 0.8
    st = _state_with([1.0, 0.0, 0.0], 0, q)
    W = np.array([[[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.2]]])
    # best is position 2 (not the centre): 11 / (1 + 8 sqrt(1.04)) = 1.2 > 1
    assert top._present_batch(st, W, np.array([0]), CENTRE, theta, q) == 0
    assert st.n == 1
    np.testing.assert_allclose(st.X[0], [20.0, 0.0, 2.0], rtol=1e-12)
    assert st.b[0] == pytest.approx(np.sqrt(404.0), rel=1e-12)


def test_top_right_winner_below_the_learning_threshold_makes_a_plane():
    q = 10.0
    W = np.array([[[0.0, 0.0, 1.0], [1.0, 0.6, 0.0], [0.0, 1.0, 0.0]]])
    # cosine with plane 0 is 1/sqrt(1.36) = 0.857: (1 + 10)/(1 + theta 10 sqrt(1.36)) is
    # 1.065 at theta = 0.8 (answers) and 0.957 at theta = 0.9 (silent)
    st = _state_with([1.0, 0.0, 0.0], 0, q)
    assert top._present_batch(st, W, np.array([0]), CENTRE, 0.8, q) == 0
    np.testing.assert_allclose(st.X[0], [20.0, 6.0, 0.0], rtol=1e-12)
    st = _state_with([1.0, 0.0, 0.0], 0, q)
    assert top._present_batch(st, W, np.array([0]), CENTRE, 0.9, q) == 1
    np.testing.assert_array_equal(st.labels[:2], [0, 0])
    np.testing.assert_array_equal(st.X[0], [10.0, 0.0, 0.0])
    np.testing.assert_allclose(st.X[1], [10.0, 6.0, 0.0], rtol=1e-12)


def test_top_silent_winner_makes_a_plane():
    q = 10.0
    st = _state_with([1.0, 0.0, 0.0], 0, q)
    W = np.array([[[0.0, 1.0, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]]])  # orthogonal
    assert top._present_batch(st, W, np.array([0]), CENTRE, 0.5, q) == 1
    np.testing.assert_array_equal(st.labels[:2], [0, 0])
    # the centre window (norm 0.71) is weaker than position 0 (norm 1): the seed is there
    np.testing.assert_array_equal(st.X[1], [0.0, 10.0, 0.0])


def test_top_learning_is_sequential_within_a_batch():
    q, theta = 10.0, 0.8
    st = top._TopState(3, np.float64)
    W = np.array([
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],  # first: a plane of class 2
        [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.2]],  # reinforces it at position 2
        [[0.0, 0.0, 0.0], [1.0, 0.1, 0.1], [0.0, 0.0, 0.0]],  # class 3: wrong winner
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.9, 0.0, 0.0]],  # class 3 again: plane 0 wins
    ])
    added = top._present_batch(st, W, np.array([2, 2, 3, 3]), CENTRE, theta, q)
    assert added == 3 and st.n == 3
    np.testing.assert_array_equal(st.labels[:3], [2, 3, 3])
    np.testing.assert_allclose(st.X[0], [20.0, 0.0, 2.0], rtol=1e-12)
    np.testing.assert_allclose(st.X[1], [10.0, 1.0, 1.0], rtol=1e-12)
    # digit 3: plane 0 (class 2) scores 19 / (1 + 0.8 sqrt(404) 0.9) = 1.31 at position 2
    # and beats plane 1 (class 3): 10 / (1 + 0.8 sqrt(102) 0.9) = 1.21; its label is
    # wrong, so a plane of class 3 is made; the centre window is empty, so its seed is
    # the strongest window, position 2
    np.testing.assert_array_equal(st.X[2], [9.0, 0.0, 0.0])


@pytest.fixture(scope="module")
def top_data():
    """Noisy copies of three class prototypes, shifted by up to one cell: (n, n_pos, D)
    windows."""
    rng = np.random.default_rng(42)
    n, K, H, W = 60, 2, 5, 5
    protos = rng.random((3, K, H, W))
    y = rng.integers(0, 3, n)
    u = np.empty((n, K, H, W))
    for i in range(n):
        shifted = np.roll(protos[y[i]], tuple(rng.integers(-1, 2, 2)), axis=(1, 2))
        u[i] = np.clip(shifted + 0.35 * rng.standard_normal((K, H, W)), 0, None)
    return top._windows(u, (3, 3)), y  # n_pos = 9, centre 4


@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_fit_top_equals_one_at_a_time(top_data, batch_size):
    Wall, y = top_data
    theta, q, n_epochs = 0.8, 5.0, 4
    ref_X, ref_labels, ref_added = naive.fit_top(Wall, y, theta, q, n_epochs, 4, 3)
    calls = []
    state, added = top._fit_top_planes(lambda idx: Wall[idx], y, theta, q, n_epochs, 4,
                               np.random.default_rng(3), batch_size,
                               progress=lambda k, planes: calls.append((k, planes)))
    # a meaningful run: planes were reinforced (fewer planes than digits in the first
    # epoch), the second epoch still added planes, the last none; every class has planes
    assert 3 < ref_added[0] < len(y) and ref_added[1] > 0 and ref_added[-1] == 0
    assert set(ref_labels) == {0, 1, 2}
    assert added == ref_added
    assert state.n == len(ref_X)
    np.testing.assert_array_equal(state.labels[: state.n], ref_labels)
    np.testing.assert_allclose(state.X[: state.n], ref_X, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(state.b[: state.n], np.linalg.norm(ref_X, axis=1), rtol=1e-12)
    assert sum(k for k, _ in calls) == len(ref_added) * len(y)
    assert calls[-1][1] == state.n


def test_fit_top_stops_after_an_epoch_without_new_planes(top_data):
    Wall, y = top_data
    _, _, added = naive.fit_top(Wall, y, 0.5, 5.0, 10, 4, 0)
    state, got = top._fit_top_planes(lambda idx: Wall[idx], y, 0.5, 5.0, 10, 4,
                             np.random.default_rng(0), 16)
    assert got == added and got[-1] == 0 and len(got) < 10
    assert state.n == sum(got)


# ======================================================================= interpolating


def brute_segment(x, Xi, Xj, n=20001):
    p = np.linspace(0.0, 1.0, n)[:, None]
    seg = p * Xi + (1 - p) * Xj
    cos = seg @ x / (np.linalg.norm(seg, axis=1) * np.linalg.norm(x))
    return cos.max()


def cos(a, b):
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))


@pytest.mark.parametrize("positive", [True, False])
def test_segment_similarity_against_brute_force(positive):
    rng = np.random.default_rng(7 if positive else 8)
    inside = 0
    for _ in range(60):
        D = rng.integers(2, 7)
        x, Xi, Xj = (rng.random(D) if positive else rng.standard_normal(D) for _ in range(3))
        Xi *= rng.uniform(0.2, 5.0)  # lengths do not matter: the segment spans one cone
        if rng.random() < 0.3:  # x near the segment: the best point is inside
            x = 0.4 * Xi / np.linalg.norm(Xi) + 0.6 * Xj / np.linalg.norm(Xj)
            x += 0.05 * rng.standard_normal(D)
        got = interpolating._segment_similarity(cos(x, Xi), cos(x, Xj), cos(Xi, Xj))
        want = brute_segment(x, Xi, Xj)
        assert got == pytest.approx(want, abs=1e-7)
        inside += bool(got > max(cos(x, Xi), cos(x, Xj)) + 1e-6)
    assert inside >= 10  # the interior of the segment was exercised


def test_segment_similarity_broadcasts_and_parallel_vectors():
    s_i = np.array([0.2, 0.9, 0.5])
    got = interpolating._segment_similarity(s_i[:, None], s_i[None, :], 0.0)
    assert got.shape == (3, 3)
    # orthogonal unit vectors: the cosine to their plane is sqrt(s_i^2 + s_j^2)
    np.testing.assert_allclose(got, np.sqrt(s_i[:, None] ** 2 + s_i[None, :] ** 2))
    # parallel vectors: the segment is one direction
    assert interpolating._segment_similarity(0.3, 0.3, 1.0) == pytest.approx(0.3)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_segment_similarity_antiparallel():
    # X_j = -X_i: the segment passes through 0; every other point is +-X_i, best |s_i|
    assert interpolating._segment_similarity(0.5, -0.5, -1.0) == pytest.approx(0.5)


def test_interpolate_predict_segment_beats_a_single_vector():
    X = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.8, 0.8, 0.6]])
    labels = np.array([0, 0, 1])
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    x = np.array([1.0, 1.0, 0.0])
    c = (unit @ x / np.linalg.norm(x))[None]  # 0.707, 0.707, 0.884
    best = interpolating._interpolate_predict(c, unit, labels, 2, n_neighbors=2)
    # x lies on the segment between the two class-0 vectors: cosine 1
    np.testing.assert_allclose(best, [[1.0, 1.6 / (np.sqrt(2) * np.sqrt(1.64))]])
    assert np.argmax(best[0]) == 0
    # without pairs (one neighbour) the single class-1 vector wins
    best1 = interpolating._interpolate_predict(c, unit, labels, 2, n_neighbors=1)
    np.testing.assert_allclose(best1, [[np.sqrt(0.5), 1.6 / (np.sqrt(2) * np.sqrt(1.64))]])
    assert np.argmax(best1[0]) == 1


def test_interpolate_predict_against_all_pairs_brute_force():
    rng = np.random.default_rng(5)
    R, D, N, C = 9, 5, 12, 3  # R reference vectors (the top planes' prototypes)
    X = rng.random((R, D))
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2])
    x = rng.random((N, D))
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    c = (x / np.linalg.norm(x, axis=1, keepdims=True)) @ unit.T
    best = interpolating._interpolate_predict(c, unit, labels, C + 1, n_neighbors=10)
    assert np.all(best[:, C] == -np.inf)  # a class with no vector
    for n in range(N):
        for j in range(C):
            members = np.flatnonzero(labels == j)
            want = max(brute_segment(x[n], X[a], X[b], 4001) for a in members for b in members)
            assert best[n, j] == pytest.approx(want, abs=1e-6)
    # few neighbours: only pairs among the nearest vectors, never more than all pairs
    near = interpolating._interpolate_predict(c, unit, labels, C + 1, n_neighbors=2)
    assert np.all(near[:, :C] <= best[:, :C] + 1e-12)
    np.testing.assert_array_equal(near[:, 2], best[:, 2])  # class 2 has two vectors


def test_interpolate_predict_nearest_pairs_and_precomputed_grams():
    rng = np.random.default_rng(11)
    R, D, N, C, m = 30, 6, 20, 3, 3
    X = rng.random((R, D))
    labels = rng.integers(0, C, R)
    x = rng.random((N, D))
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    c = (x / np.linalg.norm(x, axis=1, keepdims=True)) @ unit.T
    grams = interpolating._class_grams(unit, labels, C)
    got = interpolating._interpolate_predict(c, unit, labels, C, n_neighbors=m, grams=grams)
    np.testing.assert_array_equal(
        got, interpolating._interpolate_predict(c, unit, labels, C, n_neighbors=m))
    for n in range(N):
        for j in range(C):
            members = np.flatnonzero(labels == j)
            near = members[np.argsort(-c[n, members])[:m]]  # the m most similar of class j
            want = max(brute_segment(x[n], X[a], X[b], 4001) for a in near for b in near)
            assert got[n, j] == pytest.approx(want, abs=1e-6)
