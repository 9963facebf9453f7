"""Held-out by construction: variants that are never a training presentation.

:meth:`Neocognitron.fit` presents each pattern shifted by at most ``config.max_shift``
pixels per axis, ink kept in the frame (:func:`neocognitron.transforms.random_shift`).
A variant pixel-identical to such an image tests memory, not tolerance: with training
shifts of 2 pixels and variants shifted by up to 3, about a third of the old shift
variants were. This module gives

* :func:`training_presentations`: every image any fit could present (all seeds), the set
  variants of every kind but the near shifts must avoid;
* :func:`unpresented_shifts`: shifts within the trained distances that one fitted network
  was never shown (its own presentations, :meth:`Neocognitron.presentations`);
* :func:`image_keys`, :func:`seen`: exact pixel comparison against such sets;
* :func:`redraw_seen`: draw again every variant that is a training presentation.
"""

import numpy as np

from .. import transforms
from .._random import integers


def shifts_at(pattern, distance):
    """Every ``(dy, dx)`` at Chebyshev distance ``distance`` that keeps the ink in frame.

    Parameters
    ----------
    pattern : ndarray, shape (H, W)
    distance : int >= 0

    Returns
    -------
    list of (int, int), row by row
    """
    ink = np.asarray(pattern) > 0
    H, W = ink.shape
    if not ink.any():
        room = (distance,) * 4
    else:
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        room = (rows[0], H - 1 - rows[-1], cols[0], W - 1 - cols[-1])  # up, down, left, right
    d = int(distance)
    return [(dy, dx) for dy in range(-d, d + 1) for dx in range(-d, d + 1)
            if max(abs(dy), abs(dx)) == d
            and -room[0] <= dy <= room[1] and -room[2] <= dx <= room[3]]


def training_presentations(patterns, max_shift):
    """Every image a fit can present: each pattern at every shift of at most
    ``max_shift`` pixels per axis that keeps its ink in the frame.

    Parameters
    ----------
    patterns : ndarray, shape (P, H, W)
    max_shift : int
        The training shift (``config.max_shift``).

    Returns
    -------
    images : ndarray, shape (M, H, W), float64
    """
    P = np.asarray(patterns, dtype=np.float64)
    return np.array([transforms.shift(p, dy, dx) for p in P for d in range(int(max_shift) + 1)
                     for dy, dx in shifts_at(p, d)])


def _key(image):
    # + 0.0 turns -0.0 into 0.0, whose bytes differ though the pixels are equal
    return (np.asarray(image, dtype=np.float64) + 0.0).tobytes()


def image_keys(images):
    """The set of exact pixel contents of ``images`` (float64 bytes), for :func:`seen`."""
    X = np.asarray(images, dtype=np.float64)
    return {_key(x) for x in X.reshape(-1, *X.shape[-2:])}


def seen(images, keys):
    """Whether each image is pixel-identical to one of ``keys`` (:func:`image_keys`).

    Returns
    -------
    ndarray of bool, shape ``images.shape[:-2]``
    """
    X = np.asarray(images, dtype=np.float64)
    flat = X.reshape(-1, *X.shape[-2:])
    return np.array([_key(x) in keys for x in flat], dtype=bool).reshape(X.shape[:-2])


def redraw_seen(make, reps, keys, tries=50):
    """``make(reps)``, with every output that is in ``keys`` drawn again from its input.

    Parameters
    ----------
    make : callable
        ``(m, H, W) -> (m, H, W)``: one random variant per input image.
    reps : ndarray, shape (m, H, W)
    keys : set of bytes
        :func:`image_keys` of the images to avoid.
    tries : int
        Redraws before giving up (a deterministic ``make`` never changes its output).

    Returns
    -------
    X : ndarray, shape (m, H, W)
    fresh : ndarray of bool, shape (m,)
        False where the variant is still a training presentation after ``tries``.
    """
    X = np.array(make(reps), dtype=np.float64)
    bad = np.flatnonzero(seen(X, keys))
    for _ in range(tries):
        if not bad.size:
            break
        X[bad] = make(reps[bad])
        bad = bad[seen(X[bad], keys)]
    fresh = np.ones(len(X), dtype=bool)
    fresh[bad] = False
    return X, fresh


def shift_pool(pattern, distances, keys):
    """The images of ``pattern`` shifted by every distance in ``distances`` (ink kept in
    frame) that are not in ``keys`` (:func:`image_keys`), as a list of (H, W) arrays."""
    p = np.asarray(pattern, dtype=np.float64)
    return [x for d in distances for x in (transforms.shift(p, *s) for s in shifts_at(p, d))
            if _key(x) not in keys]


def unpresented_shifts(patterns, presented, n, distances=(1, 2), random_state=None):
    """Each pattern shifted within ``distances``, by shifts never presented.

    Parameters
    ----------
    patterns : ndarray, shape (P, H, W)
    presented : ndarray, shape (m, H, W)
        The images to avoid: the ones a network was trained on
        (:meth:`Neocognitron.presentations`), or :func:`training_presentations`.
    n : int
        Variants per pattern, drawn uniformly (with replacement) from the unpresented
        shifts at the given Chebyshev distances that keep the ink in frame.
    distances : sequence of int
    random_state : Generator or RandomState

    Returns
    -------
    variants : ndarray, shape (P, n, H, W)

    Raises
    ------
    ValueError
        When a pattern was presented at every such shift.
    """
    keys = image_keys(presented)
    out = []
    for i, p in enumerate(np.asarray(patterns, dtype=np.float64)):
        pool = shift_pool(p, distances, keys)
        if not pool:
            raise ValueError(f"pattern {i} was presented at every shift of distance "
                             f"{tuple(distances)}: no unpresented shift is left")
        out.append([pool[j] for j in integers(random_state, 0, len(pool), size=n)])
    return np.array(out)
