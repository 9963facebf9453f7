"""The supervised top stage (Fukushima 2003, section 2.6; 2007).

It is the S-layer and C-layer above the last C-layer of the cascade
(:func:`~neocognitron.digits.cascade._forward`), whichever that is: with the defaults,
U_S2 -> U_C2 on top of U_C1; with one learned stage
(:data:`~neocognitron.digits.ONE_LEARNED_STAGE`), U_S3 -> U_C3 on top of U_C2; in the 2003
network, U_S4 -> U_C4 on top of U_C3.

Every top S-plane has a class label and one pattern ``X`` over a receptive field that
covers nearly the whole top C-layer; its cells sit on a small grid of positions (the
field slid by ``0 ... 2 * slack`` C-cells each way), so the top stage sees the digit
wherever it lies on the canvas. The S-cells are the theta cells of
:func:`neocognitron.cells.s_layer_theta` with ``c = 1`` over the field:
``u_S = theta/(1-theta) * phi[(1 + a.x) / (1 + theta * b * |x|) - 1]``, ``a = X``,
``b = |X|``. A top C-cell of class ``j`` takes the largest ``u_S`` of the planes labelled
``j`` over every position: it answers wherever the digit sits.

**Supervised competitive learning.** Training digits are shown one at a time. The winner
is the S-cell with the largest ``(1 + a.x) / (1 + theta b |x|)`` over every plane and
position. If it has the digit's label and answers (``u_S > 0``), its plane learns:
``X += q * x`` at the winner's position. If its label is wrong, or no cell answers, a new
plane is generated with the digit's label and ``X = q * x``, its seed being the position
where the input is strongest (``|x|`` largest; the central position when it ties for
largest, as it does for a centred digit); a blank digit generates nothing.
Epochs repeat until one adds no plane or ``n_epochs`` have run.

**Interpolating vectors in learning** (``interpolate=True``; Fukushima 2013/2014, after the
readout of 2007, :mod:`.interpolating`): a digit is *recognised* when, over the planes
learned so far, the interpolating-vector similarity of its own class (the largest
similarity of a segment between two of the class's patterns, or of one pattern, per
position and then the largest over positions, as the readout computes it) is the largest
of all classes and above the learning threshold ``theta`` (above, as a cell answers:
``score > 1`` is ``cosine > theta``). A recognised digit changes nothing; any other digit
makes a new plane as above. Patterns are never reinforced: they are the reference vectors
of the 2013 text, "If classification is wrong or all S-cells are silent, the training
vector becomes a new reference vector". Segments only join pairs (the 2007 line
segments), not the trios of the 2014 text.

Computation: ``a.x`` for a batch of digits against every plane is one matrix product;
after each change of a plane within the batch, only that plane's column is recomputed for
the digits still to come, so the result is that of strictly one-at-a-time learning. With
``interpolate``, planes are only added, and the cosines between the patterns of a class are
grown with them (:class:`_ClassGrams`).
"""

import numpy as np

from ._kernels import _top_max_scores
from .interpolating import _interpolate_predict

__all__ = ["top_max_scores"]


def _windows(u_c, field):
    """Every ``field`` window of ``u_c`` ``(N, K, H, W)`` at unit steps: ``(N, n_pos, D)``.

    ``n_pos`` counts the positions, which run row by row; ``D = K * field[0] * field[1]``.
    """
    N, K, H, W = u_c.shape
    h, w = field
    sw = np.lib.stride_tricks.sliding_window_view(u_c, (h, w), axis=(2, 3))
    py, px = H - h + 1, W - w + 1
    return np.ascontiguousarray(sw.transpose(0, 2, 3, 1, 4, 5)).reshape(N, py * px, K * h * w)


def _top_scores(dots, norms, b, theta):
    """``(1 + a.x) / (1 + theta b |x|)``: ``u_S = theta/(1-theta) phi[score - 1]``."""
    return (1.0 + dots) / (1.0 + theta * norms[..., None] * b)


def top_max_scores(dots, norms, b, theta):
    """``top_scores(dots, norms, b, theta).max(axis=1)`` in one pass, without temporaries.

    Parameters
    ----------
    dots : ndarray of float32, shape (N, n_pos, K)
        ``a . x`` of every digit, position and plane.
    norms : ndarray of float32, shape (N, n_pos)
        ``|x|`` of every digit's window at every position.
    b : ndarray of float32, shape (K,)
    theta : float

    Returns
    -------
    scores : ndarray of float32, shape (N, K)
        Each plane's best score over the positions; bit-for-bit the numpy expression's.
    """
    if not all(isinstance(t, np.ndarray) and t.dtype == np.float32 for t in (dots, norms, b)):
        raise TypeError("dots, norms and b must be float32 arrays (the top stage's dtype)")
    if dots.ndim != 3 or norms.shape != dots.shape[:2] or b.shape != dots.shape[2:]:
        raise ValueError(f"shapes do not match: dots {dots.shape}, norms {norms.shape} "
                         f"(expected {dots.shape[:2]}), b {b.shape} (expected {dots.shape[2:]})")
    if dots.shape[1] == 0:
        raise ValueError("dots has no position")
    out = np.empty((dots.shape[0], dots.shape[2]), dtype=np.float32)
    _top_max_scores(np.ascontiguousarray(dots), np.ascontiguousarray(norms),
                    np.ascontiguousarray(b), np.float32(theta), out)
    return out


class _TopState:
    """The growing set of top planes: patterns, their norms ``b`` and labels."""

    def __init__(self, dim, dtype, capacity=1024):
        self.X = np.zeros((capacity, dim), dtype=dtype)
        self.b = np.zeros(capacity, dtype=dtype)
        self.labels = np.zeros(capacity, dtype=np.int64)
        self.n = 0

    def add(self, x, label, q):
        if self.n == self.X.shape[0]:
            grow = self.X.shape[0]
            self.X = np.concatenate([self.X, np.zeros_like(self.X[:grow])])
            self.b = np.concatenate([self.b, np.zeros_like(self.b[:grow])])
            self.labels = np.concatenate([self.labels, np.zeros_like(self.labels[:grow])])
        self.X[self.n] = q * x
        self.b[self.n] = np.linalg.norm(self.X[self.n])
        self.labels[self.n] = label
        self.n += 1
        return self.n - 1

    def reinforce(self, k, x, q):
        self.X[k] += q * x
        self.b[k] = np.linalg.norm(self.X[k])


class _ClassGrams:
    """Unit patterns and, per class, their cosines with each other, grown plane by plane.

    The ``grams`` argument of :func:`~.interpolating._interpolate_predict`, kept up to date
    as planes are added (patterns never change under ``interpolate``) instead of computed
    afresh for every digit; buffers double when full, so adding is linear in the planes.
    """

    def __init__(self, dim, dtype, n_classes, capacity=64):
        self.unit = np.zeros((capacity, dim), dtype=dtype)
        self.n = 0
        self.members = [np.zeros(capacity, dtype=np.int64) for _ in range(n_classes)]
        self.grams = [np.zeros((capacity, capacity), dtype=dtype) for _ in range(n_classes)]
        self.sizes = [0] * n_classes

    def add(self, k, x, label):
        """Plane ``k`` (the next one) of class ``label`` with pattern ``x``."""
        if k != self.n:
            raise RuntimeError(f"planes must be added in order: got {k}, expected {self.n}")
        if self.n == len(self.unit):
            self.unit = np.concatenate([self.unit, np.zeros_like(self.unit)])
        norm = np.linalg.norm(x)
        self.unit[k] = x / (norm if norm > 0 else 1)
        self.n += 1
        m = self.sizes[label]
        if m == len(self.members[label]):
            grown = np.zeros((2 * m, 2 * m), dtype=self.unit.dtype)
            grown[:m, :m] = self.grams[label]
            self.grams[label] = grown
            self.members[label] = np.concatenate([self.members[label],
                                                  np.zeros_like(self.members[label])])
        members, gram = self.members[label], self.grams[label]
        members[m] = k
        g = self.unit[members[: m + 1]] @ self.unit[k]
        gram[m, : m + 1] = g
        gram[: m + 1, m] = g
        self.sizes[label] = m + 1

    def similarities(self, dots, norms, b, labels, n_neighbors):
        """Interpolating-vector similarity per class, best over positions: ``(n_classes,)``.

        ``dots`` ``(n_pos, R)``, ``norms`` ``(n_pos,)``, ``b`` ``(R,)`` and ``labels``
        ``(R,)`` of one digit against the ``R`` planes so far; cosines as the readout
        forms them.
        """
        cos = dots / np.maximum(norms[:, None] * b, 1e-30)
        grams = [(idx[:m], g[:m, :m])
                 for idx, g, m in zip(self.members, self.grams, self.sizes, strict=True)]
        best = _interpolate_predict(cos, self.unit[: self.n], labels, len(grams), n_neighbors,
                                    grams)
        return best.max(axis=0)


def _winner(state, dots_i, norms_i, label, theta):
    """Today's rule: ``(plane, position)`` of the winner if it is right and answers, else None.

    ``dots_i`` is ``(planes, n_pos)`` of one digit; the winner is the largest score over
    every plane and position (first in position-then-plane order).
    """
    n = state.n
    if not n:
        return None
    s = _top_scores(dots_i[:n].T, norms_i, state.b[:n], theta)
    pos, k = np.unravel_index(np.argmax(s), s.shape)
    if s[pos, k] > 1 and state.labels[k] == label:
        return k, pos
    return None


def _recognised(state, grams, dots_i, norms_i, label, theta, n_neighbors):
    """Interpolating rule: the digit's class has the largest similarity, above ``theta``."""
    n = state.n
    if not n:
        return False
    best = grams.similarities(dots_i[:n].T, norms_i, state.b[:n], state.labels[:n],
                              n_neighbors)
    return bool(np.argmax(best) == label and best[label] > theta)


def _present_batch(state, Wb, yb, centre, theta, q, grams=None, n_neighbors=8):
    """Strictly sequential supervised learning over one batch; returns planes added.

    With ``grams`` (a :class:`_ClassGrams`), the interpolating rule decides instead of the
    winner, and nothing is reinforced.
    """
    B = Wb.shape[0]
    norms = np.sqrt(np.einsum("bpd,bpd->bp", Wb, Wb))
    n0 = state.n
    # (plane, digit, position): a changed plane's column is one contiguous block
    dots = np.empty((n0 + B, B, Wb.shape[1]), dtype=Wb.dtype)
    Wflat = Wb.reshape(-1, Wb.shape[2])
    if n0:
        dots[:n0] = (state.X[:n0] @ Wflat.T).reshape(n0, B, -1)
    added = 0
    for i in range(B):
        if grams is None:
            win = _winner(state, dots[:, i], norms[i], yb[i], theta)
        elif _recognised(state, grams, dots[:, i], norms[i], yb[i], theta, n_neighbors):
            continue  # recognised: the references stay as they are
        else:
            win = None
        if win is not None:
            k, pos = win
            state.reinforce(k, Wb[i, pos], q)
        elif norms[i].max() == 0:
            continue  # a blank digit has nothing to learn: no plane of all zeros
        else:
            seed = centre if norms[i, centre] >= norms[i].max() else np.argmax(norms[i])
            k = state.add(Wb[i, seed], yb[i], q)
            if grams is not None:
                grams.add(k, state.X[k], yb[i])
            added += 1
            if k >= n0 + B:  # cannot happen: at most B planes per batch
                raise RuntimeError("top-layer column buffer overflow")
        if i + 1 < B:
            rest = Wb[i + 1 :]
            dots[k, i + 1 :] = (rest.reshape(-1, rest.shape[2]) @ state.X[k]).reshape(
                rest.shape[:2])
    return added


def _fit_top_planes(W_batches, y, theta, q, n_epochs, centre, order_rng, batch_size, progress=None,
                    interpolate=False, n_neighbors=8):
    """Supervised competitive learning of the top planes.

    Parameters
    ----------
    W_batches : callable
        ``W_batches(idx)`` returns the windows ``(len(idx), n_pos, D)`` of those digits.
    y : ndarray of int, shape (n,)
        Labels as indices ``0 ... n_classes - 1``.
    theta, q : float
    n_epochs : int
    centre : int
        Index of the central position, preferred seed of new planes.
    order_rng : numpy Generator
        Shuffles the digits every epoch.
    batch_size : int
    progress : callable, optional
        ``progress(n_digits_done, n_planes)`` after every batch.
    interpolate : bool, default=False
        Decide by interpolating vectors (Fukushima 2013/2014): a digit makes a new plane
        unless its class has the largest interpolating-vector similarity, above
        ``theta``; no plane is reinforced. False: the winner-take-all rule of 2003.
    n_neighbors : int, default=8
        With ``interpolate``, each digit pairs only its ``n_neighbors`` most similar
        planes of each class, as the readout does.

    Returns
    -------
    state : TopState
    added_per_epoch : list of int
    """
    if not isinstance(interpolate, (bool, np.bool_)):
        raise TypeError(f"interpolate must be True or False, got {interpolate!r}")
    if interpolate and (isinstance(n_neighbors, (bool, np.bool_))
                        or not isinstance(n_neighbors, (int, np.integer)) or n_neighbors < 1):
        raise ValueError(f"n_neighbors must be a positive int, got {n_neighbors!r}")
    state = grams = None
    added_per_epoch = []
    for _ in range(n_epochs):
        order = order_rng.permutation(len(y))
        added = 0
        for start in range(0, len(y), batch_size):
            idx = order[start : start + batch_size]
            Wb = W_batches(idx)
            if state is None:
                state = _TopState(Wb.shape[2], Wb.dtype)
                if interpolate:
                    grams = _ClassGrams(Wb.shape[2], Wb.dtype, int(np.max(y)) + 1)
            added += _present_batch(state, Wb, y[idx], centre, theta, q, grams, n_neighbors)
            if progress is not None:
                progress(len(idx), state.n)
        added_per_epoch.append(added)
        if added == 0:
            break
    return state, added_per_epoch
