"""Slow, obviously correct references for the cell equations, used as test oracles.

Written directly from docs/design.md §1 (Fukushima 1980, eqs. 1-5) and from the
description of the centred grid rule, independently of the numba kernels: explicit loops
over every output cell, every tap computed in float64 whatever the input dtype. Only for
small inputs.
"""

import math
from fractions import Fraction

import numpy as np

__all__ = [
    "grid_starts",
    "correlate",
    "v_c",
    "s_layer",
    "c_layer",
    "phi",
    "psi",
]


def phi(x):
    """phi[x] = max(x, 0)."""
    return max(x, 0.0)


def psi(x, alpha):
    """psi[x] = phi[x] / (alpha + phi[x]) (the non-misbehaving form, docs/design.md §1)."""
    p = phi(x)
    return p / (alpha + p)


def grid_starts(n_in, n_out, size):
    """First input index of the receptive field of each of ``n_out`` cells over ``n_in``.

    The ``n_out`` cells are spread evenly and centred over the ``n_in`` positions: cell
    ``i`` sits at ``c_i = (i + 1/2) * n_in / n_out - 1/2`` (exact fractions), and its field
    of ``size`` taps is centred on the nearest position, i.e. starts at
    ``c_i - (size - 1)/2`` rounded to the nearest integer. Exact halves are rounded away
    from the middle ``(n_in - 1)/2`` of the grid: down for a cell left of the middle, up
    for a cell right of it, down for the cell exactly in the middle.
    """
    middle = Fraction(n_in - 1, 2)
    starts = []
    for i in range(n_out):
        centre = (i + Fraction(1, 2)) * Fraction(n_in, n_out) - Fraction(1, 2)
        s = centre - Fraction(size - 1, 2)
        lower = math.floor(s)
        frac = s - lower
        if frac < Fraction(1, 2):
            start = lower
        elif frac > Fraction(1, 2):
            start = lower + 1
        else:  # exact half
            start = lower + 1 if centre > middle else lower
        starts.append(start)
    return starts


def _grid(in_hw, field_hw, out_shape):
    out_hw = tuple(in_hw) if out_shape is None else tuple(out_shape)
    return (
        grid_starts(in_hw[0], out_hw[0], field_hw[0]),
        grid_starts(in_hw[1], out_hw[1], field_hw[1]),
    )


def correlate(x, w, y0, x0):
    """One plane: ``out[i, j] = sum_{dy, dx} w[dy, dx] * x[y0[i] + dy, x0[j] + dx]``.

    Taps outside ``x`` read 0. Returns float64 of shape ``(len(y0), len(x0))``.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    H, W = x.shape
    h, wd = w.shape
    out = np.zeros((len(y0), len(x0)))
    for i, ys in enumerate(y0):
        for j, xs in enumerate(x0):
            total = 0.0
            for dy in range(h):
                yy = ys + dy
                if yy < 0 or yy >= H:
                    continue
                for dx in range(wd):
                    xx = xs + dx
                    if xx < 0 or xx >= W:
                        continue
                    total += float(w[dy, dx]) * float(x[yy, xx])
            out[i, j] = total
    return out


def _batched(fn):
    """Apply ``fn`` (written for one input ``(K, H, W)``) to a batch ``(N, K, H, W)`` too."""

    def wrapper(u, *args, **kwargs):
        u = np.asarray(u, dtype=np.float64)
        if u.ndim == 3:
            return fn(u, *args, **kwargs)
        return np.stack([fn(ui, *args, **kwargs) for ui in u])

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@_batched
def v_c(u_c, c, out_shape=None):
    """V_C: ``v(n) = sqrt( sum_k' sum_nu c(nu) u_c(k', n+nu)^2 )`` -> ``(H', W')``."""
    c = np.asarray(c, dtype=np.float64)
    y0, x0 = _grid(u_c.shape[1:], c.shape, out_shape)
    total = np.zeros((len(y0), len(x0)))
    for plane in u_c:
        total += correlate(plane**2, c, y0, x0)
    return np.sqrt(total)


@_batched
def s_layer(u_c, a, b, c, r, out_shape=None):
    """S-cells, eq. (1): ``r * phi[(1 + sum a u) / (1 + 2r/(1+r) b v) - 1]`` -> ``(K, H', W')``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    K, Kp = a.shape[:2]
    y0, x0 = _grid(u_c.shape[1:], a.shape[2:], out_shape)
    v = v_c(u_c, c, out_shape)
    out = np.zeros((K, len(y0), len(x0)))
    for k in range(K):
        e = np.zeros((len(y0), len(x0)))
        for kp in range(Kp):
            e += correlate(u_c[kp], a[k, kp], y0, x0)
        for i in range(len(y0)):
            for j in range(len(x0)):
                inhibition = 2.0 * r / (1.0 + r) * b[k] * v[i, j]
                out[k, i, j] = r * phi((1.0 + e[i, j]) / (1.0 + inhibition) - 1.0)
    return out


@_batched
def c_layer(u_s, d, alpha, out_shape=None):
    """C-cells, eqs. (3)-(5): ``psi[(1 + sum d u_s(k)) / (1 + v_S) - 1]`` -> ``(K, H', W')``.

    ``v_S(n) = (1/K) sum_k sum_nu d(nu) u_s(k, n+nu)``.
    """
    d = np.asarray(d, dtype=np.float64)
    K = u_s.shape[0]
    y0, x0 = _grid(u_s.shape[1:], d.shape, out_shape)
    e = np.stack([correlate(u_s[k], d, y0, x0) for k in range(K)])
    out = np.zeros_like(e)
    for i in range(len(y0)):
        for j in range(len(x0)):
            v_s = sum(e[k, i, j] for k in range(K)) / K
            for k in range(K):
                out[k, i, j] = psi((1.0 + e[k, i, j]) / (1.0 + v_s) - 1.0, alpha)
    return out


# ------------------------------------------------ the later digit networks (Fukushima 2003)
# Written from the docstrings of neocognitron.cells.contrast_layer, s_layer_theta and
# c_layer_blur: plain loops over every output cell, float64 whatever the input dtype.

__all__ += ["contrast_layer", "s_layer_theta", "c_layer_blur"]


def contrast_layer(u0, a_g, out_shape=None):
    """U_G: ``on = phi[sum a_G u0]``, ``off = phi[-sum a_G u0]`` -> ``(2, H', W')``.

    ``u0`` is one image ``(H, W)`` or a batch ``(N, H, W)`` (then ``(N, 2, H', W')``).
    """
    u0 = np.asarray(u0, dtype=np.float64)
    if u0.ndim == 3:
        return np.stack([contrast_layer(img, a_g, out_shape) for img in u0])
    a_g = np.asarray(a_g, dtype=np.float64)
    H, W = u0.shape
    h, w = a_g.shape
    y0, x0 = _grid((H, W), (h, w), out_shape)
    out = np.zeros((2, len(y0), len(x0)))
    for i, ys in enumerate(y0):
        for j, xs in enumerate(x0):
            total = 0.0
            for dy in range(h):
                for dx in range(w):
                    yy, xx = ys + dy, xs + dx
                    if 0 <= yy < H and 0 <= xx < W:
                        total += float(a_g[dy, dx]) * float(u0[yy, xx])
            out[0, i, j] = phi(total)
            out[1, i, j] = phi(-total)
    return out


@_batched
def s_layer_theta(u_c, a, b, c, theta, out_shape=None):
    """``theta/(1-theta) * phi[(1 + sum a u) / (1 + theta b(k) v_C) - 1]`` -> ``(K, H', W')``.

    ``v_C(n) = sqrt(sum_k' sum_nu c(nu) u_C(k', n+nu)^2)``.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    Kp, H, W = u_c.shape
    K = a.shape[0]
    h, w = a.shape[2:]
    y0, x0 = _grid((H, W), (h, w), out_shape)
    out = np.zeros((K, len(y0), len(x0)))
    for i, ys in enumerate(y0):
        for j, xs in enumerate(x0):
            vsq = 0.0
            exc = np.zeros(K)
            for kp in range(Kp):
                for dy in range(h):
                    for dx in range(w):
                        yy, xx = ys + dy, xs + dx
                        if not (0 <= yy < H and 0 <= xx < W):
                            continue
                        u = float(u_c[kp, yy, xx])
                        vsq += float(c[dy, dx]) * u * u
                        for k in range(K):
                            exc[k] += float(a[k, kp, dy, dx]) * u
            v = math.sqrt(vsq)
            for k in range(K):
                x = (1.0 + exc[k]) / (1.0 + theta * float(b[k]) * v) - 1.0
                out[k, i, j] = theta / (1.0 - theta) * phi(x)
    return out


@_batched
def c_layer_blur(u_s, d, out_shape=None):
    """``psi[sum_nu d(nu) u_S(k, n+nu)]``, ``psi[x] = phi[x] / (1 + phi[x])`` -> ``(K, H', W')``.

    ``d`` may be negative.
    """
    d = np.asarray(d, dtype=np.float64)
    y0, x0 = _grid(u_s.shape[1:], d.shape, out_shape)
    out = np.zeros((u_s.shape[0], len(y0), len(x0)))
    for k in range(u_s.shape[0]):
        e = correlate(u_s[k], d, y0, x0)
        for i in range(len(y0)):
            for j in range(len(x0)):
                out[k, i, j] = psi(e[i, j], 1.0)
    return out


# ------------------------------------------------ the supervised top stage (Fukushima 2003)
# Written from the docstring of neocognitron.digits.top: one digit at a time, every score
# computed afresh in float64 from the planes as they stand.

__all__ += ["fit_top", "top_max_scores"]


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

__all__ += ["add_if_silent_frozen"]


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

__all__ += ["segment_cosine", "fit_top_interpolating"]


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

__all__ += ["blur_d"]


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
