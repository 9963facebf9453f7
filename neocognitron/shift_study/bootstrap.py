"""Percentile bootstrap intervals over test digits for the shift study.

Every measure of the study is a ratio of sums over test digits: accuracy at distance ``d``
is (digits-and-shifts right at ``d``) / (digits × shifts at ``d``), consistency is (draws
whose two copies agree) / (draws). The uncertainty that comes from which test digits were
drawn is estimated by resampling the digits with replacement (Efron & Tibshirani 1993,
the percentile interval): each resample weights digit ``i`` by how often it was drawn,
``w_i``, and the measure becomes ``sum_i w_i s_i / sum_i w_i c_i`` (``s_i`` the digit's
successes, ``c_i`` its trials). With several seeds the same resample of digits serves
every seed and the measure is their mean, so the interval is that of the mean over seeds
reported beside it. The interval is the ``(1 - level) / 2`` and ``(1 + level) / 2``
quantiles of the resampled measure.
"""

import numpy as np

from .._validation import check_scalar

__all__ = ["resample_weights", "bootstrap_interval"]


def resample_weights(n, n_resamples, random_state):
    """How often each of ``n`` digits is drawn in each resample: ``(n_resamples, n)``
    counts, row ``b`` the counts of ``rng.integers(0, n, (n_resamples, n))[b]`` for
    ``rng = np.random.default_rng(random_state)``."""
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n, size=(n_resamples, n))
    w = np.zeros((n_resamples, n), dtype=np.int64)
    np.add.at(w, (np.arange(n_resamples)[:, None], draws), 1)
    return w


def bootstrap_interval(successes, trials, n_resamples=1000, level=0.95, random_state=0):
    """Percentile bootstrap interval over digits of a ratio of sums, averaged over seeds.

    Parameters
    ----------
    successes : array-like, shape (n_seeds, n_digits, ...)
        Per seed and digit, the successes of each measure (trailing axes: several
        measures, e.g. one per shift distance).
    trials : array-like, broadcastable to ``successes``
        The trials they are out of (0 for a digit without any).
    n_resamples : int, default=1000
    level : float in (0, 1), default=0.95
    random_state : int, default=0
        Seeds the resamples: the same seed and number of digits give the same resamples
        (pass the same for every model, to resample the same digits for all).

    Returns
    -------
    low, high : ndarray of float, shape ``successes.shape[2:]``
        The interval of ``mean over seeds of sum_i s_i / sum_i c_i``.
    """
    s = np.asarray(successes, dtype=np.float64)
    if s.ndim < 2:
        raise ValueError(f"successes must be (n_seeds, n_digits, ...), got shape {s.shape}")
    c = np.broadcast_to(np.asarray(trials, dtype=np.float64), s.shape)
    n_resamples = check_scalar(n_resamples, "n_resamples", low=1, low_inclusive=True,
                               integer=True)
    level = check_scalar(level, "level", low=0)
    if not level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    w = resample_weights(s.shape[1], n_resamples, random_state).astype(np.float64)
    num = np.einsum("bn,kn...->bk...", w, s)
    den = np.einsum("bn,kn...->bk...", w, c)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = (num / den).mean(axis=1)  # a resample without any trial gives NaN
    q = np.nanquantile(stat, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return q[0], q[1]
