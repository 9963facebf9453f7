"""Supervised competitive learning of the top planes of the digit neocognitron
(``digits.top``): cases worked out by hand, the top kernel against plain loops, and the
batched learning against a plain one-digit-at-a-time reimplementation
(``tests/naive.py``)."""

import naive_digits
import numpy as np
import pytest

from neocognitron.digits import _kernels as digits_kernels
from neocognitron.digits import top


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
    np.testing.assert_allclose(out, naive_digits.top_max_scores(dots, norms, b, 0.7), rtol=2e-6)


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
    ref_X, ref_labels, ref_added = naive_digits.fit_top(Wall, y, theta, q, n_epochs, 4, 3)
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
    _, _, added = naive_digits.fit_top(Wall, y, 0.5, 5.0, 10, 4, 0)
    state, got = top._fit_top_planes(lambda idx: Wall[idx], y, 0.5, 5.0, 10, 4,
                             np.random.default_rng(0), 16)
    assert got == added and got[-1] == 0 and len(got) < 10
    assert state.n == sum(got)
