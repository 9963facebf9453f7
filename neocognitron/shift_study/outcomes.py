"""Per-digit outcomes of the shift measures, under zero-filled or circular shifts.

:mod:`neocognitron.metrics` returns each measure as one number; the study also needs, for
its bootstrap intervals over test digits (:mod:`.bootstrap`), what happened to every
digit: whether it was classified right at every shift of the grid, and, for every
consistency draw, which digit was drawn and whether its two shifted copies got the same
class. The draws are those of :func:`neocognitron.metrics.consistency` (the same random
numbers in the same order), so under zero fill the fractions here are its numbers and
:func:`~neocognitron.metrics.accuracy_by_shift`'s exactly (tested).

Two kinds of shift (:data:`KINDS`):

* ``"zero"``: :func:`neocognitron.transforms.shift`, vacated pixels 0 and ink pushed past
  the edge lost;
* ``"circular"``: :func:`circular_shift`, the image as a torus (``np.roll``): what leaves
  one edge enters the opposite one, so no ink is lost and a network built to be invariant
  to it (adaptive polyphase sampling with circular padding, Chaman & Dokmanic 2021) can be
  exactly invariant.
"""

import numpy as np

from .. import transforms
from .._random import check_random_state, uniform_integers
from .._validation import as_real_array, check_scalar

__all__ = ["KINDS", "circular_shift", "shift_images", "wraps_ink", "grid_outcomes",
           "consistency_outcomes"]

#: the kinds of shift, by name
KINDS = ("zero", "circular")


def circular_shift(X, dy, dx):
    """Translate images on a torus: ``np.roll(x, (dy, dx), axis=(0, 1))`` for each image.

    Parameters
    ----------
    X : array-like of shape (n, H, W)
    dy, dx : int or array of int of shape (n,)
        Positive ``dy`` moves the image down, positive ``dx`` to the right (as
        :func:`neocognitron.transforms.shift`); arrays give every image its own shift.

    Returns
    -------
    ndarray, same shape and dtype as ``X``
    """
    X = as_real_array(X, "X", ndim=3)
    n, H, W = X.shape
    dy, dx = (_offsets(d, name, n) for d, name in ((dy, "dy"), (dx, "dx")))
    rows = (np.arange(H)[None, :] - dy[:, None]) % H
    cols = (np.arange(W)[None, :] - dx[:, None]) % W
    return X[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def _offsets(d, name, n):
    if np.ndim(d) == 0:
        return np.full(n, check_scalar(d, name, integer=True), dtype=np.int64)
    arr = np.asarray(d)
    if not np.issubdtype(arr.dtype, np.integer) or arr.shape != (n,):
        raise ValueError(f"{name} must be an integer or {n} integers (one per image), "
                         f"got {d!r}")
    return arr.astype(np.int64)


def shift_images(X, dy, dx, kind):
    """Shift images by ``(dy, dx)`` of the kind ``"zero"`` or ``"circular"``."""
    if kind == "zero":
        return transforms.shift(X, dy, dx)
    if kind == "circular":
        return circular_shift(X, dy, dx)
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def wraps_ink(X, max_shift):
    """Whether a circular shift of at most ``max_shift`` pixels can move ink across an
    edge: any non-zero pixel within ``max_shift`` of the frame. When not, circular and
    zero-filled shifts of ``X`` up to ``max_shift`` are the same images."""
    X = np.asarray(X)
    s = int(max_shift)
    if s == 0:
        return False
    inner = np.zeros(X.shape[1:], dtype=bool)
    inner[s:-s, s:-s] = True
    return bool(np.any(X[:, ~inner] != 0))


def _predict(model, X):
    return np.asarray(model.predict(X))


def grid_outcomes(model, X, y, pairs, kind="zero"):
    """Which digits are classified right at each shift.

    Parameters
    ----------
    model : fitted classifier with ``predict``
    X : ndarray (n, H, W)
    y : ndarray (n,)
    pairs : sequence of (dy, dx)
    kind : {"zero", "circular"}

    Returns
    -------
    ndarray of bool, shape (len(pairs), n)
        ``[k, i]``: digit ``i`` shifted by ``pairs[k]`` gets its class ``y[i]``.
    """
    y = np.asarray(y)
    return np.stack([_predict(model, shift_images(X, dy, dx, kind)) == y for dy, dx in pairs])


def consistency_outcomes(model, X, max_shift, n_pairs, random_state=None, kind="zero"):
    """The draws of :func:`neocognitron.metrics.consistency` and their outcomes.

    Returns
    -------
    digits : ndarray of int, shape (n_pairs,)
        The digit of each draw.
    same : ndarray of bool, shape (n_pairs,)
        Whether its two shifted copies got the same class; ``same.mean()`` is the
        consistency.
    """
    m = check_scalar(max_shift, "max_shift", low=0, low_inclusive=True, integer=True)
    n_pairs = check_scalar(n_pairs, "n_pairs", low=1, low_inclusive=True, integer=True)
    rng = check_random_state(random_state)
    idx = uniform_integers(rng, 0, len(X) - 1, n_pairs)
    d = uniform_integers(rng, -m, m, (n_pairs, 4))
    first = _predict(model, shift_images(X[idx], d[:, 0], d[:, 1], kind))
    second = _predict(model, shift_images(X[idx], d[:, 2], d[:, 3], kind))
    return idx, first == second
