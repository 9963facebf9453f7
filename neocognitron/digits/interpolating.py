"""Interpolating-vector readout of the top stage (Fukushima, Neural Networks 20, 2007).

The reference vectors are the top planes' patterns, ``R`` of them over all classes.
Besides each reference vector ``X_i`` of a class, every point of the segment between two
reference vectors of the same class, ``p X_i + (1 - p) X_j`` with ``0 <= p <= 1``, counts
as a reference. The similarity of a test vector ``x`` to the segment is the largest cosine
between ``x`` and a point of it. With ``s_i, s_j`` the cosines of ``x`` with ``X_i, X_j``
and ``g`` the cosine between ``X_i`` and ``X_j``, the cosine to the plane they span is
``sqrt((s_i^2 + s_j^2 - 2 s_i s_j g) / (1 - g^2))``; the best point lies inside the
segment (``p`` in ``[0, 1]``) exactly when both ``s_i - g s_j`` and ``s_j - g s_i`` are
non-negative; otherwise the best point is an end, ``max(s_i, s_j)``. The class of the
most similar segment is the answer.

Pairs of every two vectors of a class are too many (``R^2``), so each test vector pairs
only its ``n_neighbors`` most similar vectors of each class: a far vector cannot lift a
segment above its near end by much. The cosines ``g`` between reference vectors do not
depend on the test vector, so they are computed once per class (:func:`class_grams`) and
looked up, instead of gathering ``n_neighbors`` vectors of ``D`` numbers per test vector.
"""

import numpy as np


def _segment_similarity(s_i, s_j, g):
    """Largest cosine between ``x`` and the segment ``[X_i, X_j]``; arrays broadcast."""
    s_i, s_j, g = np.broadcast_arrays(*(np.asarray(t, dtype=np.float64) for t in (s_i, s_j, g)))
    end = np.maximum(s_i, s_j)
    inside = (s_i - g * s_j >= 0) & (s_j - g * s_i >= 0) & (np.abs(g) < 1 - 1e-12)
    denom = np.where(inside, 1 - g * g, 1.0)
    plane = np.sqrt(np.maximum(s_i**2 + s_j**2 - 2 * s_i * s_j * g, 0) / denom)
    return np.where(inside, np.maximum(plane, end), end)


def _class_grams(X_unit, labels, n_classes):
    """Per class, its reference vectors' indices and their cosines with each other.

    Returns
    -------
    grams : list of (ndarray of int, ndarray of shape (m, m))
        ``(members, X_unit[members] @ X_unit[members].T)`` for each class ``0 ... n_classes-1``.
    """
    out = []
    for j in range(n_classes):
        members = np.flatnonzero(labels == j)
        out.append((members, X_unit[members] @ X_unit[members].T))
    return out


def _interpolate_predict(cos, X_unit, labels, n_classes, n_neighbors, grams=None):
    """Class of the most similar segment for each row of ``cos``.

    Parameters
    ----------
    cos : ndarray, shape (N, R)
        Cosine of each test vector with each reference vector.
    X_unit : ndarray, shape (R, D)
        Reference vectors scaled to unit length (for the cosines ``g``).
    labels : ndarray of int, shape (R,)
    n_classes : int
    n_neighbors : int
    grams : list, optional
        :func:`class_grams` of ``X_unit``; computed here when not given (pass it when
        calling for many batches).

    Returns
    -------
    best : ndarray, shape (N, n_classes)
        Largest segment similarity per class (a lone vector counts as a segment).
    """
    N = cos.shape[0]
    if grams is None:
        grams = _class_grams(X_unit, labels, n_classes)
    best = np.full((N, n_classes), -np.inf)
    for j, (members, gram) in enumerate(grams):
        if members.size == 0:
            continue
        m = min(n_neighbors, members.size)
        c = cos[:, members]
        near = np.argpartition(-c, m - 1, axis=1)[:, :m]  # (N, m), indices into members
        s = np.take_along_axis(c, near, axis=1)
        best[:, j] = s.max(axis=1)
        if m < 2:
            continue
        g = gram[near[:, :, None], near[:, None, :]]  # (N, m, m)
        sim = _segment_similarity(s[:, :, None], s[:, None, :], g)
        best[:, j] = np.maximum(best[:, j], sim.reshape(N, -1).max(axis=1))
    return best
