"""Private numba kernels for the cell layers. They assume valid input.

Every public function in :mod:`neocognitron.cells` validates its arguments, converts them
once to one dtype and C layout, computes the receptive-field starts with
:func:`neocognitron._grid.field_starts`, and only then calls a kernel here. Kernels write
into preallocated outputs; inside each ``prange`` loop an iteration writes only its own
slice of the output. Nothing here imports from the rest of the package but ``_numba``.

Notation follows Fukushima (1980): ``u_c`` input C-cells, ``a`` excitatory weights,
``b`` inhibitory weight, ``c`` weights onto the V_C-cell, ``d`` weights onto C-cells.
"""

import numpy as np

from ._numba import njit, prange


@njit
def _unit_step(starts):
    """True when ``starts`` is ``s0, s0+1, s0+2, ...`` (the inner loop can then be contiguous)."""
    for j in range(1, starts.shape[0]):
        if starts[j] != starts[0] + j:
            return False
    return True


@njit
def _valid_range(starts, offset, n):
    """Range ``[lo, hi)`` of output indices whose tap ``starts[j] + offset`` lies in ``[0, n)``.

    ``starts`` is non-decreasing, so the valid indices are contiguous.
    """
    m = starts.shape[0]
    lo = 0
    while lo < m and starts[lo] + offset < 0:
        lo += 1
    hi = m
    while hi > lo and starts[hi - 1] + offset >= n:
        hi -= 1
    return lo, hi


@njit
def _correlate_plane(x, w, y0, x0, unit, acc):
    """acc[i, j] += sum_{dy, dx} w[dy, dx] * x[y0[i] + dy, x0[j] + dx]  (zero outside x)."""
    h, wd = w.shape
    H, W = x.shape
    for dx in range(wd):
        jlo, jhi = _valid_range(x0, dx, W)
        if jlo >= jhi:
            continue
        base = x0[0] + dx
        for dy in range(h):
            ilo, ihi = _valid_range(y0, dy, H)
            wv = w[dy, dx]
            if wv == 0:
                continue
            for i in range(ilo, ihi):
                row = x[y0[i] + dy]
                out = acc[i]
                if unit:
                    for j in range(jlo, jhi):
                        out[j] += wv * row[base + j]
                else:
                    for j in range(jlo, jhi):
                        out[j] += wv * row[x0[j] + dx]


@njit(parallel=True)
def _correlate(x, w, y0, x0, out):
    """Multi-channel correlation: out[n, k] = sum_k' corr(x[n, k'], w[k, k']) on the grid."""
    N, Kp = x.shape[0], x.shape[1]
    K = w.shape[0]
    unit = _unit_step(x0)
    for job in prange(N * K):
        n = job // K
        k = job % K
        acc = out[n, k]
        acc[:, :] = 0
        for kp in range(Kp):
            _correlate_plane(x[n, kp], w[k, kp], y0, x0, unit, acc)


@njit(parallel=True)
def _v_c(u_c, c, y0, x0, out):
    """V_C-cell: out[n] = sqrt( sum_k' sum_nu c(nu) u_c(k', n+nu)^2 )."""
    N, Kp, H, W = u_c.shape
    unit = _unit_step(x0)
    for n in prange(N):
        sq = np.zeros((H, W), dtype=u_c.dtype)
        for kp in range(Kp):
            plane = u_c[n, kp]
            for i in range(H):
                for j in range(W):
                    sq[i, j] += plane[i, j] * plane[i, j]
        acc = out[n]
        acc[:, :] = 0
        _correlate_plane(sq, c, y0, x0, unit, acc)
        for i in range(acc.shape[0]):
            for j in range(acc.shape[1]):
                acc[i, j] = np.sqrt(acc[i, j])


@njit(parallel=True)
def _s_layer(u_c, a, b, v, r, y0, x0, out):
    """S-cell, eq. (1) of Fukushima (1980), given the V_C-cells ``v`` on the output grid.

    u_S(k, n) = r * phi[(1 + sum a u_C) / (1 + 2r/(1+r) b(k) v_C(n)) - 1]
    """
    N, Kp = u_c.shape[0], u_c.shape[1]
    K = a.shape[0]
    unit = _unit_step(x0)
    theta = 2.0 * r / (1.0 + r)
    for job in prange(N * K):
        n = job // K
        k = job % K
        acc = out[n, k]
        acc[:, :] = 0
        for kp in range(Kp):
            _correlate_plane(u_c[n, kp], a[k, kp], y0, x0, unit, acc)
        bk = theta * b[k]
        vn = v[n]
        for i in range(acc.shape[0]):
            for j in range(acc.shape[1]):
                x = (1.0 + acc[i, j]) / (1.0 + bk * vn[i, j]) - 1.0
                acc[i, j] = r * x if x > 0 else 0.0


@njit(parallel=True)
def _c_excitation(u_s, d, y0, x0, out):
    """out[n, k] = sum_nu d(nu) u_S(k, n+nu): each C-plane reads its own S-plane."""
    N, K = u_s.shape[0], u_s.shape[1]
    unit = _unit_step(x0)
    for job in prange(N * K):
        n = job // K
        k = job % K
        acc = out[n, k]
        acc[:, :] = 0
        _correlate_plane(u_s[n, k], d, y0, x0, unit, acc)


@njit(parallel=True)
def _c_layer_finish(e, alpha, out):
    """C-cell, eq. (3)-(4): u_C = psi[(1 + e) / (1 + v_S) - 1], v_S = mean_k e.

    psi[x] = phi[x] / (alpha + phi[x]).
    """
    N, K, H, W = e.shape
    for n in prange(N):
        for i in range(H):
            for j in range(W):
                v_s = 0.0
                for k in range(K):
                    v_s += e[n, k, i, j]
                v_s /= K
                for k in range(K):
                    x = (1.0 + e[n, k, i, j]) / (1.0 + v_s) - 1.0
                    out[n, k, i, j] = x / (alpha + x) if x > 0 else 0.0
