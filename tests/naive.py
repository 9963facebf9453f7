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
