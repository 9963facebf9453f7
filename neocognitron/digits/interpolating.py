"""Interpolating-vector readout of the top stage (Fukushima 2004, 2007).

Besides each reference vector ``X_i`` of a class, every point of the segment between two
reference vectors of the same class, ``p X_i + (1 - p) X_j`` with ``0 <= p <= 1``, counts
as a reference. The similarity of a test vector ``x`` to the segment is the largest cosine
between ``x`` and a point of it. With ``s_i, s_j`` the cosines of ``x`` with ``X_i, X_j``
and ``g`` the cosine between ``X_i`` and ``X_j``, the cosine to the plane they span is
``sqrt((s_i^2 + s_j^2 - 2 s_i s_j g) / (1 - g^2))``; the best point lies inside the
segment (``p`` in ``[0, 1]``) exactly when both ``s_i - g s_j`` and ``s_j - g s_i`` are
non-negative; otherwise the best point is an end, ``max(s_i, s_j)``. The class of the
most similar segment is the answer.

Pairs of every two vectors of a class are too many (``P^2``), so each test vector pairs
only its ``n_neighbors`` most similar vectors of each class: a far vector cannot lift a
segment above its near end by much.
"""

import numpy as np

__all__ = ["segment_similarity", "interpolate_predict"]


def segment_similarity(s_i, s_j, g):
    """Largest cosine between ``x`` and the segment ``[X_i, X_j]``; arrays broadcast."""
    s_i, s_j, g = np.broadcast_arrays(*(np.asarray(t, dtype=np.float64) for t in (s_i, s_j, g)))
    end = np.maximum(s_i, s_j)
    inside = (s_i - g * s_j >= 0) & (s_j - g * s_i >= 0) & (np.abs(g) < 1 - 1e-12)
    denom = np.where(inside, 1 - g * g, 1.0)
    plane = np.sqrt(np.maximum(s_i**2 + s_j**2 - 2 * s_i * s_j * g, 0) / denom)
    return np.where(inside, np.maximum(plane, end), end)


def interpolate_predict(cos, X_unit, labels, n_classes, n_neighbors):
    """Class of the most similar segment for each row of ``cos``.

    Parameters
    ----------
    cos : ndarray, shape (N, P)
        Cosine of each test vector with each reference vector.
    X_unit : ndarray, shape (P, D)
        Reference vectors scaled to unit length (for the cosines ``g``).
    labels : ndarray of int, shape (P,)
    n_classes : int
    n_neighbors : int

    Returns
    -------
    best : ndarray, shape (N, n_classes)
        Largest segment similarity per class (a lone vector counts as a segment).
    """
    N = cos.shape[0]
    best = np.full((N, n_classes), -np.inf)
    for j in range(n_classes):
        members = np.flatnonzero(labels == j)
        if members.size == 0:
            continue
        m = min(n_neighbors, members.size)
        top = members[np.argpartition(-cos[:, members], m - 1, axis=1)[:, :m]]  # (N, m)
        s = np.take_along_axis(cos, top, axis=1)
        best[:, j] = s.max(axis=1)
        if m < 2:
            continue
        Xt = X_unit[top]  # (N, m, D)
        g = np.einsum("nid,njd->nij", Xt, Xt)
        sim = segment_similarity(s[:, :, None], s[:, None, :], g)
        best[:, j] = np.maximum(best[:, j], sim.reshape(N, -1).max(axis=1))
    return best
