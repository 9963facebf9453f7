"""Interpolating vectors in the top stage's learning (Fukushima 2013/2014),
``top._fit_top_planes(interpolate=True)``: hand-worked 3-D cases and a plain one-digit-at-a-
time oracle (``naive_digits.fit_top_interpolating``)."""

import naive_digits
import numpy as np
import pytest

from neocognitron.digits import top

THETA, Q = 0.8, 10.0


class InOrder:
    """An ``order_rng`` that shows the digits in their given order every epoch."""

    def permutation(self, n):
        return np.arange(n)


def _fit(W, y, interpolate, n_epochs=1, batch_size=4, n_neighbors=8):
    W = np.asarray(W, dtype=np.float64)
    y = np.asarray(y)
    state, added = top._fit_top_planes(lambda idx: W[idx], y, THETA, Q, n_epochs, 0,
                                       InOrder(), batch_size, interpolate=interpolate,
                                       n_neighbors=n_neighbors)
    return state.X[: state.n], state.labels[: state.n], added


# One position (n_pos = 1, centre 0), three dimensions. Class 0 learns e1 and e2, class 1
# learns e3. The fourth digit, of class 0, has cosines 1 / sqrt(1.9) = 0.725 with e1,
# 0.9 / sqrt(1.9) = 0.653 with e2 and 0.3 / sqrt(1.9) = 0.218 with e3: no single reference
# answers at theta = 0.8, but its cosine to the segment [e1, e2] (the plane of e1 and e2,
# both coefficients positive) is sqrt(1 + 0.81) / sqrt(1.9) = 0.976.
E1, E2, E3 = np.eye(3)
BETWEEN = np.array([1.0, 0.9, 0.3])
DIGITS = np.stack([E1, E2, E3, BETWEEN])[:, None, :]
LABELS = [0, 0, 1, 0]


def test_a_digit_between_two_references_is_recognised_by_their_segment():
    X, labels, added = _fit(DIGITS, LABELS, interpolate=True)
    # e2 is orthogonal to e1 (similarity 0), e3 has no class-1 reference yet (-inf): both
    # make planes; the fourth digit is recognised by the segment and adds none
    assert added == [3]
    np.testing.assert_array_equal(X, Q * np.stack([E1, E2, E3]))
    np.testing.assert_array_equal(labels, [0, 0, 1])


def test_winner_take_all_makes_a_plane_for_it():
    X, labels, added = _fit(DIGITS, LABELS, interpolate=False)
    # the winner e1 (cosine 0.725) does not answer at 0.8: a fourth plane
    assert added == [4]
    np.testing.assert_array_equal(X, Q * np.stack([E1, E2, E3, BETWEEN]))
    np.testing.assert_array_equal(labels, [0, 0, 1, 0])


def test_second_epoch_recognises_every_digit_and_reinforces_nothing():
    X, labels, added = _fit(DIGITS, LABELS, interpolate=True, n_epochs=3)
    # each reference recognises its own digit (cosine 1 against at most 0.218 for the other
    # class): the second epoch adds nothing and learning stops
    assert added == [3, 0]
    np.testing.assert_array_equal(X, Q * np.stack([E1, E2, E3]))
    # winner-take-all: the second epoch reinforces each digit's plane (the winner, right and
    # answering), so every pattern doubles
    X, _, added = _fit(DIGITS, LABELS, interpolate=False, n_epochs=3)
    assert added == [4, 0]
    np.testing.assert_array_equal(X, 2 * Q * np.stack([E1, E2, E3, BETWEEN]))


def test_right_class_above_threshold_but_not_the_largest_makes_a_plane():
    # class 1's reference (1, 1, 0.6) has cosine 2.3 / (1.5 sqrt 2.36) = 0.998 with the
    # last digit (1, 1, 0.5), above its class-0 segment [e1, e2]: sqrt 2 / 1.5 = 0.943 > 0.8
    W = np.array([E1, E2, [1.0, 1.0, 0.6], [1.0, 1.0, 0.5]])[:, None, :]
    X, labels, added = _fit(W, [0, 0, 1, 0], interpolate=True)
    assert added == [4]
    np.testing.assert_array_equal(labels, [0, 0, 1, 0])
    # without the class-1 reference the same digit is recognised
    X, labels, added = _fit(W[[0, 1, 3]], [0, 0, 0], interpolate=True)
    assert added == [2]


def test_blank_digit_and_seed_position():
    # two positions, the centre (0) weaker than position 1: the new plane is seeded at 1;
    # a blank digit makes nothing
    W = np.array([[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
                  [[0.5, 0.0, 0.0], [0.0, 2.0, 0.0]]])
    X, labels, added = _fit(W, [1, 0], interpolate=True)
    assert added == [1]
    np.testing.assert_array_equal(X, [[0.0, 20.0, 0.0]])
    np.testing.assert_array_equal(labels, [0])


def test_segment_cosine_oracle_by_hand():
    assert naive_digits.segment_cosine(BETWEEN, E1, E2) == pytest.approx(np.sqrt(1.81 / 1.9))
    # outside the cone: the nearer end
    assert naive_digits.segment_cosine(np.array([1.0, -0.5, 0.0]), E1, E2) == pytest.approx(
        1 / np.sqrt(1.25))


@pytest.fixture(scope="module")
def digits():
    """Three classes, each two prototypes mixed at random with noise, shifted by up to
    one cell: windows ``(n, 9, 18)``, centre 4."""
    rng = np.random.default_rng(7)
    n, K, H, W = 45, 2, 5, 5
    protos = rng.random((3, 2, K, H, W))
    y = rng.integers(0, 3, n)
    u = np.empty((n, K, H, W))
    for i in range(n):
        p = rng.random()
        mixed = p * protos[y[i], 0] + (1 - p) * protos[y[i], 1]
        mixed = np.roll(mixed, tuple(rng.integers(-1, 2, 2)), axis=(1, 2))
        u[i] = np.clip(mixed + 0.3 * rng.standard_normal((K, H, W)), 0, None)
    return top._windows(u, (3, 3)), y


_NAIVE = {}


@pytest.mark.parametrize("batch_size, n_neighbors", [(1, 5), (7, 5), (64, 5), (7, 2)])
def test_fit_top_interpolating_equals_one_at_a_time(digits, batch_size, n_neighbors):
    Wall, y = digits
    theta, n_epochs = 0.85, 4
    if n_neighbors not in _NAIVE:  # the oracle is slow; one run serves every batch size
        _NAIVE[n_neighbors] = naive_digits.fit_top_interpolating(Wall, y, theta, Q, n_epochs, 4, 3,
                                                          n_neighbors, 3)
    ref_X, ref_labels, ref_added = _NAIVE[n_neighbors]
    state, added = top._fit_top_planes(lambda idx: Wall[idx], y, theta, Q, n_epochs, 4,
                                       np.random.default_rng(3), batch_size,
                                       interpolate=True, n_neighbors=n_neighbors)
    # a meaningful run: some digits recognised in the first epoch, a later epoch still
    # adding planes, every class with at least two references (so segments count)
    assert 3 < ref_added[0] < len(y) and ref_added[1] > 0
    assert min(np.bincount(ref_labels)) >= 2
    # and segments mattered: without pairs (one neighbour) other planes are made
    alone = top._fit_top_planes(lambda idx: Wall[idx], y, theta, Q, n_epochs, 4,
                                np.random.default_rng(3), batch_size, interpolate=True,
                                n_neighbors=1)[0]
    assert not np.array_equal(alone.labels[: alone.n], ref_labels)
    assert added == ref_added
    np.testing.assert_array_equal(state.labels[: state.n], ref_labels)
    np.testing.assert_allclose(state.X[: state.n], ref_X, rtol=1e-12, atol=1e-12)


def test_bad_options():
    W = DIGITS.astype(float)
    with pytest.raises(TypeError, match="interpolate"):
        top._fit_top_planes(lambda idx: W[idx], np.array(LABELS), THETA, Q, 1, 0, InOrder(), 4,
                            interpolate="yes")
    with pytest.raises(ValueError, match="n_neighbors"):
        top._fit_top_planes(lambda idx: W[idx], np.array(LABELS), THETA, Q, 1, 0, InOrder(), 4,
                            interpolate=True, n_neighbors=0)
    with pytest.raises(ValueError, match="n_neighbors"):
        top._fit_top_planes(lambda idx: W[idx], np.array(LABELS), THETA, Q, 1, 0, InOrder(), 4,
                            interpolate=True, n_neighbors=2.5)
    # a numpy integer is an integer (the estimator may pass one)
    _, _, added = _fit(DIGITS, LABELS, interpolate=True, n_neighbors=np.int64(2))
    assert added == [3]
