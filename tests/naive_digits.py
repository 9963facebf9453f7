"""Slow, obviously correct references for the digit network's learning (Fukushima
2003-2014), used as test oracles: the supervised top stage, add-if-silent with frozen
cells, interpolating vectors in the top stage's learning, and the C-cells' ``d`` with an
inhibitory surround. Plain loops written from the rules (each section says from which
text), independently of the package; every score in float64. The cell layers they call
are the loops of ``naive.py``.
"""

import math

import numpy as np
from naive import grid_starts, s_layer_theta, v_c

__all__ = ["fit_top", "top_max_scores", "add_if_silent_frozen", "segment_cosine",
           "fit_top_interpolating", "blur_d"]

# ------------------------------------------------ the supervised top stage (Fukushima 2003)
# Written from the docstring of neocognitron.digits.top: one digit at a time, every score
# computed afresh in float64 from the planes as they stand.



def top_max_scores(dots, norms, b, theta):
    """Per digit ``i`` and plane ``k``, ``max_p (1 + dots[i, p, k]) / (1 + theta norms[i, p]
    b[k])``: the best score of the plane over the positions, in float64."""
    N, n_pos, K = np.shape(dots)
    out = np.empty((N, K))
    for i in range(N):
        for k in range(K):
            out[i, k] = max((1.0 + float(dots[i][p][k]))
                            / (1.0 + theta * float(norms[i][p]) * float(b[k]))
                            for p in range(n_pos))
    return out


def _top_score(X, x, theta):
    """``(1 + a.x) / (1 + theta |a| |x|)`` of pattern ``a = X`` on the window ``x``."""
    norms = float(np.linalg.norm(X)) * float(np.linalg.norm(x))
    return (1.0 + float(X @ x)) / (1.0 + theta * norms)


def _gap(chosen, others, scale=1.0):
    """Smallest ``|chosen - other| / scale`` over ``others``, exact equalities left out
    (an exact tie is settled by the rule, in any precision); inf when there is none."""
    gaps = [abs(chosen - o) / scale for o in others if o != chosen]
    return min(gaps, default=math.inf)


def fit_top(W, y, theta, q, n_epochs, centre, rng, margins=None):
    """Supervised competitive learning of the top planes, strictly one digit at a time.

    Every epoch shows the digits in the order ``rng.permutation(len(y))``. The winner is the
    (plane, position) with the largest score (the first in position-then-plane order on a
    tie). A winner of the digit's label that answers (score > 1) learns ``X += q x`` at its
    position; otherwise a plane of the digit's label ``X = q x`` is made at the position
    where ``|x|`` is largest (the centre when it ties for largest); a blank digit makes
    nothing. Epochs stop after one that adds no plane.

    Parameters
    ----------
    W : ndarray, shape (n, n_pos, D)
        The windows of every digit at every position (read in float64).
    y : ndarray of int, shape (n,)
    theta, q : float
    n_epochs, centre : int
    rng : int or numpy Generator
    margins : list, optional
        Gets, per presentation, the distance of its decisions from a tie: the smallest
        gap between the winner's score and the threshold 1 or the score of any other
        (plane, position) that would change what is learned, and for a new plane the
        smallest relative gap between its seed's ``|x|`` and another position's. Another
        precision may decide otherwise only where this is within its rounding.

    Returns
    -------
    X : ndarray, shape (n_planes, D)
    labels : ndarray of int, shape (n_planes,)
    added_per_epoch : list of int
    """
    W = np.asarray(W, dtype=np.float64)
    rng = np.random.default_rng(rng)
    X, labels, added_per_epoch = [], [], []
    for _ in range(n_epochs):
        added = 0
        for i in rng.permutation(len(y)):
            scores = {(p, k): _top_score(X[k], W[i, p], theta)
                      for p in range(W.shape[1]) for k in range(len(X))}
            best, bp, bk = -math.inf, None, None
            for (p, k), s in scores.items():  # position-then-plane order
                if s > best:
                    best, bp, bk = s, p, k
            learns = bk is not None and best > 1.0 and labels[bk] == y[i]
            if bk is None:
                rivals = []
            elif learns:  # the threshold, and any other winner (another window or plane)
                rivals = [1.0] + [s for key, s in scores.items() if key != (bp, bk)]
            elif labels[bk] == y[i]:  # silent: only the threshold decides
                rivals = [1.0]
            else:  # a wrong winner: only one of the right label that answers would learn
                rivals = [s for (p, k), s in scores.items() if labels[k] == y[i] and s > 1.0]
            margin = _gap(best, rivals)
            if learns:
                X[bk] = X[bk] + q * W[i, bp]
            else:
                norms = [float(np.linalg.norm(w)) for w in W[i]]
                top = max(norms)
                if top == 0:
                    if margins is not None:
                        margins.append(margin)
                    continue
                seed = centre if norms[centre] >= top else norms.index(top)
                others = [n for p, n in enumerate(norms) if p != seed]
                margin = min(margin, _gap(norms[seed], others, scale=top))
                X.append(q * W[i, seed])
                labels.append(y[i])
                added += 1
            if margins is not None:
                margins.append(margin)
        added_per_epoch.append(added)
        if added == 0:
            break
    return np.array(X), np.array(labels), added_per_epoch


# ------------------------------------- add-if-silent with frozen cells (Fukushima 2013/2014)
# Written from the rule: "a new cell is generated when all postsynaptic cells are silent
# [in spite of non-silent presynaptic cells]. The generated cell learns the activity of the
# presynaptic cells in one-shot, and its input connections will never be modified
# afterward", with the project's reading of "silent" and of the seed order
# (neocognitron.digits.competitive docstring): every S-cell recomputed from scratch, in
# float64, after each new plane.



def add_if_silent_frozen(patterns, u_c, c, theta, q, min_activity, max_planes):
    """One presentation of ``u_c`` ``(K', H, W)`` to frozen planes ``patterns``.

    A position is active when ``v_C > 0`` and ``v_C >= min_activity * max v_C``; it is
    silent when, besides, no plane's S-cell there is above zero (cells with ``a = c X``,
    ``b = sqrt(sum c X^2)`` and threshold ``theta`` on the "same" grid). While a silent
    position is left that has not seeded yet and there are fewer than ``max_planes``
    planes, the one of largest ``v_C`` (the first in row-major order on a tie) seeds a new
    plane ``q`` times the input under its field (zero outside the input). The old planes
    are never touched.

    Returns
    -------
    patterns : list of ndarray, shape (K', h, w)
        The old patterns (the same objects) followed by the new ones.
    seeds : list of (y, x)
    """
    u_c = np.asarray(u_c, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    patterns = list(patterns)
    Kp, H, W = u_c.shape
    h, w = c.shape
    ys, xs = grid_starts(H, H, h), grid_starts(W, W, w)
    v = v_c(u_c, c)
    vmax = max(float(v[y, x]) for y in range(H) for x in range(W))
    seeds = []
    while len(patterns) < max_planes:
        if patterns:
            a = np.stack([c[None] * X for X in patterns])
            b = [math.sqrt(float((c[None] * X * X).sum())) for X in patterns]
            u_s = s_layer_theta(u_c, a, b, c, theta)
        best = None
        for y in range(H):
            for x in range(W):
                vy = float(v[y, x])
                if vy <= 0 or vy < min_activity * vmax or (y, x) in seeds:
                    continue
                if patterns and any(u_s[k, y, x] > 0 for k in range(len(patterns))):
                    continue
                if best is None or vy > float(v[best]):
                    best = (y, x)
        if best is None:
            break
        patch = np.zeros((Kp, h, w))
        for kp in range(Kp):
            for dy in range(h):
                for dx in range(w):
                    yy, xx = ys[best[0]] + dy, xs[best[1]] + dx
                    if 0 <= yy < H and 0 <= xx < W:
                        patch[kp, dy, dx] = u_c[kp, yy, xx]
        patterns.append(q * patch)
        seeds.append(best)
    return patterns, seeds


# ------------------------- interpolating vectors in the top stage's learning (Fukushima 2013)
# Written from the rule ("training vectors are classified using interpolating-vectors. If
# classification is wrong or all S-cells are silent, the training vector becomes a new
# reference vector") with the project's reading (neocognitron.digits.top docstring): one
# digit at a time, every cosine afresh in float64, the best point of a segment found by
# projecting onto the plane of its two ends.



def _cosine(a, b):
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b) / (na * nb) if na > 0 and nb > 0 else 0.0


def segment_cosine(x, Xa, Xb):
    """Largest cosine between ``x`` and a point ``alpha Xa + beta Xb``, ``alpha, beta >= 0``.

    Within the plane of ``Xa`` and ``Xb`` the cosine with ``x`` falls off with the angle
    from the projection ``P`` of ``x``: if ``P`` lies in the cone, the answer is
    ``|P| / |x|``; otherwise the nearer edge of the cone, ``max`` of the two cosines.
    """
    x, Xa, Xb = (np.asarray(t, dtype=np.float64) for t in (x, Xa, Xb))
    ends = max(_cosine(x, Xa), _cosine(x, Xb))
    if np.linalg.norm(x) == 0:
        return ends
    # normal equations of the projection: [[aa, ab], [ab, bb]] (alpha, beta) = (ax, bx)
    aa, ab, bb = float(Xa @ Xa), float(Xa @ Xb), float(Xb @ Xb)
    ax, bx = float(Xa @ x), float(Xb @ x)
    det = aa * bb - ab * ab
    if det <= 1e-12 * aa * bb:  # parallel ends: the cone is one ray
        return ends
    alpha, beta = (bb * ax - ab * bx) / det, (aa * bx - ab * ax) / det
    if alpha < 0 or beta < 0:
        return ends
    P = alpha * Xa + beta * Xb
    return max(ends, float(np.linalg.norm(P)) / float(np.linalg.norm(x)))


def _class_similarity(x, refs, n_neighbors):
    """Best similarity of ``x`` to the references ``refs`` of one class and their segments,
    pairing only the ``n_neighbors`` most similar; -inf without references."""
    if not refs:
        return -math.inf
    cosines = [_cosine(x, r) for r in refs]
    near = sorted(range(len(refs)), key=lambda k: -cosines[k])[:n_neighbors]
    best = max(cosines[k] for k in near)
    for a in near:
        for b in near:
            if a != b:
                best = max(best, segment_cosine(x, refs[a], refs[b]))
    return best


def _recognised(x_windows, X, labels, y, theta, n_neighbors, n_classes):
    """Its own class ``y`` is the first of the largest best-over-positions similarities,
    and above ``theta``."""
    sims = []
    for j in range(n_classes):
        refs = [X[k] for k in range(len(X)) if labels[k] == j]
        sims.append(max(_class_similarity(x, refs, n_neighbors) for x in x_windows))
    first = max(range(n_classes), key=lambda j: (sims[j], -j))
    return first == y and sims[first] > theta


def fit_top_interpolating(W, y, theta, q, n_epochs, centre, rng, n_neighbors, n_classes):
    """Top planes learned with interpolating vectors, strictly one digit at a time.

    Every epoch shows the digits in the order ``rng.permutation(len(y))``. A digit that
    :func:`_recognised` accepts changes nothing; otherwise, unless it is blank, a plane of
    its label ``X = q x`` is made at the position where ``|x|`` is largest (the centre when
    it ties). Epochs stop after one that adds no plane. Returns ``(X, labels,
    added_per_epoch)`` as :func:`fit_top` does.
    """
    W = np.asarray(W, dtype=np.float64)
    order = np.random.default_rng(rng)
    X, labels, added_per_epoch = [], [], []
    while len(added_per_epoch) < n_epochs and 0 not in added_per_epoch:
        before = len(X)
        for i in order.permutation(len(y)):
            if _recognised(W[i], X, labels, y[i], theta, n_neighbors, n_classes):
                continue
            norms = [float(np.linalg.norm(w)) for w in W[i]]
            if max(norms) > 0:
                seed = centre if norms[centre] >= max(norms) else norms.index(max(norms))
                X.append(q * W[i, seed])
                labels.append(int(y[i]))
        added_per_epoch.append(len(X) - before)
    return np.array(X), np.array(labels), added_per_epoch


# ------------------------------------------------ the C-cells' d with an inhibitory surround
# Written from docs/design.md §3: a Gaussian centre less kappa times a Gaussian twice as
# wide, each summing to one over the taps.



def blur_d(sigma, kappa, size, surround_width=2.0):
    """``d(nu) = G_sigma(nu) / sum G_sigma - kappa G_s(nu) / sum G_s`` on ``size x size``
    taps centred on the middle of the kernel (a half-integer offset when ``size`` is even),
    ``G_w(nu) = exp(-|nu|^2 / (2 w^2))``, ``s = surround_width * sigma``."""
    mid = (size - 1) / 2.0
    centre = np.zeros((size, size))
    surround = np.zeros((size, size))
    for y in range(size):
        for x in range(size):
            r2 = (y - mid) ** 2 + (x - mid) ** 2
            centre[y, x] = math.exp(-r2 / (2.0 * sigma * sigma))
            s = surround_width * sigma
            surround[y, x] = math.exp(-r2 / (2.0 * s * s))
    return centre / centre.sum() - kappa * surround / surround.sum()
