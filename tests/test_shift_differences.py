"""Paired bootstrap differences between two models of the shift study
(``shift_study.bootstrap.difference_interval``, ``measures.differences``): against a plain
loop over resamples, and by hand."""

import numpy as np
import pytest

from neocognitron.shift_study import differences, evaluate_shifts, summarise
from neocognitron.shift_study.bootstrap import bootstrap_interval, difference_interval


def _naive_difference(s, c, rs, rc, n_resamples, level, seed):
    """Draw digit indices; for each draw, each model's mean over its seeds of the ratio of
    sums over the drawn digits; the quantiles of model less reference."""
    draws = np.random.default_rng(seed).integers(0, s.shape[1], size=(n_resamples, s.shape[1]))
    stats = []
    for idx in draws:
        mine = np.mean([s[k][idx].sum(axis=0) / c[k][idx].sum(axis=0) for k in range(len(s))],
                       axis=0)
        ref = np.mean([rs[k][idx].sum(axis=0) / rc[k][idx].sum(axis=0)
                       for k in range(len(rs))], axis=0)
        stats.append(mine - ref)
    return np.quantile(np.array(stats), [(1 - level) / 2, (1 + level) / 2], axis=0)


def test_difference_interval_matches_a_plain_loop():
    rng = np.random.default_rng(5)
    c = np.full((3, 50, 2), 6.0)
    s = rng.integers(0, 7, size=(3, 50, 2)).astype(float)
    rc = np.full((1, 50, 2), 6.0)  # a reference with one seed, as 1-NN has
    rs = np.clip(s[:1] + rng.integers(-2, 3, size=(1, 50, 2)), 0, 6)
    low, high = difference_interval(s, c, rs, rc, n_resamples=400, level=0.9, random_state=3)
    want = _naive_difference(s, c, rs, rc, 400, 0.9, 3)
    np.testing.assert_allclose(low, want[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(high, want[1], rtol=0, atol=1e-12)


def test_paired_interval_is_narrower_than_the_two_intervals_side_by_side():
    # the reference gets right what the model gets right, and one more digit in ten
    rng = np.random.default_rng(0)
    s = (rng.random((1, 400)) < 0.7).astype(float)
    rs = s.copy()
    rs[0, ::10] = 1.0
    ones = np.ones((1, 400))
    low, high = difference_interval(s, ones, rs, ones, n_resamples=500)
    point = s.mean() - rs.mean()
    assert low <= point <= high < 0  # every resample sees the reference ahead
    (a_lo, a_hi), (b_lo, b_hi) = (bootstrap_interval(x, ones, n_resamples=500) for x in (s, rs))
    assert high - low < 0.5 * ((a_hi - a_lo) + (b_hi - b_lo)) / 2
    assert difference_interval(s, ones, s, ones, n_resamples=50) == (0.0, 0.0)


def test_difference_interval_refuses_other_digits_and_levels():
    ones = np.ones((1, 10))
    with pytest.raises(ValueError, match="same digits"):
        difference_interval(ones, ones, np.ones((1, 11)), np.ones((1, 11)))
    with pytest.raises(ValueError, match="level"):
        difference_interval(ones, ones, ones, ones, level=0.0)


class _Rows:
    """Predicts class 1 when the brightest pixel's row is at least ``k``."""

    classes_ = np.array([0, 1])

    def __init__(self, k):
        self.k = k

    def predict(self, X):
        X = np.asarray(X)
        return (X.reshape(len(X), -1).argmax(axis=1) // X.shape[2] >= self.k).astype(int)

    def class_scores(self, X):
        p = self.predict(X)
        return np.stack([1.0 - p, p.astype(float)], axis=1)


def test_differences_are_the_difference_of_the_seed_means():
    rng = np.random.default_rng(1)
    X = rng.random((30, 12, 12)).astype(np.float32)
    y = (X.reshape(30, -1).argmax(axis=1) // 12 >= 6).astype(int)
    kw = {"max_shift": 2, "step": 1, "n_pairs": 60, "random_state": 0}
    a = [evaluate_shifts(_Rows(k), X, y, **kw) for k in (5, 6)]  # two "seeds"
    ref = [evaluate_shifts(_Rows(7), X, y, **kw)]
    d = differences([o for _, o in a], [o for _, o in ref], a[0][0]["offsets"],
                    n_resamples=200)
    runs = {"a": [dict(r, fit_seconds=0.0) for r, _ in a],
            "ref": [dict(r, fit_seconds=0.0) for r, _ in ref]}
    s = summarise({"c": runs})["c"]
    for kind, pick in (("zero", lambda m: m), ("circular", lambda m: m["circular"])):
        acc = d[kind]["accuracy_by_distance"]
        want = (np.asarray(pick(s["a"])["accuracy_by_distance"]["mean"])
                - np.asarray(pick(s["ref"])["accuracy_by_distance"]["mean"]))
        np.testing.assert_allclose(acc["difference"], want, rtol=0, atol=1e-12)
        for value, (lo, hi) in zip(acc["difference"], acc["interval"], strict=True):
            assert lo - 1e-12 <= value <= hi + 1e-12
        want_c = pick(s["a"])["consistency"]["mean"] - pick(s["ref"])["consistency"]["mean"]
        assert d[kind]["consistency"]["difference"] == pytest.approx(want_c, abs=1e-12)
