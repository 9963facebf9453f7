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

Two models measured on the same test digits are compared by the paired bootstrap
(:func:`difference_interval`): each resample of the digits is applied to both, and the
interval is that of the difference of their measures. It is narrower than the two
intervals side by side suggest, because a digit hard for one model tends to be hard for
the other.
"""

import numpy as np

from .._validation import check_scalar

__all__ = ["resample_weights", "resampled_measure", "bootstrap_interval",
           "difference_interval"]


def resample_weights(n, n_resamples, random_state):
    """How often each of ``n`` digits is drawn in each resample: ``(n_resamples, n)``
    counts, row ``b`` the counts of ``rng.integers(0, n, (n_resamples, n))[b]`` for
    ``rng = np.random.default_rng(random_state)``."""
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n, size=(n_resamples, n))
    w = np.zeros((n_resamples, n), dtype=np.int64)
    np.add.at(w, (np.arange(n_resamples)[:, None], draws), 1)
    return w


def resampled_measure(successes, trials, n_resamples=1000, random_state=0):
    """The measure on each resample of the digits: ``mean over seeds of
    sum_i w_i s_i / sum_i w_i c_i`` for the weights ``w`` of :func:`resample_weights`.

    Parameters
    ----------
    successes : array-like, shape (n_seeds, n_digits, ...)
        Per seed and digit, the successes of each measure (trailing axes: several
        measures, e.g. one per shift distance).
    trials : array-like, broadcastable to ``successes``
        The trials they are out of (0 for a digit without any).
    n_resamples : int, default=1000
    random_state : int, default=0
        Seeds the resamples: the same seed and number of digits give the same resamples.

    Returns
    -------
    ndarray of float, shape ``(n_resamples,) + successes.shape[2:]``
        NaN for a resample without any trial.
    """
    s = np.asarray(successes, dtype=np.float64)
    if s.ndim < 2:
        raise ValueError(f"successes must be (n_seeds, n_digits, ...), got shape {s.shape}")
    c = np.broadcast_to(np.asarray(trials, dtype=np.float64), s.shape)
    n_resamples = check_scalar(n_resamples, "n_resamples", low=1, low_inclusive=True,
                               integer=True)
    w = resample_weights(s.shape[1], n_resamples, random_state).astype(np.float64)
    num = np.einsum("bn,kn...->bk...", w, s)
    den = np.einsum("bn,kn...->bk...", w, c)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (num / den).mean(axis=1)


def _check_level(level):
    level = check_scalar(level, "level", low=0)
    if not level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    return level


def _percentile_interval(stat, level):
    q = np.nanquantile(stat, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return q[0], q[1]


def bootstrap_interval(successes, trials, n_resamples=1000, level=0.95, random_state=0):
    """Percentile bootstrap interval over digits of a ratio of sums, averaged over seeds.

    Parameters
    ----------
    successes, trials, n_resamples, random_state
        As for :func:`resampled_measure` (pass the same ``random_state`` for every model,
        to resample the same digits for all).
    level : float in (0, 1), default=0.95

    Returns
    -------
    low, high : ndarray of float, shape ``successes.shape[2:]``
        The interval of ``mean over seeds of sum_i s_i / sum_i c_i``.
    """
    level = _check_level(level)
    return _percentile_interval(
        resampled_measure(successes, trials, n_resamples, random_state), level)


def difference_interval(successes, trials, ref_successes, ref_trials, n_resamples=1000,
                        level=0.95, random_state=0):
    """Paired percentile bootstrap interval of a measure of one model less that of a
    reference model, both measured on the same ``n_digits`` test digits.

    Each resample of the digits weights both models' digits alike; the seeds of the two
    may differ in number (each measure is its mean over its own seeds).

    Parameters
    ----------
    successes, trials : the model's, as for :func:`resampled_measure`
    ref_successes, ref_trials : the reference's, with the same ``n_digits`` and trailing
        axes
    n_resamples, level, random_state : as for :func:`bootstrap_interval`

    Returns
    -------
    low, high : ndarray of float, shape ``successes.shape[2:]``
    """
    level = _check_level(level)
    s, r = np.asarray(successes), np.asarray(ref_successes)
    if s.ndim < 2 or r.ndim < 2 or s.shape[1:] != r.shape[1:]:
        raise ValueError("successes and ref_successes must be (n_seeds, n_digits, ...) with "
                         f"the same digits and measures, got shapes {s.shape} and {r.shape}")
    stat = (resampled_measure(s, trials, n_resamples, random_state)
            - resampled_measure(r, ref_trials, n_resamples, random_state))
    return _percentile_interval(stat, level)
