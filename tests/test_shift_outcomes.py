"""Per-digit outcomes and bootstrap intervals of the shift study
(``neocognitron.shift_study.outcomes``, ``.bootstrap``, ``measures.evaluate_shifts`` and
``measures.intervals``): circular shifts against ``np.roll``, the zero-fill outcomes
against ``neocognitron.metrics``, the bootstrap against a plain loop over resamples, and
the APS network exactly invariant to circular shifts."""

import numpy as np
import pytest

from neocognitron import ConvNetClassifier
from neocognitron.metrics import accuracy_by_shift, consistency
from neocognitron.shift_study import evaluate_shifts, intervals
from neocognitron.shift_study.bootstrap import bootstrap_interval, resample_weights
from neocognitron.shift_study.outcomes import (
    circular_shift,
    consistency_outcomes,
    grid_outcomes,
    shift_images,
    wraps_ink,
)


class _Parity:
    """Predicts the parity of the row of the brightest pixel (changes with every shift)."""

    classes_ = np.array([0, 1])

    def predict(self, X):
        X = np.asarray(X)
        flat = X.reshape(len(X), -1).argmax(axis=1)
        return (flat // X.shape[2]) % 2

    def class_scores(self, X):
        p = self.predict(X)
        return np.stack([1.0 - p, p.astype(float)], axis=1)


def _images(n=12, side=10, seed=0):
    return np.random.default_rng(seed).random((n, side, side)).astype(np.float32)


def test_circular_shift_is_np_roll_per_image():
    X = _images(5)
    dy, dx = np.array([0, 1, -3, 12, -1]), np.array([2, -2, 0, 5, -11])
    out = circular_shift(X, dy, dx)
    for i in range(5):
        assert np.array_equal(out[i], np.roll(X[i], (dy[i], dx[i]), axis=(0, 1)))
    assert np.array_equal(circular_shift(X, 1, 2), np.roll(X, (1, 2), axis=(1, 2)))
    assert out.dtype == X.dtype
    with pytest.raises(ValueError, match="dy must be"):
        circular_shift(X, np.array([1, 2]), 0)
    with pytest.raises(ValueError, match="kind must be"):
        shift_images(X, 0, 0, "mirror")


def test_circular_equals_zero_fill_when_no_ink_reaches_the_border():
    X = np.zeros((3, 12, 12), dtype=np.float32)
    X[:, 4:8, 3:9] = 1
    assert not wraps_ink(X, 3)
    assert wraps_ink(X, 4)
    for dy, dx in [(3, -3), (-2, 1), (0, 3)]:
        assert np.array_equal(shift_images(X, dy, dx, "zero"),
                              shift_images(X, dy, dx, "circular"))


def test_zero_fill_outcomes_are_the_metrics_numbers():
    X, y = _images(30), np.arange(30) % 2
    model = _Parity()
    pairs = [(dy, dx) for dy in (-2, 0, 2) for dx in (-2, 0, 2)]
    correct = grid_outcomes(model, X, y, pairs)
    assert np.array_equal(correct.mean(axis=1), accuracy_by_shift(model, X, y, pairs)["accuracy"])
    digit, same = consistency_outcomes(model, X, 3, 200, random_state=7)
    assert same.mean() == consistency(model, X, 3, n_pairs=200, random_state=7)
    assert digit.shape == (200,) and 0 <= digit.min() and digit.max() < 30


def test_evaluate_shifts_by_hand():
    X = np.zeros((4, 12, 12), dtype=np.float32)
    X[np.arange(4), 4 + np.arange(4), 6] = 1  # brightest rows 4, 5, 6, 7
    y = np.array([0, 1, 0, 1])  # right when unshifted
    r, out = evaluate_shifts(_Parity(), X, y, max_shift=2, step=1, n_pairs=50,
                             random_state=0)
    # a shift by an even dy keeps every answer, an odd one flips every answer
    grid = np.array(r["accuracy_grid"])
    assert np.array_equal(grid, np.tile([[1], [0], [1], [0], [1]], (1, 5)))
    assert r["accuracy_by_distance"] == pytest.approx([1.0, 2 / 8, 12 / 16])  # rings of 8, 16
    assert r["circular"]["same_images_as_zero_fill"]  # ink 4 pixels from every edge
    assert r["circular"]["accuracy_grid"].tolist() == grid.tolist()
    assert out["circular_correct"] is out["zero_correct"]
    assert out["zero_correct"].shape == (25, 4) and out["zero_correct"].dtype == np.uint8
    assert r["change_rate"] == 1.0 and r["similarity"][0] == pytest.approx(1.0)
    assert r["similarity"][1] == pytest.approx(-1.0)  # scores (1, 0) against (0, 1)


def _naive_interval(s, c, n_resamples, level, seed):
    """Resample digit indices, recompute each seed's ratio of sums, average over seeds."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, s.shape[1], size=(n_resamples, s.shape[1]))
    stats = []
    for idx in draws:
        per_seed = [s[k][idx].sum(axis=0) / c[k][idx].sum(axis=0) for k in range(len(s))]
        stats.append(np.mean(per_seed, axis=0))
    return np.quantile(np.array(stats), [(1 - level) / 2, (1 + level) / 2], axis=0)


def test_bootstrap_matches_a_plain_loop_over_resamples():
    rng = np.random.default_rng(3)
    s = rng.integers(0, 5, size=(2, 40, 3)).astype(float)
    c = np.full((2, 40, 3), 4.0) + rng.integers(0, 2, size=(2, 40, 3))
    s = np.minimum(s, c)
    low, high = bootstrap_interval(s, c, n_resamples=300, level=0.9, random_state=11)
    want = _naive_interval(s, c, 300, 0.9, 11)
    assert np.allclose(low, want[0]) and np.allclose(high, want[1])
    assert (low <= (s.sum(1) / c.sum(1)).mean(0)).all()
    assert (high >= (s.sum(1) / c.sum(1)).mean(0)).all()


def test_bootstrap_by_hand():
    # every digit right: the interval is [1, 1]; half of them right: it contains 1/2
    ones = np.ones((1, 50))
    assert bootstrap_interval(ones, ones, n_resamples=50) == (1.0, 1.0)
    half = (np.arange(50) % 2)[None].astype(float)
    low, high = bootstrap_interval(half, ones, n_resamples=500)
    assert 0.3 < low < 0.5 < high < 0.7
    w = resample_weights(7, 4, random_state=0)
    assert w.shape == (4, 7) and (w.sum(axis=1) == 7).all()
    with pytest.raises(ValueError, match="level"):
        bootstrap_interval(ones, ones, level=1.5)


def test_intervals_of_evaluate_shifts_outcomes():
    X, y = _images(20), np.arange(20) % 2
    runs = [evaluate_shifts(_Parity(), X, y, 2, 2, n_pairs=40, random_state=0)
            for _ in range(2)]
    ci = intervals([o for _, o in runs], [-2, 0, 2], n_resamples=200)
    r = runs[0][0]
    for kind, res in (("zero", r), ("circular", r["circular"])):
        for (lo, hi), a in zip(ci[kind]["accuracy_by_distance"], res["accuracy_by_distance"],
                               strict=True):
            assert lo <= a <= hi
        lo, hi = ci[kind]["consistency"]
        assert lo <= res["consistency"] <= hi


def test_aps_is_exactly_invariant_to_circular_shifts_on_28x28():
    rng = np.random.default_rng(0)
    X = rng.random((60, 28, 28)).astype(np.float32) * 255
    y = (X[:, :14].sum(axis=(1, 2)) > X[:, 14:].sum(axis=(1, 2))).astype(int)
    aps = ConvNetClassifier(pooling="aps", padding="circular", global_pool=True,
                            max_iter=1, random_state=0).fit(X, y)
    r, _ = evaluate_shifts(aps, X[:20], y[:20], max_shift=4, step=2, n_pairs=100,
                           random_state=0)
    assert not r["circular"]["same_images_as_zero_fill"]
    assert r["circular"]["consistency"] == 1.0
    grid = np.array(r["circular"]["accuracy_grid"])
    assert (grid == grid[2, 2]).all()
