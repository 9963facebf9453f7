"""Private numba correlation machinery shared by the cell kernels of :mod:`._kernels`.

They assume valid input. See :mod:`neocognitron._kernels` for how the correlations are
computed (flat path on unit-step grids, plane-major loops on shrinking grids).
"""

import numpy as np

from ._numba import njit

# Flat-path blocking (the loop body of _flat_block is written out for these values).
# 3 planes x 4 taps keeps 12 weights, 3 accumulators and the input in the 16 vector
# registers of AVX2; measured on the digit network's second stage against 1x8, 2x4, 2x5,
# 3x3, 3x5, 3x6, 4x2, 4x3, 4x4 and 6x2 (planes x taps), it was the fastest in float32
# and float64.
_BLOCK = 3  # output planes computed together
_GROUP = 4  # taps per pass over the _BLOCK accumulators
_GROUP_SINGLE = 8  # taps per pass when a plane has its own input (C-cells)


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


# ----------------------------------------------------------------------- general path


@njit
def _correlate_plane(x, w, y0, x0, unit, acc):
    """acc[i, j] += sum_{dy, dx} w[dy, dx] * x[y0[i] + dy, x0[j] + dx]  (zero outside x)."""
    h, wd = w.shape
    H, W = x.shape
    for dx in range(wd):
        jlo, jhi = _valid_range(x0, dx, W)
        if jlo >= jhi:
            continue
        m = jhi - jlo
        first = x0[jlo] + dx  # >= 0 by construction of [jlo, jhi)
        for dy in range(h):
            wv = w[dy, dx]
            if wv == 0:
                continue
            ilo, ihi = _valid_range(y0, dy, H)
            for i in range(ilo, ihi):
                row = x[y0[i] + dy]
                out = acc[i, jlo:jhi]
                if unit:
                    seg = row[first:first + m]
                    for j in range(m):
                        out[j] += wv * seg[j]
                else:
                    for j in range(m):
                        out[j] += wv * row[x0[jlo + j] + dx]


@njit
def _single_plane(x, w, y0, x0, out):
    """``out = corr(x, w)`` on the grid for one plane ``x`` (H, W); ``w`` (h, w)."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = 0
    _correlate_plane(x, w, y0, x0, _unit_step(x0), out)


# -------------------------------------------------------------------------- flat path


@njit
def _flat_path(y0, x0):
    """Whether the grid takes the flat path: unit steps along both axes."""
    return y0.shape[0] > 0 and x0.shape[0] > 0 and _unit_step(y0) and _unit_step(x0)


@njit
def _pad_window(x, ys, xs, out):
    """``out[k, i, j] = x[k, ys + i, xs + j]`` where that lies inside ``x``.

    ``out`` comes zeroed (``np.zeros``), so the part outside ``x`` reads 0.
    """
    Kp, H, W = x.shape
    Hp, Wp = out.shape[1], out.shape[2]
    ilo, ihi = max(0, -ys), min(Hp, H - ys)
    jlo, jhi = max(0, -xs), min(Wp, W - xs)
    if ilo >= ihi or jlo >= jhi:
        return
    m = jhi - jlo
    for k in range(Kp):
        for i in range(ilo, ihi):
            src = x[k, ys + i, xs + jlo:xs + jhi]
            dst = out[k, i, jlo:jhi]
            for j in range(m):
                dst[j] = src[j]


@njit
def _flat_taps(w, k0, Hp, Wp, wts, offs):
    """Taps of planes ``k0 .. k0 + wts.shape[1] - 1`` of ``w`` (K, K', h, w) for the flat path.

    Writes ``wts[t, b]`` (weight of plane ``k0 + b``; 0 past the last plane) and the flat
    offset ``offs[t]`` of tap ``(k', dy, dx)`` in a window of ``K' x Hp x Wp``; taps that
    are zero in every plane are left out, and the list is padded to a multiple of
    ``_GROUP`` (the arrays need ``_GROUP - 1`` spare rows). Returns its length.
    """
    K, Kp, h, wd = w.shape
    nb = wts.shape[1]
    zero = w.dtype.type(0)
    T = 0
    for kp in range(Kp):
        for dy in range(h):
            for dx in range(wd):
                keep = False
                for b in range(nb):
                    wv = w[k0 + b, kp, dy, dx] if k0 + b < K else zero
                    wts[T, b] = wv
                    if wv != 0:
                        keep = True
                if keep:
                    offs[T] = (kp * Hp + dy) * Wp + dx
                    T += 1
    while T % _GROUP:  # zero-weight taps, so that _flat_block needs no remainder loop
        for b in range(nb):
            wts[T, b] = zero
        offs[T] = 0
        T += 1
    return T


@njit
def _flat_block(xf, wts, offs, T, acc, P):
    """``acc[b, p] += sum_t wts[t, b] * xf[p + offs[t]]``, ``p < P``, for ``_BLOCK`` (= 3) planes.

    ``T`` is a multiple of ``_GROUP`` (see :func:`_flat_taps`); ``acc`` comes zeroed. Rows
    of ``acc`` may be longer than ``P`` (padded so that every row starts 64-byte aligned).
    """
    o0, o1, o2 = acc[0], acc[1], acc[2]
    t = 0
    while t + _GROUP <= T:  # four taps, three planes per pass; 12 weights stay in registers
        a0, a1, a2, a3 = wts[t, 0], wts[t + 1, 0], wts[t + 2, 0], wts[t + 3, 0]
        b0, b1, b2, b3 = wts[t, 1], wts[t + 1, 1], wts[t + 2, 1], wts[t + 3, 1]
        c0, c1, c2, c3 = wts[t, 2], wts[t + 1, 2], wts[t + 2, 2], wts[t + 3, 2]
        s0 = xf[offs[t]:offs[t] + P]
        s1 = xf[offs[t + 1]:offs[t + 1] + P]
        s2 = xf[offs[t + 2]:offs[t + 2] + P]
        s3 = xf[offs[t + 3]:offs[t + 3] + P]
        for p in range(P):
            x0, x1, x2, x3 = s0[p], s1[p], s2[p], s3[p]
            o0[p] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
            o1[p] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3
            o2[p] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3
        t += _GROUP


@njit
def _flat_single(xf, wts, offs, T, acc, P):
    """``acc[p] += sum_t wts[t] * xf[p + offs[t]]``, ``p < P``: one plane, 8 taps per pass."""
    t = 0
    while t + _GROUP_SINGLE <= T:
        w0, w1, w2, w3 = wts[t], wts[t + 1], wts[t + 2], wts[t + 3]
        w4, w5, w6, w7 = wts[t + 4], wts[t + 5], wts[t + 6], wts[t + 7]
        s0 = xf[offs[t]:offs[t] + P]
        s1 = xf[offs[t + 1]:offs[t + 1] + P]
        s2 = xf[offs[t + 2]:offs[t + 2] + P]
        s3 = xf[offs[t + 3]:offs[t + 3] + P]
        s4 = xf[offs[t + 4]:offs[t + 4] + P]
        s5 = xf[offs[t + 5]:offs[t + 5] + P]
        s6 = xf[offs[t + 6]:offs[t + 6] + P]
        s7 = xf[offs[t + 7]:offs[t + 7] + P]
        for p in range(P):
            acc[p] += (w0 * s0[p] + w1 * s1[p] + w2 * s2[p] + w3 * s3[p]
                       + w4 * s4[p] + w5 * s5[p] + w6 * s6[p] + w7 * s7[p])
        t += _GROUP_SINGLE


# ------------------------------------------------------- general path, many planes


@njit
def _transpose_weights(w):
    """``(K, K', h, w) -> (K', h, w, K)``, contiguous: the planes of one tap side by side."""
    K, Kp, h, wd = w.shape
    wT = np.empty((Kp, h, wd, K), dtype=w.dtype)
    for k in range(K):
        for kp in range(Kp):
            for dy in range(h):
                for dx in range(wd):
                    wT[kp, dy, dx, k] = w[k, kp, dy, dx]
    return wT


@njit
def _planes_row(x, wT, y0, x0, i, acc):
    """``acc[j, k] += sum_{k', dy, dx} wT[k', dy, dx, k] * x[k', y0[i] + dy, x0[j] + dx]``.

    One output row ``i`` of every plane ``k`` on any grid (zero outside ``x``). The inner
    loop runs over the planes ``k``, contiguous in ``wT`` and ``acc``, so it vectorises
    whatever the grid; input cells that are zero (most C-cells) are skipped.
    """
    Kp, H, W = x.shape
    h, wd, K = wT.shape[1], wT.shape[2], wT.shape[3]
    for dy in range(h):
        y = y0[i] + dy
        if y < 0 or y >= H:
            continue
        for j in range(acc.shape[0]):
            out = acc[j]
            for dx in range(wd):
                xx = x0[j] + dx
                if xx < 0 or xx >= W:
                    continue
                for kp in range(Kp):
                    xv = x[kp, y, xx]
                    if xv == 0:
                        continue
                    wrow = wT[kp, dy, dx]
                    for k in range(K):
                        out[k] += xv * wrow[k]


# ------------------------------------------------------------------ per-job helpers
# Each parallel kernel below is one thin ``prange`` over jobs that calls a plain njit
# function; a job writes only its own slice of the output. One ``prange`` per kernel
# (the job picks the path) keeps the first compilation shorter: numba links and
# re-generates the machine code of everything a parallel loop calls once per loop, and
# with one loop per path the S-layer took about twice as long to compile.


@njit
def _flat_job(x, w, y0, x0, job, groups, per_job, out):
    """Flat path, job ``(n, g)``: blocks ``g * per_job ...`` of planes of sample ``n``.

    The padded window of sample ``n`` is built once and serves all ``per_job`` blocks of
    ``_BLOCK`` planes. Returns ``(n, k0, nk, acc)``: ``acc[b, i * Wp + j]`` is output
    ``(i, j)`` of plane ``k0 + b``, ``b < nk`` (the caller writes its slice of ``out``).
    """
    Kp = x.shape[1]
    K, h, wd = w.shape[0], w.shape[2], w.shape[3]
    Ho, Wo = out.shape[2], out.shape[3]
    Hp, Wp = Ho + h - 1, Wo + wd - 1
    n = job // groups
    k0 = (job % groups) * per_job * _BLOCK
    nk = min(per_job * _BLOCK, K - k0)
    window = np.zeros((Kp, Hp, Wp), dtype=x.dtype)
    _pad_window(x[n], y0[0], x0[0], window)
    xf = window.ravel()
    ntaps = Kp * h * wd + _GROUP - 1
    wts = np.empty((ntaps, _BLOCK), dtype=w.dtype)
    offs = np.empty(ntaps, dtype=np.int64)
    P = (Ho - 1) * Wp + Wo
    acc = np.zeros((per_job * _BLOCK, (P + 15) // 16 * 16), dtype=out.dtype)
    for b0 in range(0, nk, _BLOCK):
        T = _flat_taps(w, k0 + b0, Hp, Wp, wts, offs)
        _flat_block(xf, wts, offs, T, acc[b0:b0 + _BLOCK], P)
    return n, k0, nk, acc


@njit
def _rows_job(x, wT, y0, x0, job, out):
    """General path, job ``(n, i)``: ``acc[j, k]``, output row ``i`` of every plane."""
    Ho = out.shape[2]
    n = job // Ho
    i = job % Ho
    acc = np.zeros((out.shape[3], out.shape[1]), dtype=out.dtype)
    _planes_row(x[n], wT, y0, x0, i, acc)
    return n, i, acc


@njit
def _unflatten(flat, Wp, dst):
    """``dst[i, j] = flat[i * Wp + j]``."""
    Ho, Wo = dst.shape
    for i in range(Ho):
        src = flat[i * Wp:i * Wp + Wo]
        row = dst[i]
        for j in range(Wo):
            row[j] = src[j]


@njit
def _correlate_job(x, w, wT, y0, x0, flat, groups, per_job, job, out):
    if flat:
        n, k0, nk, acc = _flat_job(x, w, y0, x0, job, groups, per_job, out)
        Wp = out.shape[3] + w.shape[3] - 1
        for b in range(nk):
            _unflatten(acc[b], Wp, out[n, k0 + b])
    else:
        n, i, acc = _rows_job(x, wT, y0, x0, job, out)
        for k in range(out.shape[1]):
            dst = out[n, k, i]
            for j in range(out.shape[3]):
                dst[j] = acc[j, k]
